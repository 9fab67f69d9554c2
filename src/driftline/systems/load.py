"""Read a system adapter file safely: every mistake is one line naming ``file:line``.

``load_system("rt")`` reads a shipped adapter (``driftline/systems/builtin/rt.yaml``);
``load_system("my-system.yaml")`` a user's file. An unknown key gets a "did you mean", a
missing part names what is missing, and a stage the journey cannot observe (a poll without a
field, a response without a request, half a latency) says why — all as
:class:`~driftline.errors.InputFileError` (exit 2).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

from driftline.errors import InputFileError, UsageError
from driftline.systems.model import (
    AUTH_KINDS,
    END_OUTCOMES,
    OBSERVE_KINDS,
    Auth,
    CriticalIndex,
    Database,
    FieldCheck,
    Latency,
    Request,
    Stage,
    System,
)
from driftline.yamlfile import YamlDoc, check_header, load_yaml, parse_yaml

BUILTIN_DIR = Path(__file__).resolve().with_name("builtin")
DEFAULT_SYSTEM = "refsys"

TOP_KEYS = (
    "driftline",
    "kind",
    "name",
    "description",
    "locustfile",
    "thresholds",
    "queries",
    "health",
    "auth",
    "ticket",
    "stages",
    "outcomes",
    "database",
)
HEALTH_KEYS = ("path",)
AUTH_KEYS = ("kind", "token_env", "header", "scheme")
TICKET_KEYS = ("create", "id", "get", "title")
REQUEST_KEYS = ("method", "path", "json", "expect")
STAGE_KEYS = ("name", "deadline_s", "observe", "request", "share", "required", "outcome")
OBSERVE_KEYS = ("kind", "field", "equals", "not_in", "at_least", "latency", "reason", "sql")
LATENCY_KEYS = ("from", "to")
CHECK_KEYS = ("field", "equals", "not_in", "at_least")
DATABASE_KEYS = ("tagged", "heatmap", "titles", "critical_index")
INDEX_KEYS = ("name", "table", "stage", "query", "rows", "seed", "unseed")
#: The ticket id's bind parameter in a query stage's SQL.
ID_PARAM = re.compile(r"(?<![:\w]):id\b")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DIALECTS = ("postgresql", "mysql", "sqlite")

Path_ = tuple[Hashable, ...]


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml") if p.stem.isidentifier())


def resolve(name_or_file: str | Path | None) -> Path:
    """The adapter file for a shipped name (``refsys``, ``rt``) or a path."""
    text = str(name_or_file or DEFAULT_SYSTEM)
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise InputFileError(path, "no such system adapter file")
        return path
    if text not in builtin_names():
        raise UsageError.unknown("system", text, builtin_names())
    return BUILTIN_DIR / f"{text}.yaml"


def load_system(name_or_file: str | Path | None = None) -> System:
    """Load and validate an adapter by shipped name or file path."""
    return validate(load_yaml(resolve(name_or_file)))


def parse_system(text: str, path: str = "<system>") -> System:
    return validate(parse_yaml(text, path))


class _Reader:
    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc

    def fail(self, message: str, *where: Hashable) -> InputFileError:
        return self.doc.error(message, *where)

    def mapping(self, value: Any, keys: Iterable[str], what: str, *where: Hashable) -> dict:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a mapping", *where)
        for key in value:
            if key not in keys:
                raise self.fail(
                    UsageError.unknown(f"key in {what}", str(key), keys).message, *where, key
                )
        return value

    def text(self, value: Any, what: str, *where: Hashable, required: bool = True) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{what} must be a non-empty string", *where)
        return value

    def number(self, value: Any, what: str, *where: Hashable, ratio: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(f"{what} must be a number of zero or more, not {value!r}", *where)
        if ratio and value > 1:
            raise self.fail(f"{what} must be between 0 and 1, not {value}", *where)
        return float(value)

    def need(self, data: dict, key: str, what: str, *where: Hashable) -> Any:
        if data.get(key) is None:
            raise self.fail(f"{what} is missing '{key}'", *where)
        return data[key]


def validate(doc: YamlDoc) -> System:
    r = _Reader(doc)
    data = check_header(doc, "system")
    r.mapping(data, TOP_KEYS, "the system adapter")
    name = r.text(r.need(data, "name", "the system adapter"), "name", "name")
    description = str(data.get("description") or "")
    locustfile = r.text(data.get("locustfile"), "locustfile", "locustfile", required=False)
    health = r.mapping(
        r.need(data, "health", "the system adapter"), HEALTH_KEYS, "health", "health"
    )
    health_path = _path(r, r.need(health, "path", "health", "health"), "health", "path")
    auth = _auth(r, data.get("auth") or {"kind": "none"})
    ticket = r.mapping(
        r.need(data, "ticket", "the system adapter"), TICKET_KEYS, "ticket", "ticket"
    )
    create = None
    if locustfile is None:
        create = _request(r, r.need(ticket, "create", "ticket", "ticket"), "ticket", "create")
    get = r.mapping(
        r.need(ticket, "get", "ticket", "ticket"), ("path",), "ticket.get", "ticket", "get"
    )
    get_path = _path(r, r.need(get, "path", "ticket.get", "ticket", "get"), "ticket", "get", "path")
    stages = _stages(r, r.need(data, "stages", "the system adapter"), generic=locustfile is None)
    outcomes = _outcomes(r, data.get("outcomes") or {}, stages)
    database = _database(r, data.get("database") or {}, stages)
    return System(
        name=name or "",
        source=doc.path,
        description=description,
        locustfile=locustfile,
        health_path=health_path,
        auth=auth,
        create=create,
        ticket_id_field=str(ticket.get("id") or "id"),
        get_path=get_path,
        stages=stages,
        outcomes=outcomes,
        database=database,
        title_template=str(ticket.get("title") or "[dl-{tag}] {phrase}"),
        thresholds=r.text(data.get("thresholds"), "thresholds", "thresholds", required=False),
        queries=r.text(data.get("queries"), "queries", "queries", required=False),
    )


def check_database(system: System, db_url: str | None) -> None:
    """A run of ``system`` without a database cannot take its ``query`` stages: one line naming
    the adapter file and the stage's line (exit 2)."""
    stages = system.query_stages
    if db_url or not stages:
        return
    stage = stages[0]
    raise InputFileError(
        system.source,
        f"stage '{stage.name}' is observed by a database query: pass --db URL "
        "(the system's own database)",
        stage.line,
    )


