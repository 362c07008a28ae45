"""Writing outputs whole or not at all, and only over what the planner itself wrote.

A file or folder is written under a name of the planner's own beside its target and moved
into place in one step once complete, so a reader (or a kill at any moment) sees the
earlier output whole or the new one whole. Those names are ``.TARGET.planner-PID-TOKEN``
plus ``.tmp`` (a file being written), ``.new`` (a folder being written) or ``.old`` (an
earlier folder on its way out). A writer killed half-way leaves such names behind; the
next write to the same target puts a retired folder back if the target went missing
and removes the leftovers whose writer process is gone, and never touches anything else.

Before anything is written, the target is checked (:func:`refuse_unless_replaceable`):
an existing folder is replaced only if it is empty or holds nothing but the files that
sort of output writes, and an existing file only if the planner recognisably wrote it.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import UsageError

GENERATOR = "border-planner"
"""How the planner signs what it writes (an HTML report's generator, a workbook's creator)."""

LISTED = 10
"""Files named when refusing to replace a folder; the rest are counted."""

_TEMPORARY, _STAGING, _RETIRED = "tmp", "new", "old"
"""Last parts of the names a write uses beside its target."""

_IN_PROGRESS: set[str] = set()
"""Paths this process is writing now: a leftover of an earlier process with the same PID
(PIDs restart in every container) is stale, these are not."""

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
"""From Linux's ``fcntl.h`` and ``linux/fs.h``, for ``renameat2``."""
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP}
"""``renameat2`` errors meaning the kernel or the file system cannot exchange names."""


@dataclass(frozen=True)
class FolderKind:
    """A sort of folder the planner writes, and the files such a folder may hold."""

    what: str
    """How a refusal names one, for instance ``earlier plan``."""
    marker: str
    """A file every such folder holds."""
    names: frozenset[str]
    """Every file such a folder may hold (those of the released versions included)."""
    example: str
    """A subfolder name to suggest when the target is the current folder."""
    signed: Callable[[Path], bool] | None = None
    """Where the files alone cannot tell the planner's folder from someone's own (a
    scenario folder has the same files either way): whether the marker file carries the
    planner's signature."""
    subfolders: Mapping[str, str] = field(default_factory=dict)
    """Subfolders such a folder may hold, each with the suffix of the only files it may
    hold (``{"calendar": ".ics"}``): one holding anything else is not the planner's."""


@dataclass(frozen=True)
class FileKind:
    """A sort of file the planner writes, and how to tell one it wrote from anyone else's."""

    what: str
    """How a refusal names one, for instance ``an HTML report``."""
    recognise: Callable[[Path], bool]
    """Whether an existing file is one the planner wrote (and so may be replaced)."""
    example: str
    """A file name to suggest when the target is a folder."""


def holds_text(marker: str, *, within: int = 4096) -> Callable[[Path], bool]:
    """A recogniser of files holding ``marker`` in their first ``within`` bytes."""
    wanted = marker.encode("utf-8")

    def recognise(path: Path) -> bool:
        """Whether ``path`` begins with the marker."""
        with path.open("rb") as file:
            return wanted in file.read(within)

    return recognise


def refuse_unless_replaceable(path: Path, kind: FolderKind | FileKind) -> None:
    """Raise :class:`UsageError` unless writing ``path`` would lose nothing but planner output.

    A missing path may always be written. Writers call this before they write anything;
    commands may call it earlier still, before long work whose result would be refused.
    """
    if path.is_symlink():
        raise UsageError(f"{path}: is a symbolic link; name the file or folder itself")
    if isinstance(kind, FolderKind):
        _refuse_folder(path, kind)
    elif path.is_dir():
        raise UsageError(f"{path}: is a folder; name the file to write, for instance "
                         f"{path / kind.example}")
    elif path.exists() and not (path.is_file() and _replaceable(kind, path)):
        raise UsageError(f"{path}: exists and is not {kind.what} the planner wrote; "
                         "replacing it would lose it: choose another file name")


def _replaceable(kind: FileKind, path: Path) -> bool:
    """Whether ``path`` is empty (nothing to lose) or ``kind`` recognises it as the planner's.

    A file that cannot be read is not recognised.
    """
    try:
        return path.stat().st_size == 0 or kind.recognise(path)
    except (OSError, ValueError):
        return False


