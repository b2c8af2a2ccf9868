"""Training, evaluation, export, loading and predict_category."""
import json
import pickle
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from reference import CATEGORY_NAMES
from recommender import model_store
from recommender.model_store import ModelUnavailable, load_model
from recommender.core.text import query_text
from recommender.training import (
    TrainingDataError, features_and_target, series_groups, split, train_and_export,
)
from tests.helpers import small_frame

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_MODEL = ROOT / "models" / "activity_recommender.pkl"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("model")
    report = train_and_export(small_frame(), out, tokenizer="char", compare=True)
    return out, report


def test_training_writes_model_metrics_and_pictures(trained):
    out, report = trained
    assert (out / "activity_recommender.pkl").stat().st_size > 0
    pictures = [out / "confusion_matrix.png", out / "confusion_matrix_normalized.png"]
    for picture in pictures:
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metadata = json.loads((out / "activity_recommender.json").read_text(encoding="utf-8"))
    for key in ("version", "sha256", "trained_at", "training_rows_per_category", "libraries", "held_out", "tokenizer_comparison"):
        assert key in metadata
    assert set(metadata["held_out"]) >= {"accuracy", "precision_macro", "recall_macro", "f1_macro", "per_category"}
    assert metadata["training_rows_per_category"][CATEGORY_NAMES[0]] == 6
    assert set(metadata["tokenizer_comparison"]) == {"whitespace", "kiwi", "char", "kiwi+char", "kiwi+related+char"}
    assert metadata["split"] == {
        "test_size": 0.2, "random_state": 124, "stratified": True, "grouped_by": "series", "series_similarity": 0.5,
    }


def test_the_held_out_split_never_separates_a_series():
    frame = pd.read_csv(ROOT / "datasets" / "activities.csv", dtype=str, keep_default_na=False)
    features, target = features_and_target(frame)
    X_train, X_test, y_train, y_test = split(features, target)
    assert len(X_test) / len(features) == pytest.approx(0.2, abs=0.05)
    assert set(y_test) == set(y_train) == set(range(1, 14))
    groups = dict(zip(features.index, series_groups(features)))
    assert not {groups[i] for i in X_train.index} & {groups[i] for i in X_test.index}
    # Three weekly posts of one club's template are one series; unrelated listings are not.
    template = [f"[망원 러닝크루] {week}주차 한강 5km 러닝 같이 뛰어요" for week in range(1, 4)]
    other = ["제주 해녀 물질 체험과 바다 여행", "와인 시음회 내추럴 와인 여섯 종"]
    ids = series_groups(pd.Series(template + other))
    assert ids[0] == ids[1] == ids[2] and len({ids[0], ids[3], ids[4]}) == 3


def test_exported_pipeline_has_the_original_step_names_and_partial_fit_works(trained):
    out, _ = trained
    pipe = joblib.load(out / "activity_recommender.pkl")
    assert list(pipe.named_steps) == ["count_v", "mnnb"]
    assert list(pipe.classes_) == list(range(1, 14))
    before = pipe.predict_proba(["와인 모임"])[0][3]
    X = pipe.named_steps["count_v"].transform(["푸드 드링크 와인 모임 서울"])
    pipe.named_steps["mnnb"].partial_fit(X, [4], classes=list(range(1, 14)))
    assert pipe.predict_proba(["와인 모임"])[0][3] > before


def test_model_pickles_its_tokenizer_by_reference(trained):
    out, _ = trained
    raw = (out / "activity_recommender.pkl").read_bytes()
    assert b"recommender.core.text" in raw and b"char_ngrams" in raw


def test_bad_training_rows_are_refused(tmp_path):
    frame = small_frame()
    with pytest.raises(TrainingDataError, match="missing column"):
        features_and_target(frame.drop(columns=["activity_content"]))
    frame.loc[3, "category_id"] = "42"
    with pytest.raises(TrainingDataError, match="row 4"):
        features_and_target(frame)
    with pytest.raises(TrainingDataError, match="at least 2 rows"):
        train_and_export(small_frame(rows_per_category=1), tmp_path, compare=False)
    assert not (tmp_path / "activity_recommender.pkl").exists()


def test_train_recommender_command_from_csv(tmp_path):
    csv_path = tmp_path / "rows.csv"
    small_frame().to_csv(csv_path, index=False)
    output = StringIO()
    call_command("train_recommender", "--csv", str(csv_path), "--out", str(tmp_path / "m"), "--tokenizer", "char",
                 "--no-compare", "--check-set", "", stdout=output)
    assert "[3/3]" in output.getvalue() and "macro F1" in output.getvalue()
    assert (tmp_path / "m" / "activity_recommender.pkl").exists()


def test_train_recommender_scores_real_text_beside_its_own_splits(tmp_path):
    csv_path = tmp_path / "rows.csv"
    small_frame().to_csv(csv_path, index=False)
    real = tmp_path / "real.tsv"
    real.write_text("category_id\ttext\n5\t제주 바다 여행\n9\t주식 ETF 공부\n3\t러닝 등산\n", encoding="utf-8")
    output = StringIO()
    call_command("train_recommender", "--csv", str(csv_path), "--out", str(tmp_path / "m"), "--tokenizer", "char",
                 "--check-set", "", "--real-text", str(real), stdout=output)
    metadata = json.loads((tmp_path / "m" / "activity_recommender.json").read_text(encoding="utf-8"))
    assert metadata["real_text"]["real.tsv"]["rows"] == 3
    assert 0 <= metadata["real_text"]["real.tsv"]["f1_macro"] <= 1
    for result in metadata["tokenizer_comparison"].values():
        assert set(result["real_text"]["real.tsv"]) == {"rows", "f1_macro", "accuracy", "top2"}
    assert "실제 텍스트 real.tsv: macro F1" in output.getvalue()


