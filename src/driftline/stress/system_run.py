"""How a stress run drives the system under test through its adapter: the Locust options of the
adapter-driven journey, how long Locust may take to stop, and reconciliation (through the
system's database when there is one, else its API)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from driftline.db import make_engine, parse_url
from driftline.stress import rundir
from driftline.stress.reconcile import Reconciliation, db_lookup, db_rows, http_lookup, reconcile
from driftline.systems import credentials
from driftline.systems.model import System

if TYPE_CHECKING:
    from driftline.stress.runner import StressOptions


def reconcile_run(
    run_dir: Path,
    system: System,
    target: str,
    db_url: str | None,
    tag: str,
    creds: credentials.Credentials,
) -> Reconciliation:
    """Account for every ticket: through the system's database when ``db_url`` is given (one
    query; it works when the system itself stopped answering), else through its API."""
    ledger, create_failures = rundir.read_ledger(run_dir)
    outcomes = system.outcomes or None
    if db_url and system.database.tagged:
        rows = db_rows(db_url, system.database.tagged, tag)
        return reconcile(
            ledger,
            db_lookup(rows),
            server_ids=rows,
            create_failures=create_failures,
            outcomes=outcomes,
            source="database",
        )
    server_ids = tagged_ticket_ids(db_url, tag) if db_url else None
    headers = creds.headers(system.auth)
    with httpx.Client(base_url=target, timeout=10.0, headers=headers) as client:
        return reconcile(
            ledger,
            http_lookup(client, system.get_path),
            server_ids=server_ids,
            create_failures=create_failures,
            outcomes=outcomes,
        )


def locust_credentials(
    system: System, creds: credentials.Credentials, db_url: str | None
) -> credentials.Credentials:
    """What the Locust processes are handed (in a 0600 file): the target's credentials, and
    the system's database URL when a stage is observed by a query on it."""
    if system.query_stages and db_url:
        return dataclasses.replace(creds, db=db_url)
    return creds


def stop_timeout(options: StressOptions, system: System) -> float:
    """Long enough for a call in flight at the end to get its answer: a ticket whose create
    answer is lost would be on the server but not in the ledger."""
    if system.locustfile == "refsys":
        return options.stop_timeout_s
    calls = [s.deadline_s for s in system.stages if s.observe == "response"]
    return max([options.stop_timeout_s, *calls])


def system_worker_args(system: System) -> list[str]:
    """What a Locust worker of the adapter-driven journey needs before the master's options
    arrive: the adapter."""
    return ["--system", str(Path(system.source).resolve())]


def system_args(options: StressOptions, system: System, tag: str) -> list[str]:
    """Options of the adapter-driven journey (``driftline.systems.journey``)."""
    return [
        "--system",
        str(Path(system.source).resolve()),
        "--customers",
        str(options.customers),
        "--run-tag",
        tag,
        *options.locust_args,
    ]


def tagged_ticket_ids(db_url: str, tag: str) -> list[str] | None:
    """Ids of the tickets whose title carries the run's tag, read from the database."""
    import sqlalchemy as sa

    engine = make_engine(parse_url(db_url))
    try:
        from reference_system.schema import metadata

        ticket = metadata.tables["ticket"]
        query = sa.select(ticket.c.id).where(ticket.c.title.like(f"[dl-{tag}]%"))
        with engine.connect() as conn:
            return [str(row[0]) for row in conn.execute(query)]
    except (ImportError, KeyError, sa.exc.SQLAlchemyError):
        return None
    finally:
        engine.dispose()