def _signed(recognise: Callable[[Path], bool], path: Path) -> bool:
    """Whether ``recognise`` finds the planner's signature in ``path`` (unreadable: no)."""
    try:
        return recognise(path)
    except (OSError, ValueError):
        return False


def _refuse_folder(path: Path, kind: FolderKind) -> None:
    """Refuse ``path`` unless it is missing, empty or an earlier folder of ``kind``."""
    here = Path.cwd().resolve()
    target = path.resolve()
    if target == here or target in here.parents:
        # Replacing a folder swaps it for another under the same name: the process would
        # be left working in the retired folder, and the swap itself may fail half-way.
        raise UsageError(f"{path}: is the current folder or holds it, which the planner "
                         f"cannot replace; choose a subfolder, for instance --out "
                         f"{path / kind.example}")
    if not path.exists():
        return
    if not path.is_dir():
        raise UsageError(f"{path}: exists and is not a folder")
    try:
        with os.scandir(path) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        raise UsageError(f"{path}: cannot look into the folder: {error.strerror}") from error
    if not entries:
        return
    ours = {entry.name for entry in entries
            if (entry.name in kind.names and entry.is_file(follow_symlinks=False))
            or (entry.name in kind.subfolders
                and _holds_only(entry, kind.subfolders[entry.name]))}
    if kind.marker not in ours:
        lost = entries
        reason = f"folder is not empty and holds no {kind.what}"
    else:
        lost = [entry for entry in entries if entry.name not in ours]
        reason = "folder holds files the planner did not write there"
        if not lost and kind.signed is not None and not _signed(kind.signed,
                                                                path / kind.marker):
            lost = entries
            reason = f"folder holds a {kind.marker} the planner did not write"
    if lost:
        raise UsageError(f"{path}: {reason}; replacing it would lose {_listing(lost)}; "
                         "choose another --out")


def _holds_only(entry: os.DirEntry[str], suffix: str) -> bool:
    """Whether ``entry`` is a folder (not a link) holding only files ending in ``suffix``."""
    if not entry.is_dir(follow_symlinks=False):
        return False
    try:
        with os.scandir(entry.path) as listing:
            return all(inner.name.endswith(suffix) and inner.is_file(follow_symlinks=False)
                       for inner in listing)
    except OSError:
        return False


def _listing(entries: list[os.DirEntry[str]]) -> str:
    """The first :data:`LISTED` names (folders with a ``/``), then how many more."""
    names = [entry.name + ("/" if entry.is_dir(follow_symlinks=False) else "")
             for entry in entries]
    shown = ", ".join(names[:LISTED])
    return shown if len(names) <= LISTED else f"{shown} and {len(names) - LISTED} more"


def _reached(moment: str) -> None:
    """Mark a moment of a write; does nothing.

    Tests replace it in a child process to kill the writer exactly there.
    """