def test_a_bad_real_text_file_stops_training_before_anything_is_written(tmp_path):
    csv_path = tmp_path / "rows.csv"
    small_frame().to_csv(csv_path, index=False)
    real = tmp_path / "real.tsv"
    real.write_text("category_id\ttext\n5\t제주 바다 여행\n99\t모르는 카테고리\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 3: unknown category_id"):
        call_command("train_recommender", "--csv", str(csv_path), "--out", str(tmp_path / "m"), "--tokenizer", "char",
                     "--check-set", "", "--real-text", str(real), stdout=StringIO())
    assert not (tmp_path / "m").exists()


@pytest.mark.django_db
def test_train_recommender_from_an_empty_database_says_what_to_do(tmp_path):
    with pytest.raises(CommandError, match="load_datasets"):
        call_command("train_recommender", "--from-db", "--out", str(tmp_path), stdout=StringIO())


def run_predict(stdin: str, model_path: Path = SHIPPED_MODEL):
    env = {**__import__("os").environ, "DEBUG": "true", "RECOMMENDER_MODEL_PATH": str(model_path)}
    return subprocess.run([sys.executable, "manage.py", "predict_category"], input=stdin, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_predict_category_writes_one_json_line_per_input():
    result = run_predict("여행 바다 산 여름 시원한\n\n!!!★★\n주식과 ETF로 시작하는 재테크 스터디\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["text"] for line in lines] == ["여행 바다 산 여름 시원한", "", "!!!★★", "주식과 ETF로 시작하는 재테크 스터디"]
    season = lines[0]["top"]
    assert len(season) == 3 and season[0]["name"] == "여행·동행" and season[0]["id"] == 5
    assert season[0]["probability"] >= season[1]["probability"] >= season[2]["probability"]
    assert lines[1]["top"] == [] and lines[2]["top"] == []
    assert lines[3]["top"][0]["name"] == "재테크"


def test_predict_category_with_a_missing_model_names_the_file_and_the_fix(tmp_path):
    result = run_predict("여행\n", tmp_path / "nothing.pkl")
    assert result.returncode != 0
    assert "nothing.pkl" in result.stderr and "train_recommender" in result.stderr
    assert "Traceback" not in result.stderr


def copy_model(tmp_path):
    shutil.copy(SHIPPED_MODEL, tmp_path / "activity_recommender.pkl")
    shutil.copy(SHIPPED_MODEL.with_suffix(".json"), tmp_path / "activity_recommender.json")
    return tmp_path / "activity_recommender.pkl"


def test_corrupt_model_files_give_a_clear_message(tmp_path):
    path = copy_model(tmp_path)
    model_store.clear_cache()
    assert load_model(path).pipeline is not None

    path.write_bytes(path.read_bytes()[: 1000])  # truncated
    with pytest.raises(ModelUnavailable, match="train_recommender") as caught:
        load_model(path)
    assert str(path) in str(caught.value)

    # a file whose checksum matches its metadata but is not a pipeline
    path.write_bytes(pickle.dumps({"not": "a model"}))
    metadata = json.loads(path.with_suffix(".json").read_text())
    metadata["sha256"] = __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    path.with_suffix(".json").write_text(json.dumps(metadata))
    with pytest.raises(ModelUnavailable, match="파이프라인이 아닙니다"):
        load_model(path)

    path.with_suffix(".json").unlink()
    with pytest.raises(ModelUnavailable, match="모델 정보 파일"):
        load_model(path)


def test_model_reloads_when_the_file_changes(tmp_path, trained):
    path = copy_model(tmp_path)
    model_store.clear_cache()
    first = load_model(path)
    assert load_model(path) is first
    out, _ = trained
    shutil.copy(out / "activity_recommender.pkl", path)
    shutil.copy(out / "activity_recommender.json", path.with_suffix(".json"))
    second = load_model(path)
    assert second.version != first.version
    assert len(second.pipeline.named_steps["count_v"].vocabulary_) != len(first.pipeline.named_steps["count_v"].vocabulary_)


BOOK_CLUBS = [
    "📚 격주 토요일 소설 읽는 모임 (합정)",
    "이번 달 책: 고전 한 권 완독하고 이야기 나눠요",
    "퇴근 후 독서모임 3기 모집 - 에세이 읽고 한 줄 나눔",
    "안녕하세요, 책 좋아하는 7년차 회사원이에요. 한 달에 한 권 함께 읽고 발제문으로 대화해요. 책값은 각자!",
]
# Book clubs with a second pull (a habit challenge, a drink): study still comes first or second.
BOOK_CLUBS_WITH_ANOTHER_PULL = [
    "[온라인] 매일 30분 독서 인증 챌린지",
    "위스키 한 잔과 함께하는 북클럽 (20세 이상)",
]


def test_shipped_model_files_book_clubs_under_study():
    pipe = load_model(SHIPPED_MODEL).pipeline
    predictions = pipe.predict([query_text(text) for text in BOOK_CLUBS])
    assert list(predictions) == [11] * len(BOOK_CLUBS), [CATEGORY_NAMES[p - 1] for p in predictions]
    probabilities = pipe.predict_proba([query_text(text) for text in BOOK_CLUBS_WITH_ANOTHER_PULL])
    for text, row in zip(BOOK_CLUBS_WITH_ANOTHER_PULL, probabilities):
        assert 11 in pipe.classes_[np.argsort(-row)[:2]], text


def test_shipped_model_ranks_travel_first_for_the_season_query():
    pipe = load_model(SHIPPED_MODEL).pipeline
    probabilities = pipe.predict_proba(["여행 바다 산 여름 시원한"])[0]
    assert pipe.classes_[int(np.argmax(probabilities))] == 5
