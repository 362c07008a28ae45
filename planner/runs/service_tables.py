"""The planning service's own tables in the run store: tokens, uploaded scenarios, jobs.

``tokens`` holds each bearer token's SHA-256 digest (never the token), its role, a note,
when it was made and, once revoked, when. ``scenarios`` holds each uploaded scenario as
the zip of its files (a folder's tree, or one workbook), keyed by the digest of those
files, with its name, the hash of its base scenario and its variants. ``jobs`` holds each
submitted run: what was asked (JSON), its state (``queued``, ``running``, ``succeeded``,
``failed``, ``cancelled``), when it was submitted, started and finished, how far the
solve has got (JSON: seconds, objective, bound, gap), the run it recorded, and an error.

The tables come with store schema version 5; an older store read as it is has none of
them, and reads as having no tokens, scenarios or jobs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SERVICE_TABLES = [
    """CREATE TABLE tokens (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            digest TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            note TEXT NOT NULL,
            created TEXT NOT NULL,
            revoked TEXT
        )""",
    """CREATE TABLE scenarios (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            scenario_hash TEXT NOT NULL,
            source TEXT NOT NULL,
            variants TEXT NOT NULL,
            uploaded TEXT NOT NULL,
            content BLOB NOT NULL
        )""",
    """CREATE TABLE jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            state TEXT NOT NULL,
            submitted TEXT NOT NULL,
            started TEXT,
            finished TEXT,
            request TEXT NOT NULL,
            progress TEXT,
            run_id INTEGER REFERENCES runs (id),
            error TEXT,
            cancel INTEGER NOT NULL DEFAULT 0
        )""",
]
"""The tables of schema version 5, added by migration to older stores. ``jobs.cancel`` is
1 once a person asked the job to stop, 2 once the server stopping did."""

JOB_STATES = ("queued", "running", "succeeded", "failed", "cancelled")
FINISHED = frozenset({"succeeded", "failed", "cancelled"})


def now_text() -> str:
    """The time now, as the service's tables keep it (UTC, ISO, to the second)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Token:
    """A bearer token as stored: never the token itself."""

    id: int
    role: str
    note: str
    created: str
    revoked: str | None


@dataclass(frozen=True)
class StoredScenario:
    """An uploaded scenario: its files as a zip, and what they hold."""

    id: str
    name: str
    scenario_hash: str
    source: str
    """The uploaded file's name, or the folder it was registered from."""
    variants: tuple[str, ...]
    uploaded: str
    content: bytes = b""


@dataclass(frozen=True)
class Job:
    """One submitted run, as far as it has got."""

    id: int
    state: str
    submitted: str
    started: str | None
    finished: str | None
    request: dict[str, Any]
    progress: dict[str, Any] | None
    run_id: int | None
    error: str | None
    cancel: bool

    @property
    def finished_yet(self) -> bool:
        """Whether the job has ended, one way or another."""
        return self.state in FINISHED