@contextmanager
def atomic_file(path: Path, kind: FileKind) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds.

    An existing ``path`` must be a file of ``kind`` the planner wrote (see
    :func:`refuse_unless_replaceable`).
    """
    refuse_unless_replaceable(path, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    recover(path)
    temporary = _claim(path, _TEMPORARY)
    try:
        _reached("file created")
        yield temporary
        _sync(temporary)
        _reached("file written")
        os.replace(temporary, path)
        _reached("file replaced")
        _sync_folder(path.parent)
    finally:
        with suppress(FileNotFoundError):
            temporary.unlink()
        _IN_PROGRESS.discard(_key(temporary))


@contextmanager
def atomic_directory(path: Path, kind: FolderKind) -> Iterator[Path]:
    """Yield a staging folder beside ``path``; swap it in for ``path`` if the block succeeds.

    An existing ``path`` must be empty or an earlier folder of ``kind`` (see
    :func:`refuse_unless_replaceable`), so nothing ever deletes a folder of other files.
    """
    refuse_unless_replaceable(path, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    recover(path)
    staging = _claim(path, _STAGING)
    retired = staging.with_suffix(f".{_RETIRED}")
    _IN_PROGRESS.add(_key(retired))
    try:
        _reached("staging created")
        yield staging
        _sync(staging)
        _reached("staging written")
        _swap(staging, path, retired)
        _sync_folder(path.parent)
        _reached("cleaning up")
    finally:
        # After an exchange the staging name holds the earlier output; after a failure,
        # the unfinished one.
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
        _IN_PROGRESS.difference_update({_key(staging), _key(retired)})


def _swap(staging: Path, path: Path, retired: Path) -> None:
    """Put ``staging`` in place of ``path`` (an exchange where the system has one)."""
    if not os.path.lexists(path):
        os.rename(staging, path)
    elif not _exchange(staging, path):
        # Two renames: a kill between them leaves ``path`` missing and the earlier output
        # whole in ``retired``, which the next write to ``path`` puts back (see recover).
        os.rename(path, retired)
        _reached("old retired")
        try:
            os.rename(staging, path)
        except BaseException:
            os.rename(retired, path)
            raise
    _reached("swapped")


def _exchange(first: Path, second: Path) -> bool:
    """Swap the two names in one step; ``False`` where the system cannot (nothing changed)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                 _RENAME_EXCHANGE) == 0:
        return True
    number = ctypes.get_errno()
    if number in _NO_EXCHANGE:
        return False
    raise OSError(number, os.strerror(number), str(second))


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """The C library's ``renameat2`` (Linux, glibc 2.28 on), or ``None``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _claim(path: Path, role: str) -> Path:
    """Create a new empty file (``tmp``) or folder (``new``) with a name of this write's own."""
    while True:
        candidate = path.with_name(
            f".{path.name}.planner-{os.getpid()}-{secrets.token_hex(4)}.{role}")
        _IN_PROGRESS.add(_key(candidate))
        try:
            if role == _TEMPORARY:
                os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            else:
                os.mkdir(candidate, 0o777)
        except FileExistsError:
            _IN_PROGRESS.discard(_key(candidate))
            continue
        except BaseException:
            _IN_PROGRESS.discard(_key(candidate))
            raise
        return candidate


def _key(path: str | Path) -> str:
    """How :data:`_IN_PROGRESS` names a path: absolute, however it was given."""
    return os.path.abspath(path)


def recover(path: Path) -> None:
    """Tidy up after writers of ``path`` that died: put a retired folder back, drop leftovers.

    Only names this module gives (see the module's docstring) whose writer process is gone
    are touched: a retired folder is renamed back to ``path`` if ``path`` is missing, and
    every other such file or folder is removed.
    """
    pattern = re.compile(rf"\.{re.escape(path.name)}\.planner-(\d+)-[0-9a-f]+\."
                         rf"({_TEMPORARY}|{_STAGING}|{_RETIRED})")
    stale: list[tuple[os.DirEntry[str], str]] = []
    with os.scandir(path.parent) as listing:
        for entry in listing:
            match = pattern.fullmatch(entry.name)
            if match is None or _writer_alive(int(match[1]), entry.path):
                continue
            is_file = entry.is_file(follow_symlinks=False)
            is_folder = entry.is_dir(follow_symlinks=False)
            if (is_file if match[2] == _TEMPORARY else is_folder):
                stale.append((entry, match[2]))
    retired = [entry for entry, role in stale if role == _RETIRED]
    if retired and not os.path.lexists(path):
        newest = max(retired, key=lambda entry: entry.stat(follow_symlinks=False).st_mtime)
        with suppress(OSError):  # another writer may be putting it back at the same time
            os.rename(newest.path, path)
    for entry, role in stale:
        if role == _TEMPORARY:
            with suppress(FileNotFoundError):
                os.unlink(entry.path)
        else:
            shutil.rmtree(entry.path, ignore_errors=True)


def _writer_alive(pid: int, name: str) -> bool:
    """Whether the process that wrote ``name`` may still be writing it."""
    if pid == os.getpid():
        return _key(name) in _IN_PROGRESS
    if os.name != "posix":
        return True  # no harmless way to ask: keep the leftover
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, under another user
    return True


def _sync(path: Path) -> None:
    """Flush a file, or every file of a folder and the folder, to disk before it is moved."""
    if path.is_file():
        _flush(path, os.O_RDONLY)
        return
    for folder, _, files in os.walk(path):
        for name in files:
            _flush(Path(folder, name), os.O_RDONLY)
        _sync_folder(Path(folder))


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk, where the system can."""
    if os.name == "posix":
        _flush(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))


def _flush(path: Path, flags: int) -> None:
    """``fsync`` one file or folder."""
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    except OSError as error:
        # Some file systems cannot flush a folder; the rename is still atomic there.
        if error.errno != errno.EINVAL:
            raise
    finally:
        os.close(descriptor)
