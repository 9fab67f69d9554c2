"""The system adapter: everything driftline needs to know about one ticket system.

An adapter (a YAML file, see :mod:`driftline.systems.load`) declares

- ``health``: the probe a run starts with (a path that answers 200 to an authenticated client);
- ``auth``: ``none``, ``basic`` (``DRIFTLINE_TARGET_USER`` / ``DRIFTLINE_TARGET_PASSWORD``) or
  ``token`` (a variable the adapter names, sent in a header);
- ``ticket``: how a ticket is created (tagged with the run id in its title) and looked up;
- ``stages``: the journey, in order — each with a deadline and how it is observed
  (``response``: an HTTP call, optionally confirmed by a JSON field of the ticket; ``poll``:
  the ticket is fetched until a JSON field says the stage happened; ``query``: SQL on the
  system's own tables, with the ticket id bound as ``:id``, run until a column of its first row
  says the stage happened (needs ``--db``); ``none``: the system does not have the stage, with
  the reason — reported as *not observed*, never as passed);
- ``outcomes``: what the ticket must look like for each ledger outcome (reconciliation);
- ``database``: SQL on the system's own tables — the run's tagged tickets, the 24 h heat maps,
  ticket titles — used when ``--db`` is given — and the critical index the ``index-drop`` drill
  drops (with the stage and the hot query it serves);
- ``queries``: the system's hot queries file (``plan capture/check``).

The types here are plain frozen dataclasses; nothing in this module talks to a system.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Ledger outcomes a journey can end with besides ``failed`` and ``in_flight``.
END_OUTCOMES = ("closed", "reopened")
OBSERVE_KINDS = ("response", "poll", "query", "none")
AUTH_KINDS = ("none", "basic", "token")
USER_ENV = "DRIFTLINE_TARGET_USER"
PASSWORD_ENV = "DRIFTLINE_TARGET_PASSWORD"
#: A plain Locust run reads the system's database URL here (``query`` stages).
DB_ENV = "DRIFTLINE_TARGET_DB"


@dataclass(frozen=True)
class Request:
    """One HTTP call; ``path`` and string values in ``json`` are templates (``{id}``, ``{tag}``,
    ``{phrase}``, ``{description}``, ``{priority}``, ``{customer}``, ``{run_id}``)."""

    method: str
    path: str
    json: Any = None
    expect: tuple[int, ...] = (200, 201)


@dataclass(frozen=True)
class FieldCheck:
    """A condition on one JSON field of the ticket (``a.b`` walks nested objects)."""

    field: str
    equals: str | None = None
    not_in: tuple[str, ...] = ()
    at_least: float | None = None

    def value(self, doc: Any) -> Any:
        return field_value(doc, self.field)

    def holds(self, doc: Any) -> bool:
        value = self.value(doc)
        if value is None or value == "":
            return False
        if self.equals is not None and str(value) != self.equals:
            return False
        if self.not_in and str(value) in self.not_in:
            return False
        if self.at_least is not None:
            try:
                return float(value) >= self.at_least
            except (TypeError, ValueError):
                return False
        return True

    def describe(self) -> str:
        if self.equals is not None:
            return f"{self.field} = {self.equals}"
        if self.at_least is not None:
            return f"{self.field} >= {self.at_least:g}"
        if self.not_in:
            return f"{self.field} not in {', '.join(self.not_in)}"
        return f"{self.field} is set"


@dataclass(frozen=True)
class Latency:
    """Where a stage's latency comes from: ``client`` (the client's clock) or the difference of
    two timestamp fields of the ticket, by the server's clock (``to - from``)."""

    source: str = "client"
    start_field: str | None = None
    end_field: str | None = None


