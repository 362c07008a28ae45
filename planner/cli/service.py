"""``planner serve`` and ``planner token``: the planning service and who may use it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.app import StorePath, app, console, errors, within
from planner.errors import UsageError

token_app = typer.Typer(help="Bearer tokens for the service: create, list, revoke.",
                        no_args_is_help=True)
app.add_typer(token_app, name="token")

ROLES = ("viewer", "planner", "command-centre")


@app.command()
def serve(
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on; only this machine unless told otherwise.",
        metavar="ADDRESS")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", metavar="PORT",
                                      callback=within(1, 65_535))] = 8000,
    store: StorePath = None,
    scenarios: Annotated[list[Path] | None, typer.Option(
        "--scenario", help="A scenario folder or workbook to offer (repeatable); default: "
        "each folder of ./scenarios.", metavar="PATH")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Worker processes solving runs (default: one per core).",
        metavar="N", callback=within(1))] = None,
) -> None:
    """Serve the planner: a REST API (/api/v1, /openapi.json) over the run store."""
    import uvicorn

    from planner.runs.store import check_store, store_path
    from planner.service.app import create_app

    target = store_path(store)
    check_store(target, create=True)
    offered = list(scenarios or [])
    if scenarios is None and Path("scenarios").is_dir():
        offered = sorted(path for path in Path("scenarios").iterdir()
                         if (path / "scenario.yaml").is_file())
    from planner.scenario.variants import check_study

    for path in offered:
        if not path.exists():
            raise UsageError(f"--scenario {path}: no scenario here")
        check_study(path)  # a scenario offered is one a run can take: else say why, now
    errors.print(f"serving {target} on http://{host}:{port} (Ctrl-C stops)")
    uvicorn.run(create_app(target, workers=workers, scenarios=offered), host=host, port=port,
                log_level="warning")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(
        "--role", help="viewer (reads), planner (also submits and approves) or "
        "command-centre (approved plans only).", metavar="ROLE")],
    note: Annotated[str, typer.Option("--note", help="Whose it is, or what for.",
                                      metavar="TEXT")] = "",
    store: StorePath = None,
) -> None:
    """Create a token: it is printed once, alone, on standard output; the store keeps a hash."""
    from planner.runs.store import RunStore, store_path
    from planner.service.tokens import Role, create_token

    if role not in ROLES:
        raise UsageError(f"--role {role}: expected one of {', '.join(ROLES)}")
    with RunStore(store_path(store)) as runs:
        token, stored = create_token(runs, Role(role), note)
    errors.print(f"token #{stored.id} ({stored.role}) created in {store_path(store)}; it is "
                 "shown only now")
    print(token)


@token_app.command("list")
def token_list(store: StorePath = None) -> None:
    """List the tokens: id, role, note, when created and revoked (never the tokens)."""
    from planner.report.terminal import render_tokens
    from planner.runs.store import RunStore, store_path

    with RunStore(store_path(store), create=False) as runs:
        render_tokens(runs.tokens(), console)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (planner token list).",
                                            metavar="ID")],
    store: StorePath = None,
) -> None:
    """Revoke a token: from now on the service refuses it."""
    from planner.runs.store import RunStore, store_path

    with RunStore(store_path(store), create=False, write=True) as runs:
        revoked = runs.revoke_token(token_id)
    if revoked is None:
        raise UsageError(f"no token #{token_id} in {store_path(store)}")
    console.print(f"token #{revoked.id} ({revoked.role}) revoked {revoked.revoked}",
                  highlight=False)
