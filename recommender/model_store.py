"""Loading the shipped model: once per process, again when the file's version changes.

The path comes from settings, never from the database. A missing or corrupt file
raises ModelUnavailable with a message naming the file and how to rebuild it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import joblib


logger = logging.getLogger(__name__)

REBUILD_HINT = "python manage.py train_recommender"
# Written beside the model by training: its version, sha256, metrics and training details.
METRICS_FILENAME = "activity_recommender.json"


class ModelUnavailable(RuntimeError):
    """The model file is missing, unreadable or not the model its metrics describe."""


@dataclass(frozen=True)
class LoadedModel:
    pipeline: Pipeline
    version: str
    path: Path
    metadata: dict


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[int, int], LoadedModel]] = {}


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _read(path: Path) -> LoadedModel:
    metrics_path = path.with_name(METRICS_FILENAME) if path.name.endswith(".pkl") else path.with_suffix(".json")
    try:
        metadata = json.loads(metrics_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelUnavailable(
            f"모델 정보 파일 {metrics_path}을(를) 읽을 수 없습니다 ({error}). `{REBUILD_HINT}`로 다시 만드세요."
        ) from error
    if metadata.get("sha256") != sha256_of(path):
        raise ModelUnavailable(
            f"모델 파일 {path}이(가) {metrics_path}의 sha256과 다릅니다 (손상되었거나 다른 파일). "
            f"`{REBUILD_HINT}`로 다시 만드세요."
        )
    from sklearn.pipeline import Pipeline  # with the first model: most manage.py commands read none

    try:
        pipeline = joblib.load(path)
    except Exception as error:  # a truncated or foreign pickle can raise almost anything
        raise ModelUnavailable(f"모델 파일 {path}을(를) 불러올 수 없습니다 ({error!r}). `{REBUILD_HINT}`로 다시 만드세요.") from error
    if not isinstance(pipeline, Pipeline) or set(pipeline.named_steps) != {"count_v", "mnnb"}:
        raise ModelUnavailable(f"{path}은(는) count_v·mnnb 파이프라인이 아닙니다. `{REBUILD_HINT}`로 다시 만드세요.")
    return LoadedModel(pipeline=pipeline, version=str(metadata.get("version")), path=path, metadata=metadata)


def load_model(path: Path | str) -> LoadedModel:
    """The model at `path`, read once per process and re-read when the file changes."""
    path = Path(path)
    try:
        signature = _signature(path)
    except OSError as error:
        raise ModelUnavailable(f"모델 파일 {path}이(가) 없습니다. `{REBUILD_HINT}`로 만드세요.") from error
    cached = _cache.get(path)
    if cached and cached[0] == signature:
        return cached[1]
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == signature:
            return cached[1]
        model = _read(path)
        _cache[path] = (signature, model)
        logger.info("loaded recommender model %s (version %s)", path, model.version)
        return model


def clear_cache() -> None:
    with _lock:
        _cache.clear()
