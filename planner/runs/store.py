"""The run store: every run kept in one SQLite file, safe for several processes at once.

One row of ``runs`` per run (what went in, how it was solved, its KPIs) and the result
tables as plain SQL tables keyed by ``run_id``, so that command centres can query them
with any SQLite client::

    SELECT section_id, SUM(cost) FROM schedule WHERE run_id = 12 GROUP BY section_id;

``approvals`` holds one row per approved revision of an operation: the run, when, the
note, and the contract exactly as it was issued (``deployments.json``), so that exporting
an approved revision gives the same bytes every time. Rows are only ever added.

Dates are ISO text (``2024-01-01``); ``runs.summary``, ``runs.options`` and
``runs.changes`` are JSON text; ``runs.inputs`` is the resolved scenario as
zlib-compressed JSON. Runs get ids that are never reused and are never changed once
written. The file is opened in WAL mode, so readers do not wait for writers and writers
take turns; keep it on a local disk, as SQLite asks of every database shared this way.

Reading commands open the file read-only (SQLite may still add its ``-wal`` and ``-shm``
files beside a run store, as it needs them to read while another process writes). A
file is changed only once it is known to be a run store, an empty file or no file yet:
anything else (another program's database, a file of other data) is refused untouched.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype

from planner.errors import UsageError
from planner.plan.explain import EXPLANATION_COLUMNS
from planner.plan.plan import MARGINAL_COLUMNS, SCHEDULE_COLUMNS, SHORTFALL_COLUMNS
from planner.runs.records import EVALUATION_COLUMNS, Evaluation, RunRecord
from planner.runs.service_tables import SERVICE_TABLES, ServiceTables

DEFAULT_STORE = Path("planner-runs.sqlite")
STORE_VARIABLE = "PLANNER_STORE"
"""Environment variable naming the store when no path is given."""
STORE_SCHEMA_VERSION = 6
"""Kept in the file's ``PRAGMA user_version``; a newer file is refused, not misread.

Version 2 added ``approvals``, version 3 ``explanations``, version 4 ``runs.description``
(what the variant is), version 5 the service's ``tokens``, ``scenarios`` and ``jobs``,
version 6 ``evaluations`` (plans evaluated on demand scenarios). An
older store is read as it is (its runs have no explanations and no descriptions, a
version 1 store no approvals) and gains what it lacks the first time it is opened for
writing."""
READABLE_VERSIONS = (1, 2, 3, 4, 5, 6)
"""The store schema versions this planner reads."""
BUSY_TIMEOUT = 60.0
"""Seconds to wait for another process's write to finish before giving up."""

DATE_DTYPE = "date"
"""Stands in the stored dtypes for a column of ``datetime.date`` values (ISO text in SQL)."""

LIST_COLUMNS = [
    "id", "created", "scenario_name", "variant", "status", "objective", "coverage_per_cent",
    "scenario_hash",
]
"""The columns of :meth:`RunStore.runs`."""

RESULT_TABLES: dict[str, list[str]] = {
    "schedule": SCHEDULE_COLUMNS,
    "shortfalls": SHORTFALL_COLUMNS,
    "marginal_values": MARGINAL_COLUMNS,
    "explanations": EXPLANATION_COLUMNS,
}
"""The result tables a run keeps, each with the plan's columns."""
_ADDED_TABLES = {"explanations": 3}
"""Result tables added after version 1, with the version that added each."""

_SQL_TYPES = {
    "period": "INTEGER", "running": "INTEGER",
    "quantity": "REAL", "starts": "REAL", "cost": "REAL", "required": "REAL",
    "covered": "REAL", "remote": "REAL", "shortfall": "REAL", "marginal_value": "REAL",
    "measure": "REAL", "bound": "REAL",
}
"""Declared SQL types of the result columns; any other column is TEXT."""

_RUN_COLUMNS = [
    "created", "scenario_name", "scenario_hash", "variant", "changes", "options", "status",
    "objective", "coverage_per_cent", "summary", "inputs", "source", "table_dtypes",
    "description",
]

SQL_INTEGER_MAX = 2**63 - 1
"""The largest integer SQLite keeps: no run id is beyond it."""

