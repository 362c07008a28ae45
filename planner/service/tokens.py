"""Bearer tokens: who may do what through the service.

A token is 32 random bytes, URL-safe, prefixed ``bp_``; the store keeps only its SHA-256
digest, its role and a note. Roles:

- ``viewer`` reads runs, scenarios, jobs, comparisons, revisions and approved plans;
- ``planner`` also uploads scenarios, submits and cancels runs and approves plans;
- ``command-centre`` reads approved plans only (their contracts and changes).
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

from planner.runs.service_tables import Token
from planner.runs.store import RunStore

PREFIX = "bp_"


class Role(StrEnum):
    """What a token may do."""

    VIEWER = "viewer"
    PLANNER = "planner"
    COMMAND_CENTRE = "command-centre"


def digest(token: str) -> str:
    """The SHA-256 digest of a token, as the store keeps it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: RunStore, role: Role, note: str = "") -> tuple[str, Token]:
    """A new token of ``role``: the token itself (shown once) and its stored record."""
    token = PREFIX + secrets.token_urlsafe(32)
    return token, store.add_token(digest(token), role.value, note)


def authenticate(store: RunStore, token: str) -> Token | None:
    """The stored token behind ``token``, unless it is unknown or revoked."""
    if not token.startswith(PREFIX):
        return None
    found = store.token(digest(token))
    return None if found is None or found.revoked is not None else found