def _path(r: _Reader, value: Any, *where: Hashable) -> str:
    text = r.text(value, ".".join(map(str, where)), *where) or ""
    if not text.startswith("/"):
        raise r.fail(f"{'.'.join(map(str, where))} must start with '/', not {text!r}", *where)
    return text


def _auth(r: _Reader, value: Any) -> Auth:
    data = r.mapping(value, AUTH_KEYS, "auth", "auth")
    kind = str(data.get("kind") or "none")
    if kind not in AUTH_KINDS:
        raise r.fail(UsageError.unknown("auth kind", kind, AUTH_KINDS).message, "auth", "kind")
    token_env = r.text(data.get("token_env"), "auth.token_env", "auth", "token_env", required=False)
    if kind == "token" and not token_env:
        raise r.fail("auth kind 'token' is missing 'token_env' (the variable holding it)", "auth")
    return Auth(
        kind=kind,
        token_env=token_env,
        header=str(data.get("header") or "Authorization"),
        scheme=str(data.get("scheme") if data.get("scheme") is not None else "Bearer"),
    )


def _request(r: _Reader, value: Any, *where: Hashable) -> Request:
    what = ".".join(map(str, where))
    data = r.mapping(value, REQUEST_KEYS, what, *where)
    method = str(data.get("method") or "GET").upper()
    if method not in METHODS:
        raise r.fail(UsageError.unknown("HTTP method", method, METHODS).message, *where, "method")
    path = _path(r, r.need(data, "path", what, *where), *where, "path")
    expect = data.get("expect", [200, 201])
    expect = [expect] if isinstance(expect, int) else expect
    if not isinstance(expect, list) or not all(
        isinstance(x, int) and 100 <= x < 600 for x in expect
    ):
        raise r.fail(f"{what}.expect must be HTTP status codes", *where, "expect")
    return Request(method, path, data.get("json"), tuple(expect))