_REFERENCE = re.compile(r"#?(?P<id>\d+)|(?:last|latest)(?:-(?P<back>\d+))?")


@dataclass(frozen=True)
class Approval:
    """One approved revision of an operation: which run, when, why, and what was issued."""

    operation: str
    revision: int
    run_id: int
    approved_at: str
    """When, as ISO text in the operation's time zone (as the contract has it)."""
    note: str
    contract_text: str = ""
    """The contract (``deployments.json``) exactly as issued; empty when not asked for."""

    @property
    def contract(self) -> dict[str, Any]:
        """The issued contract as a mapping."""
        loaded: dict[str, Any] = json.loads(self.contract_text)
        return loaded


REVISION_COLUMNS = [
    "operation", "revision", "status", "run_id", "approved_at", "note", "scenario_name",
    "variant", "changes", "objective", "coverage_per_cent",
]
"""The columns of :meth:`RunStore.revisions`."""


_APPROVED = re.compile(r"approved(?:-(?P<revision>\d+))?")


def approved_revision(ref: str) -> int | bool | None:
    """For ``approved`` ``None`` (the latest), for ``approved-N`` N; ``False`` for a run."""
    match = _APPROVED.fullmatch(ref.strip().lower())
    if match is None:
        return False
    return None if match["revision"] is None else int(match["revision"])


def store_path(path: str | Path | None = None) -> Path:
    """The store to use: ``path`` if given, else ``$PLANNER_STORE``, else the default."""
    if path is not None and str(path):
        return Path(path)
    from_environment = os.environ.get(STORE_VARIABLE)
    return Path(from_environment) if from_environment else DEFAULT_STORE


def _schema() -> list[str]:
    statements = [
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created TEXT NOT NULL,
            scenario_name TEXT NOT NULL,
            scenario_hash TEXT NOT NULL,
            variant TEXT,
            changes TEXT NOT NULL,
            options TEXT NOT NULL,
            status TEXT NOT NULL,
            objective REAL,
            coverage_per_cent REAL,
            summary TEXT NOT NULL,
            inputs BLOB NOT NULL,
            source TEXT NOT NULL,
            table_dtypes TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX runs_by_scenario ON runs (scenario_name, id)",
        *_APPROVALS,
    ]
    return [*statements, *(_result_table(name) for name in RESULT_TABLES), *SERVICE_TABLES,
            *_EVALUATIONS]


def _result_table(name: str) -> str:
    """The statement that creates result table ``name``."""
    declared = ",\n            ".join(
        f"{column} {_SQL_TYPES.get(column, 'TEXT')}" for column in RESULT_TABLES[name]
    )
    return f"""CREATE TABLE {name} (
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            {declared},
            PRIMARY KEY (run_id, seq)
        )"""


_ADDED_RUN_COLUMNS = {"description": "TEXT NOT NULL DEFAULT ''"}
"""Columns of ``runs`` added after version 1 (by version 4), with their declarations."""


def _added_since(version: int, run_columns: set[str]) -> list[str]:
    """The statements that bring a store of schema ``version`` up to this planner's.

    Each creates a table or adds a column of ``runs`` (which has ``run_columns``) only
    where it is missing, so a store part of which a later planner already added is
    brought up as well.
    """
    statements = list(_APPROVALS) if version < 2 else []
    statements += [_result_table(name) for name, added in _ADDED_TABLES.items()
                   if added > version]
    statements += list(SERVICE_TABLES) if version < 5 else []
    statements += list(_EVALUATIONS) if version < 6 else []
    statements = [statement.replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1)
                  .replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
                  for statement in statements]
    return statements + [f"ALTER TABLE runs ADD COLUMN {column} {declared}"
                         for column, declared in _ADDED_RUN_COLUMNS.items()
                         if column not in run_columns]