class ServiceTables:
    """The run store's methods for the service's tables (mixed into ``RunStore``)."""

    _connection: sqlite3.Connection

    def _transaction(self, mode: str = "IMMEDIATE") -> AbstractContextManager[None]:
        raise NotImplementedError  # the store's own

    def _has_table(self, name: str) -> bool:
        return self._connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone() is not None

    # --- tokens --------------------------------------------------------------------------------

    def add_token(self, digest: str, role: str, note: str) -> Token:
        """Keep a new token's digest and role; returns it as stored."""
        created = now_text()
        with self._transaction():
            cursor = self._connection.execute(
                "INSERT INTO tokens (digest, role, note, created) VALUES (?, ?, ?, ?)",
                (digest, role, note, created))
        assert cursor.lastrowid is not None
        return Token(cursor.lastrowid, role, note, created, None)

    def token(self, digest: str) -> Token | None:
        """The token with ``digest``, revoked or not; ``None`` if there is none."""
        if not self._has_table("tokens"):
            return None
        row = self._connection.execute(
            "SELECT id, role, note, created, revoked FROM tokens WHERE digest = ?", (digest,)
        ).fetchone()
        return None if row is None else Token(*tuple(row))

    def tokens(self) -> list[Token]:
        """Every token, oldest first."""
        if not self._has_table("tokens"):
            return []
        rows = self._connection.execute(
            "SELECT id, role, note, created, revoked FROM tokens ORDER BY id").fetchall()
        return [Token(*tuple(row)) for row in rows]

    def revoke_token(self, token_id: int) -> Token | None:
        """Revoke token ``token_id`` (from now on it is refused); ``None`` if there is none."""
        with self._transaction():
            self._connection.execute(
                "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (now_text(), token_id))
        return next((token for token in self.tokens() if token.id == token_id), None)

    # --- scenarios -----------------------------------------------------------------------------

    def add_scenario(self, scenario: StoredScenario) -> StoredScenario:
        """Keep an uploaded scenario; the same files uploaded again are kept once."""
        with self._transaction():
            self._connection.execute(
                "INSERT OR IGNORE INTO scenarios (id, name, scenario_hash, source, variants, "
                "uploaded, content) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (scenario.id, scenario.name, scenario.scenario_hash, scenario.source,
                 json.dumps(list(scenario.variants)), scenario.uploaded, scenario.content))
        stored = self.scenario(scenario.id, content=False)
        assert stored is not None
        return stored

    def scenario(self, scenario_id: str, *, content: bool = True) -> StoredScenario | None:
        """The uploaded scenario ``scenario_id`` (with its files if ``content``), or ``None``."""
        if not self._has_table("scenarios"):
            return None
        rows = list(self._scenarios("WHERE id = ?", (scenario_id,), content=content))
        return rows[0] if rows else None

    def scenarios(self) -> list[StoredScenario]:
        """Every uploaded scenario, oldest first, without its files."""
        if not self._has_table("scenarios"):
            return []
        return list(self._scenarios("", (), content=False))

    def _scenarios(self, where: str, parameters: tuple[Any, ...], *, content: bool
                   ) -> Iterator[StoredScenario]:
        blob = "content" if content else "x''"
        for row in self._connection.execute(
                "SELECT id, name, scenario_hash, source, variants, uploaded, "
                f"{blob} AS content FROM scenarios {where} ORDER BY uploaded, id",
                parameters):
            yield StoredScenario(row["id"], row["name"], row["scenario_hash"], row["source"],
                                 tuple(json.loads(row["variants"])), row["uploaded"],
                                 bytes(row["content"]))

    # --- jobs ----------------------------------------------------------------------------------

    def add_job(self, request: dict[str, Any]) -> Job:
        """Queue a job asking for ``request``."""
        with self._transaction():
            cursor = self._connection.execute(
                "INSERT INTO jobs (state, submitted, request) VALUES ('queued', ?, ?)",
                (now_text(), json.dumps(request, ensure_ascii=False)))
        assert cursor.lastrowid is not None
        job = self.job(cursor.lastrowid)
        assert job is not None
        return job

    def job(self, job_id: int) -> Job | None:
        """Job ``job_id``, or ``None``."""
        if not self._has_table("jobs"):
            return None
        jobs = self._jobs("WHERE id = ?", (job_id,))
        return jobs[0] if jobs else None

    def jobs(self, state: str | None = None, limit: int = 100) -> list[Job]:
        """The latest ``limit`` jobs, newest first, in ``state`` if given."""
        if not self._has_table("jobs"):
            return []
        where, parameters = ("WHERE state = ?", (state,)) if state else ("", ())
        return self._jobs(f"{where} ORDER BY id DESC LIMIT ?", (*parameters, limit))

    def _jobs(self, tail: str, parameters: tuple[Any, ...]) -> list[Job]:
        rows = self._connection.execute(
            "SELECT id, state, submitted, started, finished, request, progress, run_id, "
            f"error, cancel FROM jobs {tail}", parameters).fetchall()
        return [Job(row["id"], row["state"], row["submitted"], row["started"],
                    row["finished"], json.loads(row["request"]),
                    None if row["progress"] is None else json.loads(row["progress"]),
                    row["run_id"], row["error"], bool(row["cancel"])) for row in rows]

    def start_job(self, job_id: int) -> bool:
        """Mark a queued job running; ``False`` if it is no longer queued (cancelled)."""
        with self._transaction():
            cursor = self._connection.execute(
                "UPDATE jobs SET state = 'running', started = ? WHERE id = ? AND "
                "state = 'queued'", (now_text(), job_id))
        return cursor.rowcount == 1

    def job_progress(self, job_id: int, progress: dict[str, Any]) -> bool:
        """Record how far a running job has got; returns whether it was asked to stop."""
        with self._transaction():
            self._connection.execute("UPDATE jobs SET progress = ? WHERE id = ?",
                                     (json.dumps(progress), job_id))
            row = self._connection.execute("SELECT cancel FROM jobs WHERE id = ?",
                                           (job_id,)).fetchone()
        return bool(row and row["cancel"])

    def job_stop_asked(self, job_id: int) -> int:
        """0, or why the job was asked to stop: 1 by a person, 2 by the server stopping."""
        row = self._connection.execute("SELECT cancel FROM jobs WHERE id = ?",
                                       (job_id,)).fetchone()
        return int(row["cancel"]) if row else 0

    def finish_job(self, job_id: int, state: str, *, run_id: int | None = None,
                   error: str | None = None) -> None:
        """End a job: ``succeeded`` with its run, or ``failed``/``cancelled`` with why."""
        if state not in FINISHED:
            raise ValueError(f"not a finished state: {state}")
        with self._transaction():
            self._connection.execute(
                "UPDATE jobs SET state = ?, finished = ?, run_id = ?, error = ? WHERE id = ?",
                (state, now_text(), run_id, error, job_id))

    def cancel_job(self, job_id: int) -> Job | None:
        """Ask job ``job_id`` to stop.

        A queued job is cancelled at once; a running one stops at the solver's next check
        and keeps the best plan found so far.
        """
        with self._transaction():
            self._connection.execute(
                "UPDATE jobs SET state = 'cancelled', finished = ?, cancel = 1, "
                "error = 'cancelled before it started' WHERE id = ? AND state = 'queued'",
                (now_text(), job_id))
            self._connection.execute(
                "UPDATE jobs SET cancel = 1 WHERE id = ? AND state = 'running'", (job_id,))
        return self.job(job_id)

    def stop_running_jobs(self) -> int:
        """Ask every running job to stop (the server is stopping): each keeps its best plan."""
        if not self._has_table("jobs"):
            return 0
        with self._transaction():
            cursor = self._connection.execute(
                "UPDATE jobs SET cancel = 2 WHERE state = 'running'")
        return cursor.rowcount

    def fail_jobs(self, why: str, *, running: bool) -> int:
        """Mark every queued job failed, and every running one too if ``running``.

        Queued alone: they will not start (the server is stopping). With running: the
        server that had them stopped before they finished.
        """
        if not self._has_table("jobs"):
            return 0
        states = "('queued', 'running')" if running else "('queued')"
        with self._transaction():
            cursor = self._connection.execute(
                f"UPDATE jobs SET state = 'failed', finished = ?, error = ? WHERE state IN "
                f"{states}", (now_text(), why))
        return cursor.rowcount
