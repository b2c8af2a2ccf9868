"""evaluate_recommender: scoring the shipped model on any labelled file, and refusing bad files."""
import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from reference import CATEGORY_NAMES
from recommender.evaluation import read_labelled_file, score_predictions
from recommender.selectors import predict_top_categories

ROWS = [
    (5, "blog", "제주 바다 여행 같이 가요"),
    (5, "blog", "강릉 당일치기 기차 여행"),
    (3, "blog", "한강 러닝 크루 매주 수요일"),
    (10, "notice", "영어 회화 스터디 원어민과 프리토킹"),
    (4, "notice", "와인 시음회 내추럴 와인 여섯 종"),
    (12, "notice", "불꽃축제 먹거리 장터 개막 공연"),
]


def write_table(path: Path, rows, header=("category_id", "source", "text"), delimiter="\t") -> Path:
    lines = [delimiter.join(header)] + [delimiter.join(str(value) for value in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_figures_follow_the_predictions_of_the_shipped_model(tmp_path):
    labelled = read_labelled_file(write_table(tmp_path / "small.tsv", ROWS))
    out = tmp_path / "reports"
    call_command("evaluate_recommender", str(labelled.path), "--out", str(out), stdout=StringIO())
    report = json.loads((out / "small.json").read_text(encoding="utf-8"))

    # The same figures, computed from predict_category's answers one text at a time.
    tops = [[c["id"] for c in predict_top_categories(text, 2)] for _, _, text in ROWS]
    truth = [category_id for category_id, _, _ in ROWS]
    assert report["rows"] == len(ROWS)
    assert report["accuracy"] == pytest.approx(np.mean([t[0] == y for t, y in zip(tops, truth)]), abs=1e-4)
    assert report["top2"] == pytest.approx(np.mean([y in t for t, y in zip(tops, truth)]), abs=1e-4)
    assert report["top2"] >= report["accuracy"]
    assert set(report["per_source"]) == {"blog", "notice"}
    assert report["per_source"]["blog"]["rows"] == 3
    assert report["per_category"]["여행·동행"]["support"] == 2
    assert report["model_version"] and report["file"] == "small.tsv"
    assert (out / report["picture"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_printed_table_names_the_headline_categories_and_confusions(tmp_path):
    path = write_table(tmp_path / "listings.csv", [(c, t) for c, _, t in ROWS], header=("category_id", "text"),
                       delimiter=",")
    output = StringIO()
    call_command("evaluate_recommender", str(path), "--out", str(tmp_path / "out"), stdout=output)
    text = output.getvalue()
    assert "listings.csv: 6행" in text and "macro F1" in text and "top-2" in text
    assert "여행·동행" in text
    assert "출처별" not in text  # no source column, no per-source figures
    assert json.loads((tmp_path / "out" / "listings.json").read_text(encoding="utf-8"))["rows"] == 6


def test_score_predictions_counts_confusions_and_per_category_recall():
    y_true = np.array([1, 1, 1, 2, 2, 3])
    classes = np.array([1, 2, 3])
    # Rows predict 1, 2, 2, 2, 3, 3: three right, 1 taken for 2 twice, 2 for 3 once.
    probabilities = np.array([
        [0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.3, 0.6, 0.1], [0.1, 0.8, 0.1], [0.1, 0.3, 0.6], [0.0, 0.1, 0.9],
    ])
    report = score_predictions(y_true, probabilities, classes)
    assert report["accuracy"] == pytest.approx(3 / 6, abs=1e-4)
    assert report["top2"] == 1.0
    assert report["per_category"][CATEGORY_NAMES[0]]["recall"] == pytest.approx(1 / 3, abs=1e-4)
    assert report["per_category"][CATEGORY_NAMES[1]]["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert report["confusions"] == [
        {"true": CATEGORY_NAMES[0], "predicted": CATEGORY_NAMES[1], "count": 2},
        {"true": CATEGORY_NAMES[1], "predicted": CATEGORY_NAMES[2], "count": 1},
    ]


@pytest.mark.parametrize(
    "content, message",
    [
        ("label\ttext\n5\t제주 여행\n", "line 1: missing column(s): category_id"),
        ("category_id\ttext\n5\t제주 여행\n14\t없는 카테고리\n", "line 3: unknown category_id '14'"),
        ("category_id\ttext\n5\t제주 여행\nabc\t글자 라벨\n", "line 3: unknown category_id 'abc'"),
        ("category_id\ttext\n5\t제주 여행\n3\t\n", "line 3: empty text"),
        ("category_id\ttext\n5\t제주 여행\n3\t!!! ...\n", "line 3: empty text"),
        ("category_id\ttext\n5\t제주 여행\t남는 칸\n", "line 2: more fields than the header has"),
        ("category_id\ttext\n", "no rows"),
    ],
)
def test_a_bad_file_names_its_line_and_nothing_is_written(tmp_path, content, message):
    good = write_table(tmp_path / "good.tsv", ROWS)
    bad = tmp_path / "bad.tsv"
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(CommandError) as error:
        call_command("evaluate_recommender", str(good), str(bad), "--out", str(out), stdout=StringIO())
    assert str(bad) in str(error.value) and message in str(error.value)
    assert not out.exists()  # not even the good file's report


def test_a_missing_file_or_model_is_a_clear_message(tmp_path):
    good = write_table(tmp_path / "good.tsv", ROWS)
    with pytest.raises(CommandError, match="cannot open the file"):
        call_command("evaluate_recommender", str(tmp_path / "none.tsv"), "--out", str(tmp_path / "o"))
    with pytest.raises(CommandError, match="train_recommender"):
        call_command("evaluate_recommender", str(good), "--model", str(tmp_path / "none.pkl"),
                     "--out", str(tmp_path / "o"))
    assert not (tmp_path / "o").exists()


def test_a_file_that_is_not_utf8_text_is_refused(tmp_path):
    path = tmp_path / "cp949.tsv"
    path.write_bytes("category_id\ttext\n5\t제주 여행\n".encode("cp949"))
    with pytest.raises(CommandError, match="not a readable UTF-8 table"):
        call_command("evaluate_recommender", str(path), "--out", str(tmp_path / "o"))
    assert not (tmp_path / "o").exists()