_EVALUATIONS = [
    """CREATE TABLE evaluations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            created TEXT NOT NULL,
            kind TEXT NOT NULL,
            risk TEXT NOT NULL,
            demand TEXT NOT NULL,
            summary TEXT NOT NULL,
            outcomes TEXT NOT NULL
        )""",
    "CREATE INDEX evaluations_by_run ON evaluations (run_id, id)",
]
"""A plan evaluated on demand scenarios: ``kind`` ``robust`` (recorded with a robust run)
or ``evaluate`` (``planner evaluate``); ``demand``, ``summary`` and ``outcomes`` (one
record per scenario and plan) are JSON text."""

_APPROVALS = [
    """CREATE TABLE approvals (
            operation TEXT NOT NULL,
            revision INTEGER NOT NULL,
            run_id INTEGER NOT NULL REFERENCES runs (id),
            approved_at TEXT NOT NULL,
            note TEXT NOT NULL,
            contract TEXT NOT NULL,
            PRIMARY KEY (operation, revision)
        )""",
    "CREATE INDEX approvals_by_run ON approvals (run_id)",
]
"""The table of schema version 2: approved revisions, added by migration to older stores."""


def _read_only_uri(path: Path, *, settled: bool = False) -> str:
    """The URI that opens ``path`` read-only; ``settled`` if no other connection has it open.

    A settled file (no ``-wal`` beside it) is opened as immutable, which reads it without
    creating SQLite's ``-wal`` and ``-shm`` files: looking at someone else's database must
    leave nothing behind.
    """
    return path.absolute().as_uri() + "?mode=ro" + ("&immutable=1" if settled else "")


def check_store(path: Path, *, create: bool) -> bool:
    """Raise :class:`UsageError` unless ``path`` is a run store, or may become one (``create``).

    Nothing is written: the file is only read. Returns whether it already is a run store
    (``False``: no file, an empty file or an empty database, for ``create`` to make one).
    """
    if not path.exists():
        if create:
            return False
        raise UsageError(f"{path}: no run store here (no runs recorded yet, or another "
                         "--store or $PLANNER_STORE was meant)")
    if path.is_dir():
        raise UsageError(f"{path}: cannot open the run store: it is a folder")
    # The file is read through SQLite only, never opened as a plain file: closing any
    # other handle on it would drop every lock this process's connections hold on it
    # (POSIX locks are per process), and a second writer could then corrupt it.
    if not os.access(path, os.R_OK):
        raise UsageError(f"{path}: cannot open the run store: permission denied")
    version, tables = _look_at(path) if path.stat().st_size else (0, set())
    if "runs" in tables and version > STORE_SCHEMA_VERSION:
        raise UsageError(f"{path}: run store schema version {version} is newer than this "
                         f"planner reads ({STORE_SCHEMA_VERSION}); upgrade border-planner")
    expected = {"runs", *(name for name in RESULT_TABLES
                          if _ADDED_TABLES.get(name, 1) <= version)}
    if version in READABLE_VERSIONS and expected <= tables:
        return True
    if version or tables:
        raise UsageError(f"{path}: an SQLite database, but not a run store")
    if not create:
        raise UsageError(f"{path}: no run store here (the file is empty: no runs recorded "
                         "yet)")
    return False


def _look_at(path: Path) -> tuple[int, set[str]]:
    """A database's ``user_version`` and table names, read without changing anything."""
    settled = not Path(f"{path}-wal").exists()
    try:
        connection = sqlite3.connect(_read_only_uri(path, settled=settled), uri=True,
                                     timeout=BUSY_TIMEOUT)
        try:
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        if "not a database" in str(error):
            raise UsageError(f"{path}: not a usable run store: not an SQLite database"
                             ) from error
        raise UsageError(f"{path}: not a usable run store: {error}") from error
    except sqlite3.Error as error:
        raise UsageError(f"{path}: not a usable run store: {error}") from error
    return version, tables


