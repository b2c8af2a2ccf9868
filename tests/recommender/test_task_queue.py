"""Learning through a real task queue and its real worker: the database queue (django-tasks-db,
the default) or, with TASKS_BACKEND=rq, RQ on the local Redis server (`make test` runs this
module both ways). Events queue a take-in when their transaction commits; the worker learns
each event once, and what a dead run left pending the sweep takes in."""
import os

import numpy as np
import pytest
from django.core.management import call_command
from django.db import transaction

from recommender.models import LearningEvent, MemberModel
from recommender.events import record_like_learning
from recommender.member_models import MemberState, current_member_state

pytestmark = [pytest.mark.queue, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUEUE = "rq" if os.environ.get("TASKS_BACKEND") == "rq" else "database"


class Queue:
    """The configured queue as an operator sees it: tasks waiting, and a worker run to the end."""

    def __init__(self, settings):
        if QUEUE == "database":
            settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
        else:
            import django_rq
            from redis.exceptions import ConnectionError as RedisDown

            try:
                django_rq.get_connection("default").ping()
            except RedisDown as error:
                if os.environ.get("CI") == "true":
                    raise
                pytest.skip(f"Redis is not reachable: {error}")
            queue = django_rq.get_queue("default")
            queue.empty()
            # Failed jobs stay in Redis after a run: count only this test's.
            self._failed_before = queue.failed_job_registry.count

    def waiting(self) -> int:
        if QUEUE == "database":
            from django_tasks import TaskResultStatus
            from django_tasks_db.models import DBTaskResult

            return DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
        import django_rq

        return django_rq.get_queue("default").count

    def failed(self) -> int:
        if QUEUE == "database":
            from django_tasks import TaskResultStatus
            from django_tasks_db.models import DBTaskResult

            return DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count()
        import django_rq

        return django_rq.get_queue("default").failed_job_registry.count - self._failed_before

    def run_worker(self) -> None:
        """The backend's own worker, until the queue is empty (in this process, on the test database)."""
        if QUEUE == "database":
            call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
        else:
            import django_rq
            from rq import SimpleWorker

            django_rq.get_worker("default", job_class="django_tasks_rq.Job", worker_class=SimpleWorker).work(burst=True)


@pytest.fixture
def queue(settings):
    return Queue(settings)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def stored(member) -> MemberModel:
    return MemberModel.objects.get(member=member)


def test_a_like_and_a_page_view_queue_take_ins_that_the_worker_learns(queue, member_client, member, make_activity):
    travel, money = make_activity(category_id=5), make_activity(category_id=9)
    assert member_client.get(f"/activities/{travel.id}/").status_code == 200
    assert member_client.post(f"/api/activities/{money.id}/like/").status_code == 200
    assert queue.waiting() == 2
    assert stored(member).event_count == 0  # nothing learned on the request path
    before_worker = current_member_state(member=member)  # reads already see both, in memory

    queue.run_worker()
    assert queue.waiting() == 0 and queue.failed() == 0
    row = stored(member)
    assert row.event_count == 2
    assert set(LearningEvent.objects.values_list("state", flat=True)) == {LearningEvent.State.LEARNED}
    after_worker = current_member_state(member=member)
    np.testing.assert_array_equal(after_worker.delta.class_count, before_worker.delta.class_count)
    assert after_worker.delta.class_count[4] == 1.0 and after_worker.delta.class_count[8] == 2.0


def test_an_event_rolled_back_queues_nothing(queue, member, make_activity):
    activity = make_activity(category_id=5)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_like_learning(member=member, activity=activity)
        raise RuntimeError("the like's transaction fails after the event was appended")
    assert queue.waiting() == 0
    assert not LearningEvent.objects.exists()

    with transaction.atomic():
        record_like_learning(member=member, activity=activity)
        assert queue.waiting() == 0  # queued only once the transaction commits
    assert queue.waiting() == 1


def test_runs_for_the_same_events_learn_them_once(queue, member_client, member, make_activity):
    activities = [make_activity(category_id=5) for _ in range(3)]
    for activity in activities:
        member_client.get(f"/activities/{activity.id}/")
    assert queue.waiting() == 3  # three tasks, one member: the first run takes all three in
    queue.run_worker()
    call_command("sweep_learning_events", "--no-progress", verbosity=0)  # and a sweep after them
    row = stored(member)
    assert row.event_count == 3
    assert MemberState.of(row).delta.class_count[4] == 3.0


def test_a_run_that_dies_mid_way_loses_nothing_and_the_sweep_learns_it_once(queue, member_client, member,
                                                                             make_activity, monkeypatch):
    activity = make_activity(category_id=5)

    def crash(self, version, event_count):
        raise MemoryError("the worker died before its transaction committed")

    with monkeypatch.context() as patch:
        patch.setattr(MemberState, "save", crash)
        member_client.post(f"/api/activities/{activity.id}/like/")
        queue.run_worker()
    assert queue.failed() == 1
    assert stored(member).event_count == 0
    assert list(LearningEvent.objects.values_list("state", flat=True)) == [LearningEvent.State.PENDING]

    from io import StringIO

    output = StringIO()
    call_command("sweep_learning_events", "--no-progress", stdout=output)
    assert "회원 1명의 대기 중인 학습 이벤트를 반영했습니다." in output.getvalue()
    call_command("sweep_learning_events", "--no-progress", stdout=output)  # nothing left: learns nothing twice
    row = stored(member)
    assert row.event_count == 1 and MemberState.of(row).delta.class_count[4] == 2.0
