"""Reading input files within limits: regular files only, bounded in size, and one YAML reader.

A scenario's files may come from anywhere, and a file that looks like a table may be a
named pipe that never ends, a link to ``/dev/zero``, a link to nothing, or a YAML file
nested thousands of levels deep. Everything the loader and the variants read goes through
here, so each such file is refused with a reason, before it is read or while it is read,
and never blocks, exhausts memory or crashes the reader. The limits are documented in the
README's scenario format; realistic scenarios stay far below them.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from planner.errors import Problem

MIB = 1024 * 1024

MAX_FILE_BYTES = 256 * MIB
"""Largest table file (CSV or workbook), and largest part of a workbook once unpacked."""
MAX_UNPACKED_BYTES = 1024 * MIB
"""Most bytes all parts of a workbook unpack to together."""
MAX_YAML_BYTES = 4 * MIB
"""Largest YAML file (``scenario.yaml``, a variant file). YAML parses slowly (some seconds a
MiB), and even a large scenario with its whole forecast written inline stays near one MiB."""
MAX_ROWS = 2_000_000
"""Most rows in one table (CSV file, sheet or inline list), its header not counted."""
MAX_CELLS = 32_000_000
"""Most cells in one table (rows times the width of each), and most values in one YAML
file once its aliases are expanded."""
MAX_YAML_DEPTH = 50
"""Deepest nesting of lists and mappings in a YAML file; a scenario needs about five."""
MAX_YAML_NUMBER_DIGITS = 64
"""Longest integer a YAML file may spell out; longer ones stay text for the schema to judge,
as converting them costs time that grows with the square of their length."""

_FILE_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class RefusedFileError(Exception):
    """A file that cannot or may not be read; ``reason`` says why, for a :class:`Problem`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def size_text(size: int) -> str:
    """A size in bytes as people read it: ``256 MiB``, ``1.5 MiB``, ``812 bytes``."""
    if size < MIB:
        return f"{size:,} bytes"
    return f"{size / MIB:.1f}".removesuffix(".0") + " MiB"


def present(path: Path) -> bool:
    """Whether anything is at ``path``: a file, a folder, or a link, even a broken one."""
    return os.path.lexists(path)


def open_regular(path: Path, limit: int | None = None) -> IO[bytes]:
    """``path`` opened for reading in binary, if it is a regular file of at most ``limit`` bytes.

    ``limit`` defaults to :data:`MAX_FILE_BYTES`.

    Opening never blocks: a named pipe without a writer would wait forever in a plain
    ``open``, so the file is opened without blocking and its kind checked on the open
    descriptor (which is what gets read, whatever the path points to by then).
    Raises :class:`RefusedFileError` naming why not.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise RefusedFileError(_open_failure(path, error)) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise RefusedFileError(_not_regular(status.st_mode) + _link_note(path))
        limit = MAX_FILE_BYTES if limit is None else limit
        if status.st_size > limit:
            raise RefusedFileError(_too_large(status.st_size, limit))
        # Back to blocking reads: a regular file never blocks, and some readers expect it.
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see :func:`open_regular`)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    with open_regular(path, limit) as file:
        data = file.read(limit + 1)
    if len(data) > limit:  # it grew after it was measured
        raise RefusedFileError(_too_large(len(data), limit))
    return data


def bounded_rows(rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
    """The rows of one table, its header first, read to the end unless they pass a limit.

    Raises :class:`RefusedFileError` at the first row past :data:`MAX_ROWS` rows below the
    header, or past :data:`MAX_CELLS` cells, so that a flood of rows stops there.
    """
    kept: list[Sequence[Any]] = []
    cells = 0
    for row in rows:
        cells += len(row)
        if len(kept) > MAX_ROWS:
            raise RefusedFileError(f"has more than {MAX_ROWS:,} rows, the limit for one table")
        if cells > MAX_CELLS:
            raise RefusedFileError(f"has more than {MAX_CELLS:,} cells, the limit for one table")
        kept.append(row)
    return kept


def _too_large(size: int, limit: int) -> str:
    """Why a file of ``size`` bytes is refused under ``limit``."""
    return f"is {size_text(size)}, more than the limit of {size_text(limit)}"


def _open_failure(path: Path, error: OSError) -> str:
    """Why opening ``path`` failed, in the words of someone looking at the folder."""
    if error.errno == errno.ELOOP:
        return "is a symbolic link loop"
    if isinstance(error, FileNotFoundError):
        if path.is_symlink():
            return f"is a link to {os.readlink(path)}, which does not exist"
        return "file is missing"
    if isinstance(error, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(error, PermissionError):
        return "cannot be read: permission denied"
    return f"cannot be read: {error.strerror or error}"


def _not_regular(mode: int) -> str:
    """What a file that is not a regular one is, for a problem."""
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    kind = next((name for test, name in _FILE_KINDS if test(mode)), None)
    return f"is {kind}, not a regular file" if kind else "is not a regular file"


def _link_note(path: Path) -> str:
    """`` (a link to X)`` if ``path`` is a symbolic link, so the user sees where it leads."""
    return f" (it is a link to {os.readlink(path)})" if path.is_symlink() else ""


# --- YAML ---------------------------------------------------------------------------------

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"


class _LimitError(Exception):
    """A YAML file past one of the reader's limits (not malformed: too much of it)."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.line: int | None = mark.line + 1 if mark is not None else None