def _check(r: _Reader, data: dict, what: str, *where: Hashable) -> FieldCheck:
    field = r.text(r.need(data, "field", what, *where), f"{what}.field", *where, "field") or ""
    not_in = data.get("not_in") or []
    if not isinstance(not_in, list):
        raise r.fail(f"{what}.not_in must be a list", *where, "not_in")
    at_least = data.get("at_least")
    if at_least is not None:
        at_least = r.number(at_least, f"{what}.at_least", *where, "at_least")
    equals = data.get("equals")
    return FieldCheck(
        field, None if equals is None else str(equals), tuple(map(str, not_in)), at_least
    )


def _stages(r: _Reader, value: Any, *, generic: bool) -> tuple[Stage, ...]:
    if not isinstance(value, list) or not value:
        raise r.fail("stages must be a non-empty list of stages", "stages")
    stages: list[Stage] = []
    for i, item in enumerate(value):
        where: Path_ = ("stages", i)
        data = r.mapping(item, STAGE_KEYS, f"stage {i + 1}", *where)
        name = r.text(r.need(data, "name", f"stage {i + 1}", *where), "stage name", *where, "name")
        if name in (s.name for s in stages):
            raise r.fail(f"stage '{name}' is listed twice", *where, "name")
        what = f"stage '{name}'"
        observe = r.mapping(
            r.need(data, "observe", what, *where),
            OBSERVE_KEYS,
            f"{what} observe",
            *where,
            "observe",
        )
        ow = (*where, "observe")
        kind = str(observe.get("kind") or "")
        if kind not in OBSERVE_KINDS:
            raise r.fail(
                UsageError.unknown(f"observe kind of {what}", kind, OBSERVE_KINDS).message,
                *ow,
                "kind",
            )
        request = None
        if data.get("request") is not None:
            request = _request(r, data["request"], *where, "request")
        check = _check(r, observe, f"{what} observe", *ow) if "field" in observe else None
        latency = _latency(r, observe.get("latency"), what, *ow, "latency")
        reason = str(observe.get("reason") or "")
        sql = r.text(observe.get("sql"), f"{what} observe.sql", *ow, "sql", required=False)
        cannot = _unobservable(kind, i, request, check, latency, reason, generic, sql)
        if cannot:
            raise r.fail(f"{what} cannot be observed: {cannot}", *ow)
        if kind == "query" and check is not None:  # column names are matched in lower case
            check = dataclasses.replace(check, field=check.field.lower())
        outcome = data.get("outcome")
        if outcome is not None and outcome not in END_OUTCOMES:
            raise r.fail(
                UsageError.unknown(f"outcome of {what}", str(outcome), END_OUTCOMES).message,
                *where,
                "outcome",
            )
        stages.append(
            Stage(
                name=name,
                observe=kind,
                deadline_s=r.number(
                    data.get("deadline_s", 10), f"{what} deadline_s", *where, "deadline_s"
                ),
                reason=reason,
                request=request,
                check=check,
                sql=sql,
                latency=latency,
                share=r.number(
                    data.get("share", 1.0), f"{what} share", *where, "share", ratio=True
                ),
                required=bool(data.get("required", True)),
                outcome=outcome,
                line=r.doc.line(*where),
            )
        )
    if not stages[0].observed:
        raise r.fail("the first stage creates the ticket and must be observed", "stages", 0)
    return tuple(stages)


def _latency(r: _Reader, value: Any, what: str, *where: Hashable) -> Latency:
    if value is None or value == "client":
        return Latency()
    data = r.mapping(value, LATENCY_KEYS, f"{what} latency", *where)
    start, end = data.get("from"), data.get("to")
    if not start or not end:
        raise r.fail(f"{what} cannot be observed: latency needs both 'from' and 'to'", *where)
    return Latency("fields", str(start), str(end))


