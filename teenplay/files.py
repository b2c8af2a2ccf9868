"""Writing files so that readers never see a half-written one."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence


@contextmanager
def replaced_together(paths: Sequence[Path | str]) -> Iterator[list[Path]]:
    """Yield one temporary path beside each of `paths` to write to. When the block ends
    without an error, every temporary file is renamed over its path (each rename is atomic);
    on an error they are deleted and every path keeps what it had."""
    finals = [Path(path) for path in paths]
    temporaries: list[Path] = []
    try:
        for final in finals:
            final.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{final.name}.", dir=final.parent)
            os.close(handle)
            temporaries.append(Path(temporary))
        yield list(temporaries)
        for temporary in temporaries:
            os.chmod(temporary, 0o644)  # mkstemp makes it owner-only; web workers may run as another user
    except BaseException:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, final in zip(temporaries, finals):
        os.replace(temporary, final)
