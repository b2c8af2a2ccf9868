"""Per-member models: exact equality with sklearn's copy + partial_fit, learning events,
the reload rule, unlike reversal, concurrency, rebuilding after retraining, export."""
import copy
import random
import threading
from datetime import timedelta
from io import StringIO

import joblib
import numpy as np
import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from recommender.likes import like_activity_and_learn, unlike_activity_and_learn
from recommender.active_model import active_model
from recommender.core.engine import MemberDelta, predict_proba
from recommender.models import LearningEvent, MemberModel
from recommender.events import record_activity_view
from recommender.member_models import current_member_state, learning_text, rebuild_member_models, take_in_member_events
from recommender.core.text import query_text

QUERIES = ["여행 바다 산 여름 시원한", "재테크 주식 ETF 서울", "러닝 클라이밍 등산", "와인 베이킹", "영어 회화 스터디 토익"]
CLASSES = list(range(1, 14))


def sklearn_replay(member):
    """scikit-learn's own way: a copy of the pretrained pipeline, partial_fit on every learned event
    (the worker takes pending events in first)."""
    take_in_member_events(member_id=member.pk)
    model = active_model()
    pipe = copy.deepcopy(model.pipeline)
    learned = LearningEvent.objects.filter(member=member, state=LearningEvent.State.LEARNED)
    for event in learned.select_related("activity__category").order_by("id"):
        X = pipe.named_steps["count_v"].transform([learning_text(event.activity)])
        pipe.named_steps["mnnb"].partial_fit(X, [event.category_id], classes=CLASSES, sample_weight=[event.weight])
    return pipe


def engine_proba(member, text):
    model = active_model()
    state = current_member_state(member=member)
    return predict_proba(model.counts, state.delta, model.features(query_text(text)))


def member_row(member) -> MemberModel:
    """The member's model row once the worker has taken their pending events in."""
    return take_in_member_events(member_id=member.pk).row


def member_delta(member) -> MemberDelta:
    return MemberDelta.from_bytes(member_row(member).delta, 13)


@pytest.fixture
def activities(make_activity):
    texts = [
        (5, "강릉 안목해변 당일치기 여행", "바다 보고 카페거리 산책", "강원"),
        (5, "제주 올레길 7코스 동행", "서귀포 바다 걷기", "제주"),
        (9, "ETF 처음 시작하는 재테크 스터디", "월급쟁이 투자 공부", "서울"),
        (3, "반포 한강 저녁 러닝 5km", "페이스 6분대 러닝크루", "서울"),
        (4, "내추럴 와인 테이스팅 클래스", "소믈리에와 함께", "부산"),
        (10, "원어민과 영어 프리토킹", "회화 실력 키우기", "서울"),
        (1, "소이캔들 원데이 클래스", "향 고르기부터 포장까지", "경기"),
    ]
    return [make_activity(category_id=c, title=t, intro=i, address_location=a) for c, t, i, a in texts]


@pytest.mark.django_db
def test_signup_creates_the_members_model(member):
    row = MemberModel.objects.get(member=member)
    assert row.base_version == active_model().version
    assert row.event_count == 0 and bytes(row.delta) == b""


@pytest.mark.django_db
def test_signup_is_undone_when_the_personal_model_cannot_be_made(monkeypatch):
    # member knows nothing of the recommender: it hears of signup through member_signed_up,
    # inside signup's transaction, so a model that cannot be made leaves no member without one.
    from member.models import Member
    from member.services import signup_member
    from recommender import member_models

    def fail(**kwargs):
        raise RuntimeError("no model today")

    monkeypatch.setattr(member_models, "create_member_model", fail)
    with pytest.raises(RuntimeError, match="no model today"):
        signup_member(email="late@example.com", password=None, nickname="늦은", privacy_agree=True)
    assert not Member.objects.filter(email="late@example.com").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_event_sequences_equal_sklearn_copy_and_partial_fit(member, activities, seed):
    rng = random.Random(seed)
    now = timezone.now()
    for step in range(25):
        activity = rng.choice(activities)
        action = rng.random()
        moment = now + timedelta(hours=step)  # past the reload window each time
        if action < 0.5:
            record_activity_view(member=member, activity=activity, now=moment)
        elif action < 0.8:
            like_activity_and_learn(member=member, activity=activity)
        else:
            unlike_activity_and_learn(member=member, activity=activity)
    assert LearningEvent.objects.filter(member=member).count() > 10
    pipe = sklearn_replay(member)
    for text in QUERIES:
        expected = pipe.predict_proba([query_text(text)])[0]
        np.testing.assert_allclose(engine_proba(member, text), expected, rtol=0, atol=1e-9)