class ScenarioYamlLoader(yaml.SafeLoader):
    """The one YAML reader of scenarios and variants: safe, strict and bounded.

    Beyond :class:`yaml.SafeLoader`, it

    - keeps dates as text: ``2024-02-30`` would otherwise fail inside the YAML library;
      as text it reaches the schema, whose problem then names the key;
    - records every key that appears twice in one mapping, with both lines (the library
      silently keeps the last);
    - refuses nesting deeper than :data:`MAX_YAML_DEPTH` and documents that hold more than
      :data:`MAX_CELLS` values once aliases are expanded (a few lines of aliases can
      otherwise stand for billions of values), and aliases that contain themselves;
    - keeps integers longer than :data:`MAX_YAML_NUMBER_DIGITS` characters as text.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int, int]] = []
        """``(dotted key, line, first line)`` of every repeated key (lines count from 1)."""
        self._path: list[str] = []
        self._sizes: dict[int, int] = {}
        """Values under each composed node, aliases expanded, by the node's ``id``."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose one node, bounding depth and expanded size, and noting its path."""
        event = self.peek_event()
        if len(self._path) >= MAX_YAML_DEPTH:
            raise _LimitError(f"lists and mappings are nested more than {MAX_YAML_DEPTH} "
                              "levels deep, the limit", event.start_mark)
        if isinstance(event, yaml.AliasEvent) and event.anchor in self.anchors:
            target = self.anchors[event.anchor]
            if id(target) not in self._sizes:
                raise _LimitError(f"alias *{event.anchor} refers to a list or mapping that "
                                  "contains it", event.start_mark)
        self._path.append(_segment(index))
        try:
            node = super().compose_node(parent, index)
        finally:
            self._path.pop()
        if node is not None and id(node) not in self._sizes:
            self._sizes[id(node)] = 1 + sum(self._sizes[id(child)] for child in _children(node))
            if self._sizes[id(node)] > MAX_CELLS:
                raise _LimitError(f"holds more than {MAX_CELLS:,} values once its aliases "
                                  "are expanded, the limit", node.start_mark)
        return node

    def compose_mapping_node(self, anchor: Any) -> MappingNode:
        """Compose a mapping, noting each key it repeats."""
        node = super().compose_mapping_node(anchor)
        first_lines: dict[tuple[str, str], int] = {}
        for key, _ in node.value:
            if not isinstance(key, ScalarNode) or key.tag == _MERGE:
                continue  # a merge (<<) may override keys: that is what it is for
            line = key.start_mark.line + 1
            identity = (key.tag, str(key.value))
            if identity in first_lines:
                self.duplicates.append((_dotted([*self._path, str(key.value)]), line,
                                        first_lines[identity]))
            else:
                first_lines[identity] = line
        return node


ScenarioYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _date_text(loader: ScenarioYamlLoader, node: ScalarNode) -> str:
    """A date (even one tagged ``!!timestamp``) as the text it was written in."""
    return str(loader.construct_scalar(node))