def _unobservable(
    kind: str,
    index: int,
    request: Request | None,
    check: FieldCheck | None,
    latency: Latency,
    reason: str,
    generic: bool,
    sql: str | None = None,
) -> str:
    """Why a stage cannot be observed, or ''."""
    if kind == "none":
        return "" if reason else "a stage the system lacks needs a 'reason'"
    if reason:
        return "'reason' is only for stages the system lacks (kind: none)"
    if sql is not None and kind != "query":
        return "'sql' is only for stages observed by a database query (kind: query)"
    if kind == "query":
        if index == 0:
            return "the first stage creates the ticket; a query cannot observe that"
        if sql is None:
            return "a query needs 'sql' on the system's tables"
        if not ID_PARAM.search(sql):
            return "a query's sql must bind the ticket id as :id"
        if check is None:
            return "a query needs a 'field' (a column of its first row) that says it happened"
        if latency.source != "client":
            return "a query is timed by the client; field latency needs kind 'poll'"
    if not generic:
        return ""  # a locustfile of its own observes it
    if kind == "poll" and check is None:
        return "a poll needs a 'field' that says the stage happened"
    if kind == "response" and request is None and index > 0:
        return "a response needs a 'request' to time"
    if kind == "response" and latency.source != "client":
        return "a response is timed by the client; field latency needs kind 'poll'"
    return ""


def _outcomes(r: _Reader, value: Any, stages: tuple[Stage, ...]) -> dict[str, FieldCheck]:
    data = r.mapping(value, END_OUTCOMES, "outcomes", "outcomes")
    result = {}
    for key, item in data.items():
        where = ("outcomes", key)
        result[key] = _check(r, r.mapping(item, CHECK_KEYS, f"outcomes.{key}", *where), key, *where)
    return result


def _database(r: _Reader, value: Any, stages: tuple[Stage, ...]) -> Database:
    data = r.mapping(value, DATABASE_KEYS, "database", "database")
    texts = {
        k: r.text(data.get(k), f"database.{k}", "database", k, required=False)
        for k in DATABASE_KEYS
        if k != "critical_index"
    }
    index = None
    if data.get("critical_index") is not None:
        index = _critical_index(r, data["critical_index"], stages)
    return Database(**texts, critical_index=index)


def _critical_index(r: _Reader, value: Any, stages: tuple[Stage, ...]) -> CriticalIndex:
    where: Path_ = ("database", "critical_index")
    what = "database.critical_index"
    data = r.mapping(value, INDEX_KEYS, what, *where)
    name = r.text(r.need(data, "name", what, *where), f"{what}.name", *where, "name") or ""
    table = r.text(r.need(data, "table", what, *where), f"{what}.table", *where, "table") or ""
    stage = r.text(data.get("stage"), f"{what}.stage", *where, "stage", required=False)
    if stage is not None:
        known = {s.name: s for s in stages}
        if stage not in known:
            raise r.fail(
                UsageError.unknown(f"stage of {what}", stage, known).message, *where, "stage"
            )
        if known[stage].observe != "query":
            raise r.fail(
                f"{what}.stage '{stage}' must be observed by a query (kind: query): the drill "
                "times its SQL with and without the index",
                *where,
                "stage",
            )
    rows = data.get("rows", 0)
    per_dialect = rows if isinstance(rows, dict) else {"*": rows}
    r.mapping(per_dialect, (*DIALECTS, "*"), f"{what}.rows", *where, "rows")
    for dialect, count in per_dialect.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise r.fail(
                f"{what}.rows must be a whole number of zero or more (or one per dialect)",
                *where,
                "rows",
                *(() if dialect == "*" else (dialect,)),
            )
    return CriticalIndex(
        name=name,
        table=table,
        stage=stage,
        query=r.text(data.get("query"), f"{what}.query", *where, "query", required=False),
        rows=per_dialect,
        seed=_per_dialect(r, data.get("seed"), f"{what}.seed", *where, "seed"),
        unseed=_per_dialect(r, data.get("unseed"), f"{what}.unseed", *where, "unseed"),
        line=r.doc.line(*where),
    )


def _per_dialect(r: _Reader, value: Any, what: str, *where: Hashable) -> dict[str, str]:
    """SQL for every dialect (a string) or per dialect (a mapping of dialect to SQL)."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"*": r.text(value, what, *where) or ""}
    data = r.mapping(value, DIALECTS, what, *where)
    return {k: r.text(v, f"{what}.{k}", *where, k) or "" for k, v in data.items()}
