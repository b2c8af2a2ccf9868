"""Scoring a category classifier on any labelled text file.

A labelled file is a TSV or CSV with a header row and at least `category_id` (1–13)
and `text` columns; an optional `source` column gives per-source figures. The file is
read and checked completely before anything is scored, so a bad file stops with the
file, the line and the problem. No Django import: the management command, training
and the notebooks call these functions.
"""
from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from recommender.core.text import query_text
from reference import CATEGORY_IDS, CATEGORY_NAMES

REQUIRED_COLUMNS = ("category_id", "text")
TOP_CONFUSIONS = 10
KOREAN_FONTS = ("NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "NanumMyeongjo")


class LabelledFileError(ValueError):
    """A labelled file is unusable; the message names the file and, where it can, the line."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        super().__init__(f"{path}, line {line}: {problem}" if line else f"{path}: {problem}")


@dataclass(frozen=True)
class LabelledText:
    """A labelled file's rows: raw texts, their category ids and (optionally) sources."""

    path: Path
    texts: list[str]
    category_ids: np.ndarray
    sources: list[str] | None

    @property
    def name(self) -> str:
        return self.path.stem


def read_labelled_file(path: Path | str) -> LabelledText:
    """Read and check a labelled TSV/CSV (the delimiter follows the extension: .tsv is tab-separated)."""
    path = Path(path)
    delimiter = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise LabelledFileError(path, None, f"cannot open the file ({error.strerror or error})") from error
    texts, labels, sources = [], [], []
    with handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        try:
            header = reader.fieldnames or []
            missing = [column for column in REQUIRED_COLUMNS if column not in header]
            if missing:
                raise LabelledFileError(
                    path, 1, f"missing column(s): {', '.join(missing)} (need {', '.join(REQUIRED_COLUMNS)}; "
                    f"{'tab' if delimiter == chr(9) else 'comma'}-separated with a header row)"
                )
            has_source = "source" in header
            line = reader.line_num + 1
            for record in reader:
                if None in record:
                    raise LabelledFileError(path, line, "more fields than the header has")
                raw_label = (record.get("category_id") or "").strip()
                if not raw_label.isdigit() or int(raw_label) not in CATEGORY_IDS:
                    raise LabelledFileError(
                        path, line, f"unknown category_id {raw_label!r} (expected 1–{len(CATEGORY_IDS)})"
                    )
                text = record.get("text") or ""
                if not query_text(text):
                    raise LabelledFileError(path, line, "empty text")
                texts.append(text)
                labels.append(int(raw_label))
                if has_source:
                    sources.append((record.get("source") or "").strip())
                line = reader.line_num + 1
        except (csv.Error, UnicodeDecodeError) as error:
            raise LabelledFileError(path, reader.line_num or None, f"not a readable UTF-8 table ({error})") from error
    if not texts:
        raise LabelledFileError(path, None, "no rows")
    return LabelledText(path, texts, np.asarray(labels, dtype=int), sources if has_source else None)


def source_group(source: str) -> str:
    """A source column's group: the part before a row pointer ('#...') and a file path (':...')."""
    return source.split("#", 1)[0].split(":", 1)[0] if source else "(none)"


def _headline(y_true: np.ndarray, top: np.ndarray) -> dict:
    predicted = top[:, 0]
    return {
        "rows": int(len(y_true)),
        "accuracy": round(float(accuracy_score(y_true, predicted)), 4),
        "f1_macro": round(float(f1_score(y_true, predicted, labels=sorted(set(y_true)), average="macro",
                                         zero_division=0)), 4),
        "top2": round(float(np.mean([label in row[:2] for label, row in zip(y_true, top)])), 4),
    }


def score_predictions(y_true, probabilities: np.ndarray, classes, sources: list[str] | None = None) -> dict:
    """Headline figures (macro F1 over the categories present, accuracy, top-2), per-category
    precision/recall/F1, per-source figures and the most frequent confusions."""
    y_true = np.asarray(y_true, dtype=int)
    classes = np.asarray(classes)
    order = np.argsort(-probabilities, axis=1, kind="stable")
    top = classes[order]
    predicted = top[:, 0]
    report = _headline(y_true, top)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, predicted, labels=list(CATEGORY_IDS), zero_division=0
    )
    report["per_category"] = {
        CATEGORY_NAMES[c - 1]: {
            "id": c, "precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4),
            "support": int(s),
        }
        for c, p, r, f, s in zip(CATEGORY_IDS, precision, recall, f1, support)
        if s or (predicted == c).any()
    }
    if sources is not None:
        groups = np.asarray([source_group(source) for source in sources])
        report["per_source"] = {
            group: _headline(y_true[groups == group], top[groups == group]) for group in sorted(set(groups))
        }
    confusions = Counter((int(t), int(p)) for t, p in zip(y_true, predicted) if t != p)
    report["confusions"] = [
        {"true": CATEGORY_NAMES[t - 1], "predicted": CATEGORY_NAMES[p - 1], "count": n}
        for (t, p), n in sorted(confusions.items(), key=lambda item: (-item[1], item[0]))[:TOP_CONFUSIONS]
    ]
    report["_predicted"] = predicted  # for the confusion-matrix picture; dropped from JSON reports
    return report


def evaluate_pipeline(pipeline, labelled: LabelledText) -> dict:
    """Score a fitted count_v → mnnb pipeline on a labelled file, through the shared preprocessing."""
    features = [query_text(text) for text in labelled.texts]
    probabilities = pipeline.predict_proba(features)
    return score_predictions(labelled.category_ids, probabilities, pipeline.classes_, labelled.sources)


def draw_confusion_matrix(y_true, y_pred, path: Path | str, *, title: str, normalize: str | None = "true") -> Path:
    """A confusion matrix over the 13 categories as a PNG, with Korean labels when the
    machine has a Korean font (fonts-nanum) and category ids otherwise."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

    available = {font.name for font in font_manager.fontManager.ttflist}
    korean = next((name for name in KOREAN_FONTS if name in available), None)
    labels = list(CATEGORY_IDS)
    names = [f"{i} {CATEGORY_NAMES[i - 1]}" if korean else str(i) for i in labels]
    path = Path(path)
    with plt.rc_context({"font.family": [korean] if korean else ["DejaVu Sans"], "axes.unicode_minus": False}):
        figure, axis = plt.subplots(figsize=(11, 9))
        ConfusionMatrixDisplay(
            confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize), display_labels=names
        ).plot(ax=axis, cmap=plt.cm.Blues, values_format=".2f" if normalize else "d", xticks_rotation=60,
               colorbar=True)
        axis.set_title(title)
        axis.set_xlabel("예측한 카테고리" if korean else "Predicted category")
        axis.set_ylabel("실제 카테고리" if korean else "True category")
        figure.tight_layout()
        figure.savefig(path, dpi=110)
        plt.close(figure)
    return path


def public_report(report: dict) -> dict:
    """The report without its in-memory parts (safe to write as JSON)."""
    return {key: value for key, value in report.items() if not key.startswith("_")}
