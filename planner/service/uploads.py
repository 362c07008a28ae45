"""Scenarios sent to the service: unpacked safely, checked as a run checks them, and kept.

An upload is a zip of a scenario folder (``scenario.yaml`` at its top, or in its one
top folder, with its tables and any ``variants/``) or one ``.xlsx`` workbook. A zip is
unpacked into a temporary folder member by member, refusing absolute paths, ``..``, links,
more than :data:`MAX_FILES` files and more than :data:`MAX_UNPACKED` bytes in all (counted
as they are written, not as the zip claims), so that no file lands outside the folder and
no small zip fills the disk. The scenario is then checked with
:func:`~planner.scenario.variants.check_study`, the check ``planner validate`` makes; its
problems name the files as they are inside the upload.

What is kept is a zip rebuilt from the files (sorted, fixed times), so the same files give
the same bytes and the same id (a digest of names and contents) however they were zipped.
"""

from __future__ import annotations

import hashlib
import io
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from planner.errors import Problem, ScenarioError, UsageError
from planner.runs.service_tables import StoredScenario, now_text
from planner.runs.store import RunStore
from planner.scenario.read import SCENARIO_FILE
from planner.scenario.variants import check_study

MAX_UPLOAD = 20 * 1024 * 1024
"""Bytes an upload may have as sent."""
MAX_UNPACKED = 200 * 1024 * 1024
"""Bytes a zip may unpack to, all files together."""
MAX_FILES = 2_000
"""Files a zip may hold."""
WORKBOOK = ".xlsx"
MAX_NAME = 200
"""Bytes a file or folder name in an upload may have."""
IGNORED = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
"""Files an operating system leaves in folders, dropped from uploads."""
KEPT_WORKBOOK = "scenario.xlsx"
"""The name an uploaded workbook is kept under: its id depends on its bytes alone."""
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def _refuse(name: str, why: str) -> ScenarioError:
    return ScenarioError([Problem(name, None, None, why)], scenario=name)


def _members(archive: zipfile.ZipFile, name: str) -> list[tuple[zipfile.ZipInfo, str]]:
    """The zip's files with their safe relative paths; raises for anything unsafe."""
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise _refuse(name, f"holds {len(infos):,} entries; at most {MAX_FILES:,} are taken")
    files = []
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        mode = info.external_attr >> 16
        if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
            raise _refuse(name, f"entry '{info.filename}' points outside the scenario folder")
        if stat.S_ISLNK(mode):
            raise _refuse(name, f"entry '{info.filename}' is a link; links are not taken")
        if info.is_dir() or not path.parts or path.parts[0] == "__MACOSX" or (
                path.name in IGNORED):
            continue
        if any(len(part.encode("utf-8")) > MAX_NAME for part in path.parts):
            raise _refuse(name, f"entry '{info.filename[:60]}...' has a name longer than "
                                f"{MAX_NAME} bytes")
        files.append((info, str(path)))
    return files