@pytest.mark.django_db
def test_unlike_removes_exactly_what_the_like_added(member, activities):
    travel = activities[0]
    record_activity_view(member=member, activity=activities[2])
    before_delta = member_delta(member)

    like_activity_and_learn(member=member, activity=travel)
    liked = member_delta(member)
    assert liked.class_count[4] == before_delta.class_count[4] + 2.0  # like weight 2 on 여행·동행
    unlike_activity_and_learn(member=member, activity=travel)

    after = member_delta(member)
    np.testing.assert_array_equal(after.class_count, before_delta.class_count)
    assert after.token_counts == before_delta.token_counts
    # Undone within the toggle window: the pair learned nothing and has left the log.
    assert list(LearningEvent.objects.filter(member=member).values_list("kind", "weight")) == [("view", 1.0)]


@pytest.mark.django_db
def test_like_and_unlike_are_idempotent_for_learning(member, activities):
    like_activity_and_learn(member=member, activity=activities[0])
    like_activity_and_learn(member=member, activity=activities[0])
    unlike_activity_and_learn(member=member, activity=activities[0])
    unlike_activity_and_learn(member=member, activity=activities[0])
    assert list(LearningEvent.objects.filter(member=member).values_list("kind", flat=True)) == ["like", "unlike"]


@pytest.mark.django_db
def test_unlike_of_a_like_that_never_learned_changes_nothing(member, activities, add_like):
    add_like(member, activities[0])  # imported data: a like row without a learning event
    unlike_activity_and_learn(member=member, activity=activities[0])
    assert not LearningEvent.objects.filter(member=member).exists()
    assert member_row(member).event_count == 0


@pytest.mark.django_db
def test_reloading_within_the_window_learns_once(member, activities, settings):
    settings.RECOMMENDER_VIEW_COOLDOWN_MINUTES = 30
    now = timezone.now()
    activity = activities[0]
    assert record_activity_view(member=member, activity=activity, now=now) is True
    for minutes in (1, 10, 29):
        assert record_activity_view(member=member, activity=activity, now=now + timedelta(minutes=minutes)) is False
    take_in_member_events(member_id=member.pk)  # taken into the counts: the window still holds
    assert record_activity_view(member=member, activity=activity, now=now + timedelta(minutes=20)) is False
    assert record_activity_view(member=member, activity=activity, now=now + timedelta(minutes=31)) is True
    # another activity is not affected by the first one's window
    assert record_activity_view(member=member, activity=activities[1], now=now + timedelta(minutes=1)) is True
    assert member_row(member).event_count == 3
    assert member_delta(member).class_count[4] == 3.0


@pytest.mark.django_db
def test_two_reloads_that_raced_past_the_check_learn_once(member, activities):
    """Both requests checked before either inserted: the log holds two views, the counts one."""
    now = timezone.now()
    for seconds in (0, 1):
        LearningEvent.objects.create(member=member, activity=activities[0], kind="view", category_id=5, weight=1.0,
                                     created_at=now + timedelta(seconds=seconds))
    assert member_row(member).event_count == 1
    assert member_delta(member).class_count[4] == 1.0
    assert list(LearningEvent.objects.order_by("id").values_list("state", flat=True)) == [
        LearningEvent.State.LEARNED, LearningEvent.State.SKIPPED
    ]
    pipe = sklearn_replay(member)
    np.testing.assert_allclose(engine_proba(member, "여행 바다"), pipe.predict_proba([query_text("여행 바다")])[0], atol=1e-9)


@pytest.mark.django_db
def test_event_weights_come_from_settings(member, activities, settings):
    settings.RECOMMENDER_EVENT_WEIGHTS = {"view": 0.5, "like": 3.0}
    record_activity_view(member=member, activity=activities[0])
    like_activity_and_learn(member=member, activity=activities[1])
    assert list(LearningEvent.objects.values_list("weight", flat=True)) == [0.5, 3.0]
    delta = member_delta(member)
    assert delta.class_count[4] == 3.5