@dataclass(frozen=True)
class Stage:
    name: str
    observe: str  # response | poll | query | none
    deadline_s: float = 10.0
    reason: str = ""  # why a stage is not observed
    request: Request | None = None
    check: FieldCheck | None = None
    sql: str | None = None  # observe kind query: :id is the ticket's id
    latency: Latency = field(default_factory=Latency)
    share: float = 1.0  # probability a journey takes this stage
    required: bool = True  # a failure ends the journey
    outcome: str | None = None  # the ledger outcome a journey that took this stage ends with
    line: int | None = None

    @property
    def observed(self) -> bool:
        return self.observe != "none"


@dataclass(frozen=True)
class Auth:
    kind: str = "none"
    token_env: str | None = None
    header: str = "Authorization"
    scheme: str = "Bearer"

    @property
    def env_names(self) -> tuple[str, ...]:
        if self.kind == "basic":
            return (USER_ENV, PASSWORD_ENV)
        if self.kind == "token" and self.token_env:
            return (self.token_env,)
        return ()


@dataclass(frozen=True)
class CriticalIndex:
    """The index whose loss hurts most: the ``index-drop`` drill drops it.

    ``stage`` is the ``query`` stage whose SQL reads through it (its deadline is calibrated from
    that SQL, timed with and without the index) and ``query`` the hot query of the adapter's
    ``queries`` file it serves (plan check). A full scan shows only on a large table: when the
    table has fewer than ``rows`` rows, ``seed`` (SQL with ``:rows``, per dialect) adds the
    difference, and ``unseed`` removes them again when the drill ends.
    """

    name: str
    table: str
    stage: str | None = None
    query: str | None = None
    rows: Mapping[str, int] = field(default_factory=dict)  # dialect (or "*") → rows
    seed: Mapping[str, str] = field(default_factory=dict)  # dialect → SQL
    unseed: Mapping[str, str] = field(default_factory=dict)
    line: int | None = None

    def for_dialect(self, dialect: str) -> tuple[int, str | None, str | None]:
        """The rows the table needs, the seed SQL and the unseed SQL on ``dialect``."""

        def pick(per: Mapping[str, Any]) -> Any:
            return per.get(dialect, per.get("*"))

        return int(pick(self.rows) or 0), pick(self.seed), pick(self.unseed)


@dataclass(frozen=True)
class Database:
    """SQL on the system's own tables (SQLAlchemy ``:name`` parameters)."""

    tagged: str | None = None  # :pattern → id, then the fields the outcomes check
    heatmap: str | None = None  # → created, first_response, resolved
    titles: str | None = None  # :ids (expanding) → id, title
    critical_index: CriticalIndex | None = None


@dataclass(frozen=True)
class System:
    """A loaded, validated adapter."""

    name: str
    source: str  # the file it came from
    description: str = ""
    locustfile: str | None = None  # None: the generic journey of driftline.systems
    health_path: str = "/healthz"
    auth: Auth = field(default_factory=Auth)
    create: Request | None = None
    ticket_id_field: str = "id"
    get_path: str = "/tickets/{id}"
    stages: tuple[Stage, ...] = ()
    outcomes: Mapping[str, FieldCheck] = field(default_factory=dict)
    database: Database = field(default_factory=Database)
    title_template: str = "[dl-{tag}] {phrase}"
    thresholds: str | None = None  # a thresholds file, relative to the adapter file
    queries: str | None = None  # the hot queries file, relative to the adapter file

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    @property
    def not_observed(self) -> dict[str, str]:
        return {s.name: s.reason for s in self.stages if not s.observed}

    @property
    def deadlines_ms(self) -> dict[str, float]:
        return {s.name: 1000.0 * s.deadline_s for s in self.stages if s.observed}

    @property
    def query_stages(self) -> tuple[Stage, ...]:
        """Stages observed by SQL on the system's database (they need ``--db``)."""
        return tuple(s for s in self.stages if s.observe == "query")

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)


def field_value(doc: Any, path: str) -> Any:
    """``a.b.c`` of nested mappings; None when any step is missing."""
    value = doc
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