def _integer(loader: ScenarioYamlLoader, node: ScalarNode) -> int | str:
    """An integer, or its text when it is too long to convert cheaply."""
    if len(str(node.value)) > MAX_YAML_NUMBER_DIGITS:
        return str(node.value)
    return loader.construct_yaml_int(node)


ScenarioYamlLoader.add_constructor(_TIMESTAMP, _date_text)
ScenarioYamlLoader.add_constructor("tag:yaml.org,2002:int", _integer)


def _segment(index: Any) -> str:
    """A node's place in its parent: the key of a mapping value, ``[n]`` in a list."""
    if isinstance(index, ScalarNode):
        return str(index.value)
    if isinstance(index, int):
        return f"[{index + 1}]"
    return ""


def _dotted(path: list[str]) -> str:
    """``horizon.start``, ``forecast[2].period``: a key's path as a user names it."""
    text = ""
    for part in path:
        if not part:
            continue
        text += part if part.startswith("[") or not text else f".{part}"
    return text


def _children(node: Node) -> list[Node]:
    """The nodes directly under ``node``: a list's items, a mapping's keys and values."""
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def parse_yaml(text: str, source: str) -> tuple[Any, list[Problem]]:
    """The document in YAML ``text``, and every problem reading it; ``None`` if unreadable.

    A document with repeated keys is still returned (the last value of each key wins), so
    its other problems can be found too.
    """
    loader: ScenarioYamlLoader | None = None
    try:
        loader = ScenarioYamlLoader(text)  # checks the characters at once
        document = loader.get_single_data()
    except _LimitError as error:
        return None, [Problem(source, error.line, None, error.message)]
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        return None, [Problem(source, line, None, f"malformed YAML: {error.reason} "
                              f"(character U+{int(error.character):04X})")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        return None, [Problem(source, row, None, f"malformed YAML: {reason}")]
    except RecursionError:
        return None, [Problem(source, None, None, "nested too deeply to read")]
    finally:
        if loader is not None:
            loader.dispose()
    return document, [
        Problem(source, line, key, f"key appears twice (first at row {first})")
        for key, line, first in loader.duplicates
    ]


def read_yaml(path: Path, source: str) -> tuple[Any, list[Problem]]:
    """The document in the YAML file at ``path``, and every problem reading it.

    ``source`` names the file in problems. The document is ``None`` if the file could not
    be read at all (a problem says why).
    """
    try:
        data = read_regular(path, MAX_YAML_BYTES)
    except RefusedFileError as refused:
        return None, [Problem(source, None, None, refused.reason)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, [Problem(source, None, None, "not UTF-8 text")]
    return parse_yaml(text, source)


# --- workbooks ----------------------------------------------------------------------------

_ROOT_TAG = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")
_TAG_ENDS = (b" ", b"\t", b"\r", b"\n", b">", b"/")
_CHUNK = 4 * MIB


def sheet_size_problem(rows: int | None, columns: int | None) -> str | None:
    """Why a sheet that declares ``rows`` by ``columns`` cells is refused, if it is.

    A reader pads every row to the declared width and fills declared rows that are not
    there, so a sheet claiming ``A1:XFD1048576`` (17 billion cells) would hang it before
    a single value is read.
    """
    if rows is not None and rows - 1 > MAX_ROWS:
        return (f"declares {rows - 1:,} rows below its header, more than the limit of "
                f"{MAX_ROWS:,} for one table")
    if rows is not None and columns is not None and rows * columns > MAX_CELLS:
        return (f"declares {rows:,} rows of {columns:,} columns, more than the limit of "
                f"{MAX_CELLS:,} cells for one table")
    return None


class WorkbookArchive:
    """A workbook's zip archive, checked against the limits before anything else reads it.

    Every part must unpack to at most :data:`MAX_FILE_BYTES` and all together to at most
    :data:`MAX_UNPACKED_BYTES` (the sizes a zip declares bound what it unpacks to: reading
    past them fails its check), and each sheet may hold at most :data:`MAX_ROWS` rows and
    :data:`MAX_CELLS` cells. Sheets are counted by scanning their bytes, which is quick,
    since the spreadsheet reader parses a whole sheet when it lacks a size declaration.
    Raises :class:`RefusedFileError` naming the part and the limit, or
    :class:`zipfile.BadZipFile` if the file is not a zip archive.
    """

    def __init__(self, file: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(file)
        self.formula_parts: set[str] = set()
        """Sheet parts with at least one formula in them."""
        try:
            self._check()
        except BaseException:
            self._zip.close()
            raise

    def _check(self) -> None:
        """Refuse the archive if a part, all parts or a sheet's rows pass their limit."""
        parts = self._zip.infolist()
        for info in parts:
            if info.file_size > MAX_FILE_BYTES:
                raise RefusedFileError(f"holds the part {info.filename}, which unpacks to "
                                       f"{size_text(info.file_size)}, more than the limit "
                                       f"of {size_text(MAX_FILE_BYTES)}")
        total = sum(info.file_size for info in parts)
        if total > MAX_UNPACKED_BYTES:
            raise RefusedFileError(f"unpacks to {size_text(total)}, more than the limit of "
                                   f"{size_text(MAX_UNPACKED_BYTES)}")
        for info in parts:
            name = info.filename.lower()
            if "worksheets/" in name and name.endswith(".xml"):
                rows, cells, formulas = self._count(info.filename)
                if rows > MAX_ROWS + 1:
                    raise RefusedFileError(f"has a sheet ({info.filename}) of more than "
                                           f"{MAX_ROWS:,} rows, the limit for one table")
                if cells > MAX_CELLS:
                    raise RefusedFileError(f"has a sheet ({info.filename}) of more than "
                                           f"{MAX_CELLS:,} cells, the limit for one table")
                if formulas:
                    self.formula_parts.add(info.filename)

    def _count(self, part: str) -> tuple[int, int, int]:
        """Rows, cells and formulas in a sheet part, counted by their opening tags."""
        counts = [0, 0, 0]
        opening: bytes | None = None
        for chunk in self._tag_chunks(part):
            if opening is None:
                root = _ROOT_TAG.search(chunk)
                opening = b"<" + (root.group(1) + b":" if root and root.group(1) else b"")
            for position, name in enumerate((b"row", b"c", b"f")):
                tag = opening + name
                counts[position] += sum(chunk.count(tag + end) for end in _TAG_ENDS)
        return counts[0], counts[1], counts[2]

    def _tag_chunks(self, part: str) -> Iterator[bytes]:
        """A part's bytes in pieces that each end just before a ``<``: no tag is split."""
        carry = b""
        with self._zip.open(part) as source:
            while data := source.read(_CHUNK):
                data = carry + data
                cut = data.rfind(b"<")
                if cut <= 0:
                    carry = b""
                    yield data
                    continue
                carry = data[cut:]
                yield data[:cut]
        if carry:
            yield carry

    def uncomputed_formulas(self, part: str) -> list[tuple[int, int]]:
        """``(row, column)`` of each formula cell in a sheet part that has no saved value.

        A spreadsheet saves each formula's last result beside it; a file written by a
        program that does not compute formulas has none, and the cell then reads as empty.
        """
        found: list[tuple[int, int]] = []
        row = column = 0
        with self._zip.open(part.lstrip("/")) as source:
            for event, element in ElementTree.iterparse(source, events=("start", "end")):
                name = element.tag.rpartition("}")[2]
                if event == "start":
                    if name == "row":
                        row, column = _number(element.get("r"), row + 1), 0
                    continue
                if name == "c":
                    column = _column(element.get("r"), column + 1)
                    parts = {child.tag.rpartition("}")[2]: child for child in element}
                    saved = parts.get("v")
                    if "f" in parts and (saved is None or not saved.text):
                        found.append((row, column))
                    element.clear()
                elif name == "row":
                    element.clear()
        return found

    def close(self) -> None:
        """Close the archive (not the file it was read from)."""
        self._zip.close()


def _number(text: str | None, default: int) -> int:
    """A row number written in a sheet (``r="12"``), or ``default`` where there is none."""
    return int(text) if text is not None and text.isascii() and text.isdigit() else default


_REFERENCE = re.compile(r"([A-Za-z]{1,3})[0-9]*")


def _column(reference: str | None, default: int) -> int:
    """The column number of a cell reference such as ``B12`` (``A`` is 1)."""
    match = _REFERENCE.fullmatch(reference or "")
    if match is None:
        return default
    number = 0
    for letter in match.group(1).upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