@pytest.mark.django_db
def test_detail_page_visit_learns_for_members_only(client, member, activities):
    activity = activities[3]
    client.get(f"/activities/{activity.id}/")
    assert not LearningEvent.objects.exists()
    client.force_login(member)
    client.get(f"/activities/{activity.id}/")
    client.get(f"/activities/{activity.id}/")  # a reload
    assert list(LearningEvent.objects.values_list("member_id", "activity_id", "kind")) == [(member.id, activity.id, "view")]


@pytest.mark.django_db
def test_page_and_like_queue_the_take_in_when_they_commit(client, member, activities, django_capture_on_commit_callbacks):
    """The page and the like API only append; once their transaction commits, a task takes the
    events into the member's counts (run at once by the tests' task backend)."""
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert client.get(f"/activities/{activities[0].id}/").status_code == 200
        assert client.post(f"/api/activities/{activities[2].id}/like/").status_code == 200
    assert len(queued) == 2
    row = MemberModel.objects.get(member=member)
    assert row.event_count == 2
    delta = MemberDelta.from_bytes(row.delta, 13)
    assert delta.class_count[4] == 1.0 and delta.class_count[8] == 2.0
    assert set(LearningEvent.objects.values_list("state", flat=True)) == {LearningEvent.State.LEARNED}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/activities/{activities[2].id}/like/").status_code == 200
    assert MemberDelta.from_bytes(MemberModel.objects.get(member=member).delta, 13).class_count[8] == 0.0


@pytest.mark.django_db
def test_events_wait_in_the_log_while_the_model_file_is_missing(client, member, activities, settings, tmp_path):
    from recommender import model_store

    shipped = settings.RECOMMENDER_MODEL_PATH
    settings.RECOMMENDER_MODEL_PATH = tmp_path / "missing.pkl"
    model_store.clear_cache()
    client.force_login(member)
    assert client.get(f"/activities/{activities[0].id}/").status_code == 200
    assert client.post(f"/api/activities/{activities[2].id}/like/").status_code == 200
    assert current_member_state(member=member) is None
    assert set(LearningEvent.objects.values_list("state", flat=True)) == {LearningEvent.State.PENDING}

    settings.RECOMMENDER_MODEL_PATH = shipped
    model_store.clear_cache()
    assert member_row(member).event_count == 2  # the worker takes both in
    delta = member_delta(member)
    assert delta.class_count[4] == 1.0 and delta.class_count[8] == 2.0


@pytest.mark.django_db
def test_storage_per_member_is_small(member, activities):
    now = timezone.now()
    for step in range(20):
        activity = activities[step % len(activities)]
        if step % 2:
            like_activity_and_learn(member=member, activity=activity)
            unlike_activity_and_learn(member=member, activity=activity) if step % 4 == 1 else None
        else:
            record_activity_view(member=member, activity=activity, now=now + timedelta(hours=step))
    assert 0 < len(bytes(member_row(member).delta)) < 6000


@pytest.mark.django_db
def test_export_member_model_is_an_ordinary_pipeline_equal_to_base_plus_events(member, activities, tmp_path):
    record_activity_view(member=member, activity=activities[0])
    like_activity_and_learn(member=member, activity=activities[2])
    path = tmp_path / "member.pkl"
    output = StringIO()
    call_command("export_member_model", member.email, str(path), stdout=output)
    exported = joblib.load(path)
    assert list(exported.named_steps) == ["count_v", "mnnb"]
    for text in QUERIES:
        np.testing.assert_allclose(exported.predict_proba([query_text(text)])[0], engine_proba(member, text), atol=1e-9)
    assert "학습 이벤트 2개" in output.getvalue()


@pytest.mark.django_db
def test_export_member_model_unknown_email_is_a_clear_error(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="nobody@example.com 회원이 없습니다"):
        call_command("export_member_model", "nobody@example.com", str(tmp_path / "x.pkl"))
    assert not (tmp_path / "x.pkl").exists()