class RunStore(ServiceTables):
    """The runs recorded in one SQLite file: record, list and read them back.

    Opening creates the file (and its folders) if missing, unless ``create`` is false.
    Without ``create`` the store is opened read-only, for reading, unless ``write`` (an
    existing store opened to record an approval): a mistyped path is an error, not a new
    empty store, and a read-only store is not changed. Either way a file that is
    not a run store is refused before anything is written to it. Use it as a context
    manager, or call :meth:`close`.
    """

    def __init__(self, path: str | Path, *, create: bool = True,
                 write: bool | None = None) -> None:
        self.path = Path(path)
        write = create if write is None else write or create
        check_store(self.path, create=create)
        try:
            if write:
                if create:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                self._connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT,
                                                   isolation_level=None)
            else:
                self._connection = sqlite3.connect(_read_only_uri(self.path), uri=True,
                                                   timeout=BUSY_TIMEOUT, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise UsageError(f"{self.path}: cannot open the run store: {error}") from error
        self._connection.row_factory = sqlite3.Row
        try:
            if write:
                self._set_wal()
                self._connection.execute("PRAGMA foreign_keys = ON")
                self._prepare_schema()
        except sqlite3.DatabaseError as error:
            self._connection.close()
            raise UsageError(f"{self.path}: not a usable run store: {error}") from error
        except BaseException:
            self._connection.close()
            raise

    # --- opening -------------------------------------------------------------------------------

    def _set_wal(self) -> None:
        """Switch to WAL, retrying while another process holds the lock the switch needs."""
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                self._connection.execute("PRAGMA journal_mode = WAL").fetchone()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _user_version(self) -> int:
        return int(self._connection.execute("PRAGMA user_version").fetchone()[0])

    def _prepare_schema(self) -> None:
        """Create the tables in a new file, migrate an older store; refuse anything else."""
        if self._user_version() == STORE_SCHEMA_VERSION:
            return
        with self._transaction():
            version = self._user_version()
            if version > STORE_SCHEMA_VERSION:
                raise UsageError(
                    f"{self.path}: run store schema version {version} is newer than this "
                    f"planner reads ({STORE_SCHEMA_VERSION}); upgrade border-planner"
                )
            if version == STORE_SCHEMA_VERSION:
                return  # another process created or migrated it meanwhile
            if version in READABLE_VERSIONS:
                columns = {row[1] for row in self._connection.execute(
                    "PRAGMA table_info(runs)")}
                for statement in _added_since(version, columns):
                    self._connection.execute(statement)
                self._connection.execute(f"PRAGMA user_version = {STORE_SCHEMA_VERSION}")
                return
            tables = self._connection.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
            if tables:
                raise UsageError(f"{self.path}: an SQLite database, but not a run store")
            for statement in _schema():
                self._connection.execute(statement)
            self._connection.execute(f"PRAGMA user_version = {STORE_SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self, mode: str = "IMMEDIATE") -> Iterator[None]:
        """One transaction: committed if the block succeeds, rolled back otherwise.

        ``IMMEDIATE`` takes the write lock at once (waiting up to :data:`BUSY_TIMEOUT`),
        so a writer never fails half-way for want of it; ``DEFERRED`` reads a snapshot.
        """
        self._connection.execute(f"BEGIN {mode}")
        try:
            yield
        except BaseException:
            self._connection.rollback()
            raise
        self._connection.commit()

    def close(self) -> None:
        """Close the file."""
        self._connection.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    # --- writing -------------------------------------------------------------------------------

    def record(self, run: RunRecord) -> RunRecord:
        """Store ``run`` with its tables, all in one transaction; return it with its new id.

        Every call adds a run under a new id, even for a record that already has one (a
        run read from this or another store): nothing stored is ever replaced.
        """
        tables: dict[str, pd.DataFrame] = {"schedule": run.schedule,
                                           "shortfalls": run.shortfalls}
        if run.marginal_values is not None:
            tables["marginal_values"] = run.marginal_values
        if run.explanations is not None:
            tables["explanations"] = run.explanations
        dtypes: dict[str, dict[str, str]] = {}
        rows: dict[str, list[tuple[Any, ...]]] = {}
        for name, frame in tables.items():
            frame = _checked(name, frame)
            dtypes[name] = {column: _dtype_name(frame[column]) for column in RESULT_TABLES[name]}
            rows[name] = _rows(frame)
        values = (
            run.created, run.scenario_name, run.scenario_hash, run.variant,
            json.dumps(list(run.changes), ensure_ascii=False),
            json.dumps(run.options, ensure_ascii=False), run.status, run.objective,
            run.coverage_per_cent, json.dumps(run.summary, ensure_ascii=False),
            zlib.compress(json.dumps(run.inputs, ensure_ascii=False).encode("utf-8")),
            run.source, json.dumps(dtypes), run.description,
        )
        with self._transaction():
            cursor = self._connection.execute(
                f"INSERT INTO runs ({', '.join(_RUN_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_RUN_COLUMNS))})",
                values,
            )
            run_id = cursor.lastrowid
            assert run_id is not None  # an INSERT always sets it
            for name, table_rows in rows.items():
                columns = ["run_id", "seq", *RESULT_TABLES[name]]
                self._connection.executemany(
                    f"INSERT INTO {name} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})",
                    ((run_id, seq, *row) for seq, row in enumerate(table_rows)),
                )
            evaluations = tuple(self._insert_evaluation(replace(each, run_id=run_id, id=None))
                                for each in run.evaluations)
        return replace(run, id=run_id, evaluations=evaluations)

    def add_evaluation(self, evaluation: Evaluation) -> Evaluation:
        """Store an evaluation of a stored run; return it with its new id."""
        run_id = evaluation.run_id
        if run_id is None:
            raise ValueError("an evaluation to store names its run")
        with self._transaction():
            if self._connection.execute("SELECT 1 FROM runs WHERE id = ?",
                                        (run_id,)).fetchone() is None:
                raise self._unknown(run_id)
            return self._insert_evaluation(evaluation)

    def _insert_evaluation(self, evaluation: Evaluation) -> Evaluation:
        outcomes = evaluation.outcomes.to_json(orient="records", double_precision=15)
        cursor = self._connection.execute(
            "INSERT INTO evaluations (run_id, created, kind, risk, demand, summary, outcomes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (evaluation.run_id, evaluation.created, evaluation.kind, evaluation.risk,
             json.dumps(evaluation.demand), json.dumps(evaluation.summary), outcomes))
        return replace(evaluation, id=cursor.lastrowid)

    def evaluations(self, run_id: int) -> list[Evaluation]:
        """The evaluations of run ``run_id``, oldest first (none in a store before 6)."""
        if self._connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'evaluations'"
        ).fetchone() is None:
            return []
        rows = self._connection.execute(
            "SELECT * FROM evaluations WHERE run_id = ? ORDER BY id", (run_id,)).fetchall()
        return [Evaluation(run_id=row["run_id"], kind=row["kind"], risk=row["risk"],
                           demand=json.loads(row["demand"]), summary=json.loads(row["summary"]),
                           outcomes=pd.DataFrame(json.loads(row["outcomes"]),
                                                 columns=EVALUATION_COLUMNS),
                           created=row["created"], id=row["id"]) for row in rows]

    # --- reading -------------------------------------------------------------------------------

    def runs(self, scenario: str | None = None, limit: int | None = None) -> pd.DataFrame:
        """One row per run, oldest first: the last ``limit`` runs, of ``scenario`` if given.

        Columns as :data:`LIST_COLUMNS`; ``variant`` is ``None`` for a base run, as in
        :class:`~planner.runs.records.RunRecord`.
        """
        where, parameters = ("WHERE scenario_name = ?", [scenario]) if scenario else ("", [])
        rows = self._connection.execute(
            f"SELECT {', '.join(LIST_COLUMNS)} FROM runs {where} ORDER BY id DESC LIMIT ?",
            [*parameters, -1 if limit is None else max(limit, 0)],
        ).fetchall()
        frame = pd.DataFrame([tuple(row) for row in reversed(rows)], columns=LIST_COLUMNS,
                             dtype=object)
        return frame.astype({"id": "int64", "created": "str", "scenario_name": "str",
                             "status": "str", "objective": "float64",
                             "coverage_per_cent": "float64", "scenario_hash": "str"})

    def get(self, run_id: int) -> RunRecord:
        """The run stored under ``run_id``, tables and all, as it was recorded."""
        with self._transaction("DEFERRED"):
            row = self._connection.execute(
                "SELECT * FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
            if row is None:
                raise self._unknown(run_id)
            dtypes: dict[str, dict[str, str]] = json.loads(row["table_dtypes"])
            tables = {name: self._table(name, run_id, types) for name, types in dtypes.items()}
        return RunRecord(
            scenario_name=row["scenario_name"],
            scenario_hash=row["scenario_hash"],
            variant=row["variant"],
            changes=tuple(json.loads(row["changes"])),
            options=json.loads(row["options"]),
            status=row["status"],
            objective=row["objective"],
            summary=json.loads(row["summary"]),
            inputs=json.loads(zlib.decompress(row["inputs"]).decode("utf-8")),
            schedule=tables["schedule"],
            shortfalls=tables["shortfalls"],
            marginal_values=tables.get("marginal_values"),
            explanations=tables.get("explanations"),
            id=row["id"],
            created=row["created"],
            source=row["source"],
            # A row of a store before version 4 has no description (a Row is no mapping).
            description=row["description"] if "description" in row.keys() else "",  # noqa: SIM118
            evaluations=tuple(self.evaluations(run_id)),
        )

    # --- approvals -----------------------------------------------------------------------------

    def _has_approvals(self) -> bool:
        """Whether the file has the approvals table (a version 1 store read as it is has not)."""
        return self._connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'approvals'"
        ).fetchone() is not None

    def approvals(self, operation: str | None = None, *, contracts: bool = False,
                  run_id: int | None = None) -> list[Approval]:
        """The approved revisions, of ``operation`` (or of the run ``run_id``) if given.

        Ordered by operation, then revision. ``contracts`` also reads each issued contract.
        """
        if not self._has_approvals():
            return []
        conditions: list[str] = []
        parameters: list[Any] = []
        if operation is not None:
            conditions.append("operation = ?")
            parameters.append(operation)
        if run_id is not None:
            conditions.append("run_id = ?")
            parameters.append(run_id)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        text = "contract" if contracts else "''"
        rows = self._connection.execute(
            f"SELECT operation, revision, run_id, approved_at, note, {text} AS contract "
            f"FROM approvals {where} ORDER BY operation, revision", parameters
        ).fetchall()
        return [Approval(row["operation"], row["revision"], row["run_id"], row["approved_at"],
                         row["note"], row["contract"]) for row in rows]

    def approval(self, operation: str | None, revision: int | None = None) -> Approval:
        """The latest (or the given) approved revision of ``operation``, or of the only one.

        With no ``operation``, the store must hold revisions of one operation only.
        """
        approvals = self.approvals(operation, contracts=True)
        operations = sorted({approval.operation for approval in approvals})
        if not approvals:
            where = f" of {operation}" if operation else ""
            raise UsageError(f"no approved revision{where} in {self.path}: approve a run "
                             "first (planner approve RUN)")
        if len(operations) > 1:
            raise UsageError(f"{self.path} holds approved revisions of {len(operations)} "
                             f"operations ({', '.join(operations)}): say which with "
                             "--operation")
        if revision is None:
            return approvals[-1]
        for approval in approvals:
            if approval.revision == revision:
                return approval
        raise UsageError(f"{operations[0]} has revisions 1 to {approvals[-1].revision}: "
                         f"there is no revision {revision}")

    def add_approval(self, approval: Approval) -> Approval:
        """Record ``approval``, which must be the next revision of its operation.

        Checked inside the write, so two approvals at once cannot both become the same
        revision: the later one is refused and can simply be made again.
        """
        with self._transaction():
            latest = self._connection.execute(
                "SELECT MAX(revision) FROM approvals WHERE operation = ?", (approval.operation,)
            ).fetchone()[0] or 0
            if approval.revision != latest + 1:
                raise UsageError(
                    f"revision {latest} of {approval.operation} was approved meanwhile; "
                    "approve again")
            self._connection.execute(
                "INSERT INTO approvals (operation, revision, run_id, approved_at, note, "
                "contract) VALUES (?, ?, ?, ?, ?, ?)",
                (approval.operation, approval.revision, approval.run_id, approval.approved_at,
                 approval.note, approval.contract_text),
            )
        return approval

    def revisions(self, operation: str | None = None) -> pd.DataFrame:
        """One row per approved revision, with its run's KPIs; columns :data:`REVISION_COLUMNS`.

        ``status`` is ``approved`` for the latest revision of each operation, ``superseded``
        for the others; ``changes`` are the run's overrides (variant, ``--set``, re-plan).
        """
        if not self._has_approvals():
            return pd.DataFrame(columns=REVISION_COLUMNS)
        where, parameters = ("WHERE a.operation = ?", [operation]) if operation else ("", [])
        rows = self._connection.execute(
            "SELECT a.operation, a.revision, CASE WHEN a.revision = (SELECT MAX(revision) "
            "FROM approvals b WHERE b.operation = a.operation) THEN 'approved' ELSE "
            "'superseded' END AS status, a.run_id, a.approved_at, a.note, r.scenario_name, "
            "r.variant, r.changes, r.objective, r.coverage_per_cent FROM approvals a JOIN "
            f"runs r ON r.id = a.run_id {where} ORDER BY a.operation, a.revision", parameters
        ).fetchall()
        frame = pd.DataFrame([tuple(row) for row in rows], columns=REVISION_COLUMNS,
                             dtype=object)
        frame["changes"] = [tuple(json.loads(text)) for text in frame["changes"]]
        return frame

    def resolve(self, ref: str) -> int:
        """The id of a stored run named ``12``, ``#12``, ``last`` (or ``latest``) or ``last-1``."""
        match = _REFERENCE.fullmatch(ref.strip().lower())
        if match is None:
            raise UsageError(
                f"'{ref}' does not name a run: give its number (12 or #12), 'last' or 'last-N'"
            )
        if match["id"] is not None:
            run_id = int(match["id"])
            if run_id > SQL_INTEGER_MAX or self._connection.execute(
                    "SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
                raise self._unknown(run_id)
            return run_id
        back = min(int(match["back"] or 0), SQL_INTEGER_MAX)
        row = self._connection.execute(
            "SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?", (back,)
        ).fetchone()
        if row is not None:
            return int(row["id"])
        count = self._connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        if not count:
            raise UsageError(f"no runs in {self.path} yet")
        noun = "run" if count == 1 else "runs"
        raise UsageError(f"{self.path} holds {count} {noun}: there is no '{ref}'")

    def _unknown(self, run_id: int) -> UsageError:
        return UsageError(f"run {run_id} is not in {self.path}")

    def _table(self, name: str, run_id: int, dtypes: dict[str, str]) -> pd.DataFrame:
        columns = list(dtypes)
        rows = self._connection.execute(
            f"SELECT {', '.join(columns)} FROM {name} WHERE run_id = ? ORDER BY seq", (run_id,)
        ).fetchall()
        frame = pd.DataFrame([tuple(row) for row in rows], columns=columns, dtype=object)
        for column, dtype in dtypes.items():
            if dtype == DATE_DTYPE:
                frame[column] = pd.Series(
                    [None if value is None else date.fromisoformat(value)
                     for value in frame[column]],
                    index=frame.index, dtype=object,
                )
            else:
                frame[column] = frame[column].astype(pandas_dtype(dtype))
        return frame


def _checked(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the columns of table ``name`` in order; any other set is an error."""
    expected = RESULT_TABLES[name]
    if sorted(map(str, frame.columns)) != sorted(expected):
        raise ValueError(
            f"{name}: columns {list(frame.columns)} are not the plan's {expected}"
        )
    return frame[expected]


def _dtype_name(column: pd.Series) -> str:
    """The column's dtype as ``astype`` takes it; ``date`` for a column of dates."""
    if column.dtype == object:
        present = column.dropna()
        if len(present) and all(
            isinstance(value, date) and not isinstance(value, datetime) for value in present
        ):
            return DATE_DTYPE
    return str(column.dtype)


def _rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The frame's rows as plain Python values SQLite takes: dates as ISO text, gaps as NULL."""
    columns: list[Sequence[Any]] = [
        [_sql_value(value) for value in frame[column].tolist()] for column in frame.columns
    ]
    return list(zip(*columns, strict=True))


def _sql_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return _sql_value(value.item())
    return value
