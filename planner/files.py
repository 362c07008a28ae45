"""Writing outputs whole or not at all: files and folders appear only once complete."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from planner.errors import UsageError

OUTPUT_MARKER = "summary.json"
"""A folder holding this file is a planner output folder, which a new run may replace."""


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    temporary.chmod(0o666 & ~_current_umask())
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def atomic_directory(path: Path, marker: str = OUTPUT_MARKER) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; swap it in for ``path`` if the block succeeds.

    An existing ``path`` is replaced only if it is empty or holds ``marker`` (it is an
    earlier folder of the same sort), so nothing ever deletes a folder of other files.
    """
    what = "earlier plan" if marker == OUTPUT_MARKER else marker
    if path.exists():
        if not path.is_dir():
            raise UsageError(f"{path}: exists and is not a folder")
        if any(path.iterdir()) and not (path / marker).exists():
            raise UsageError(
                f"{path}: folder is not empty and holds no {what}; choose another --out"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    temporary.chmod(0o777 & ~_current_umask())
    try:
        yield temporary
        if path.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, retired / path.name)
            os.replace(temporary, path)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(temporary, path)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