@pytest.fixture
def retrained_model(tmp_path, settings):
    """A different base model (trained on a few rows) installed as the shipped one."""
    from recommender import model_store
    from recommender.training import train_and_export
    from tests.helpers import small_frame

    train_and_export(small_frame(), tmp_path, tokenizer="whitespace", compare=False)
    settings.RECOMMENDER_MODEL_PATH = tmp_path / "activity_recommender.pkl"
    model_store.clear_cache()
    yield active_model()
    model_store.clear_cache()


@pytest.mark.django_db
def test_retraining_rebuilds_member_counts_from_the_log_lazily(member, activities, retrained_model, settings, client):
    from recommender import model_store

    shipped = settings.RECOMMENDER_MODEL_PATH
    # Learn on the shipped model first.
    settings.RECOMMENDER_MODEL_PATH = __import__("pathlib").Path(__file__).resolve().parents[2] / "models" / "activity_recommender.pkl"
    model_store.clear_cache()
    record_activity_view(member=member, activity=activities[0])
    like_activity_and_learn(member=member, activity=activities[4])
    old_version = member_row(member).base_version

    settings.RECOMMENDER_MODEL_PATH = shipped
    model_store.clear_cache()
    assert active_model().version != old_version
    client.force_login(member)
    assert client.get("/api/recommendations/activities/").status_code == 200  # rebuilt in memory
    assert MemberModel.objects.get(member=member).base_version == old_version  # a read writes nothing
    in_memory = [engine_proba(member, text) for text in ["와인 베이킹 요리", "여행 바다 제주"]]
    pipe = sklearn_replay(member)  # the worker rebuilds the stored counts
    row = MemberModel.objects.get(member=member)
    assert row.base_version == active_model().version and row.event_count == 2
    for text, probabilities in zip(["와인 베이킹 요리", "여행 바다 제주"], in_memory):
        np.testing.assert_allclose(probabilities, pipe.predict_proba([query_text(text)])[0], atol=1e-9)
    for text in ["와인 베이킹 요리", "여행 바다 제주"]:
        np.testing.assert_allclose(engine_proba(member, text), pipe.predict_proba([query_text(text)])[0], atol=1e-9)


@pytest.mark.django_db
def test_rebuild_member_models_command_rebuilds_stale_ones(make_member, activities, retrained_model):
    for _ in range(3):
        make_member()
    stale = MemberModel.objects.update(base_version="an-old-version")
    assert stale >= 3
    output = StringIO()
    call_command("rebuild_member_models", "--no-progress", stdout=output)
    assert f"회원 모델 {stale}개를 다시 만들었습니다." in output.getvalue()
    assert set(MemberModel.objects.values_list("base_version", flat=True)) == {retrained_model.version}
    assert rebuild_member_models(show_progress=False) == 0  # nothing stale any more


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_events_for_one_member_are_all_counted(make_member, make_activity):
    member = make_member()
    activity = make_activity(category_id=5, title="동시 학습 테스트 여행")
    errors = []

    def worker(number):
        try:
            base = timezone.now() + timedelta(days=2 * number)
            for step in range(25):
                # a distinct moment per event, so the reload rule never merges two
                record_activity_view(member=member, activity=activity, now=base + timedelta(hours=step))
                if step % 5 == 4:  # the worker takes pending events in while other threads append
                    take_in_member_events(member_id=member.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    row = member_row(member)
    assert LearningEvent.objects.filter(member=member, state=LearningEvent.State.LEARNED).count() == 200
    assert row.event_count == 200
    delta = MemberDelta.from_bytes(row.delta, 13)
    assert delta.class_count[4] == 200.0
    # Every event's token counts too (a lost update would drop some), and nothing in another class.
    one_view = active_model().features(learning_text(activity))
    assert delta.token_counts[4] == {feature: 200 * count for feature, count in one_view.items()}
    assert not any(delta.token_counts[index] for index in range(13) if index != 4)


@pytest.mark.django_db
def test_unreadable_counts_are_rebuilt_from_the_log(member, activities):
    like_activity_and_learn(member=member, activity=activities[0])
    expected = engine_proba(member, "여행 바다")
    MemberModel.objects.filter(member=member).update(delta=b"\x00 not zlib")
    state = current_member_state(member=member)
    assert state.delta.class_count[4] == 2.0
    np.testing.assert_allclose(engine_proba(member, "여행 바다"), expected, atol=1e-12)