def _unpack(data: bytes, name: str, into: Path) -> None:
    """Write a zip's files under ``into``, counting the bytes as they come."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _refuse(name, "not a zip file (send a scenario folder zipped, or a .xlsx "
                            "workbook)") from None
    written = 0
    with archive:
        for info, relative in _members(archive, name):
            target = into / relative
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, target.open("xb") as sink:
                    while chunk := source.read(1 << 16):
                        written += len(chunk)
                        if written > MAX_UNPACKED:
                            raise _refuse(name, f"unpacks to more than {MAX_UNPACKED:,} bytes")
                        sink.write(chunk)
            except FileExistsError:
                raise _refuse(name, f"entry '{info.filename}' is there twice, or is both a "
                                    "file and a folder") from None
            except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError,
                    EOFError, zlib.error) as error:
                why = str(error).replace(str(into), "").strip(" :/") or type(error).__name__
                raise _refuse(name, f"entry '{info.filename}' cannot be unpacked: "
                                    f"{why}") from None


def _root(folder: Path, name: str) -> Path:
    """The scenario in an unpacked upload: its folder, or its one workbook."""
    if (folder / SCENARIO_FILE).is_file():
        return folder
    entries = [entry for entry in folder.iterdir() if entry.name not in IGNORED]
    if len(entries) == 1 and entries[0].is_dir() and (entries[0] / SCENARIO_FILE).is_file():
        return entries[0]
    workbooks = [entry for entry in entries if entry.suffix.lower() == WORKBOOK]
    if len(entries) == 1 and workbooks:
        return workbooks[0]
    raise _refuse(name, f"no {SCENARIO_FILE} at the top of the zip (or in its one top "
                        "folder), and not a single workbook")


def _files(root: Path) -> list[tuple[str, bytes]]:
    """Every file of a scenario (a folder's tree, or the workbook), sorted by path."""
    if root.is_file():
        return [(KEPT_WORKBOOK, root.read_bytes())]  # kept by its bytes, not its name
    return [(path.relative_to(root).as_posix(), path.read_bytes())
            for path in sorted(root.rglob("*")) if path.is_file()]


def _zipped(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files:
            archive.writestr(zipfile.ZipInfo(path, _FIXED_TIME), content)
    return buffer.getvalue()


def _identity(files: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for path, content in files:
        digest.update(path.encode("utf-8") + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()[:16]


def _checked(root: Path, folder: Path, source: str) -> StoredScenario:
    """The scenario at ``root`` checked as a run would check it, ready to keep.

    Problems name the files as the upload has them, never the temporary folder.
    """
    try:
        checked = check_study(root)
    except ScenarioError as error:
        def shown(text: str) -> str:
            text = text.replace(f"{folder}/", "").replace(str(folder), source)
            return text.replace(KEPT_WORKBOOK, source) if root.name == KEPT_WORKBOOK else text

        problems = [Problem(shown(problem.source), problem.row, problem.field,
                            shown(problem.message)) for problem in error.problems]
        raise ScenarioError(problems, scenario=source) from None
    files = _files(root)
    return StoredScenario(_identity(files), checked.scenario.meta.name,
                          checked.scenario.content_hash(), source,
                          tuple(checked.study.variants), now_text(), _zipped(files))


def check_upload(filename: str, data: bytes) -> StoredScenario:
    """Check an uploaded zip or workbook as a run would; raises with every problem found.

    Returns the scenario as it would be kept (nothing is kept).
    """
    name = PurePosixPath(filename.replace("\\", "/")).name or "upload"
    if len(data) > MAX_UPLOAD:
        raise _refuse(name, f"is {len(data):,} bytes; at most {MAX_UPLOAD:,} are taken")
    with tempfile.TemporaryDirectory(prefix="planner-upload-") as temporary:
        folder = Path(temporary).resolve()
        if name.lower().endswith(WORKBOOK):
            (folder / KEPT_WORKBOOK).write_bytes(data)
        else:
            _unpack(data, name, folder)
        return _checked(_root(folder, name), folder, name)


def import_upload(store: RunStore, filename: str, data: bytes) -> StoredScenario:
    """Check an uploaded zip or workbook and keep it; raises with every problem found."""
    return store.add_scenario(check_upload(filename, data))


def import_folder(store: RunStore, path: Path) -> StoredScenario:
    """Check a scenario folder (or workbook) on this machine and keep it, as if uploaded."""
    path = path.resolve()
    if not path.exists():
        raise UsageError(f"{path}: no scenario here")
    return store.add_scenario(_checked(path, path.parent, path.name))


@contextmanager
def unpacked(scenario: StoredScenario) -> Iterator[Path]:
    """A kept scenario's files in a temporary folder, for as long as the block runs."""
    with tempfile.TemporaryDirectory(prefix="planner-scenario-") as temporary:
        folder = Path(temporary)
        _unpack(scenario.content, scenario.source, folder)
        yield _root(folder, scenario.source)


def check_request(scenario: StoredScenario, variants: list[str],
                  overrides: dict[str, Any]) -> None:
    """Refuse a run of ``scenario`` whose variants or overrides do not apply.

    Checked before the run is queued. Raises :class:`ScenarioError` (or
    :class:`UsageError`) saying why, naming the scenario, never where it was unpacked.
    """
    from planner.scenario.variants import load_study, variant_names

    unknown = [name for name in variant_names(variants) if name not in scenario.variants]
    if unknown:
        listed = ", ".join(f"'{name}'" for name in unknown)
        known = ", ".join(scenario.variants) or "none"
        raise UsageError(f"{scenario.name}: no variant {listed} (variants: {known})")
    if not variants and not overrides:
        return
    with unpacked(scenario) as path:
        try:
            load_study(path).apply(variants, overrides)
        except ScenarioError as error:
            raise ScenarioError(error.problems, scenario=scenario.name) from None
        except UsageError as error:
            raise UsageError(str(error).replace(str(path), scenario.name)) from None
