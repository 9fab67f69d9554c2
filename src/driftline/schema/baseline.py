"""Schema baselines: versioned, deterministically ordered, diff-friendly YAML.

driftline: 1
kind: schema
dialect: postgresql
server_version: "15.20"
critical: {tables: [...], indexes: [public.ticket_status_log.ix_…]}
ignore:
  - {object: index public.report_tmp_idx, reason: "…", expires: 2027-03-31}
tables:
  public.ticket_status_log:
    columns: {id: {type: bigint, nullable: false}, …}
    primary_key: [id]
    indexes: {ix_…: {columns: [status_code, changed_at], unique: false}}
    foreign_keys: {fk_…: {columns: [ticket_id], references: public.ticket, ref_columns: [id],
                          on_delete: cascade, deferrable: deferrable, valid: false}}
    unique: {name: [columns]}
    checks: {name: expression}
    checks_not_valid: [name]
    options: {unlogged: 'true', partition_of: …}
views: {name: definition}
materialized_views: {name: definition}
sequences: {name: {type: bigint, start: 1, increment: 1, min: 1, max: …, owned_by: t.c}}
extensions: {name: version}
not_compared: {kind: [names]}     # what exists but is not modelled, so changes are still named

Optional fields are written only when they differ from the database's default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftline.errors import BaselineError
from driftline.schema.model import Column, ForeignKey, Index, Schema, Sequence, Table, column
from driftline.yamlfile import YamlDoc, parse_yaml, read_text, safe_dump


@dataclass(frozen=True)
class IgnoreEntry:
    object: str
    reason: str
    expires: dt.date | None = None
    line: int | None = None

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today


@dataclass
class Baseline:
    schema: Schema
    critical_tables: set[str] = field(default_factory=set)
    critical_indexes: set[str] = field(default_factory=set)  # table.index
    ignore: list[IgnoreEntry] = field(default_factory=list)
    path: str = ""

    @property
    def dialect(self) -> str:
        return self.schema.dialect


def index_to_dict(ix: Index) -> dict[str, Any]:
    """An index as baselines and plan captures write it."""
    data: dict[str, Any] = {"columns": list(ix.columns), "unique": ix.unique}
    if ix.where:
        data["where"] = ix.where
    if ix.include:
        data["include"] = list(ix.include)
    if ix.method:
        data["method"] = ix.method
    if not ix.valid:
        data["valid"] = False
    if ix.key_options:
        data["key_options"] = list(ix.key_options)
    return data


def _column_dict(c: Column) -> dict[str, Any]:
    data: dict[str, Any] = {"type": c.type, "nullable": c.nullable}
    for key in ("default", "collation", "identity", "generated"):
        if getattr(c, key) is not None:
            data[key] = getattr(c, key)
    return data


def _fk_dict(f: ForeignKey) -> dict[str, Any]:
    data: dict[str, Any] = {
        "columns": list(f.columns),
        "references": f.ref_table,
        "ref_columns": list(f.ref_columns),
    }
    for key in ("on_delete", "on_update", "deferrable"):
        if getattr(f, key) is not None:
            data[key] = getattr(f, key)
    if not f.valid:
        data["valid"] = False
    return data


def _sequence_dict(q: Sequence) -> dict[str, Any]:
    data: dict[str, Any] = {"type": q.type, "start": q.start, "increment": q.increment}
    if q.min_value is not None:
        data["min"] = q.min_value
    if q.max_value is not None:
        data["max"] = q.max_value
    if q.cycle:
        data["cycle"] = True
    if q.owned_by:
        data["owned_by"] = q.owned_by
    return data


def to_dict(baseline: Baseline) -> dict[str, Any]:
    s = baseline.schema
    doc: dict[str, Any] = {
        "driftline": 1,
        "kind": "schema",
        "dialect": s.dialect,
        "server_version": s.server_version,
        "critical": {
            "tables": sorted(baseline.critical_tables),
            "indexes": sorted(baseline.critical_indexes),
        },
        "ignore": [
            {
                "object": e.object,
                "reason": e.reason,
                **({"expires": e.expires} if e.expires else {}),
            }
            for e in baseline.ignore
        ],
        "tables": {},
    }
    for name, t in sorted(s.tables.items()):
        entry: dict[str, Any] = {"columns": {c.name: _column_dict(c) for c in t.columns.values()}}
        if t.primary_key:
            entry["primary_key"] = list(t.primary_key)
        if t.indexes:
            entry["indexes"] = {k: index_to_dict(v) for k, v in sorted(t.indexes.items())}
        if t.foreign_keys:
            entry["foreign_keys"] = {k: _fk_dict(f) for k, f in sorted(t.foreign_keys.items())}
        if t.uniques:
            entry["unique"] = {k: list(v) for k, v in sorted(t.uniques.items())}
        if t.checks:
            entry["checks"] = dict(sorted(t.checks.items()))
        if t.checks_not_valid:
            entry["checks_not_valid"] = sorted(t.checks_not_valid)
        if t.options:
            entry["options"] = dict(sorted(t.options.items()))
        doc["tables"][name] = entry
    for key, value in (
        ("views", dict(s.views)),
        ("materialized_views", dict(s.materialized_views)),
        ("sequences", {k: _sequence_dict(q) for k, q in sorted(s.sequences.items())}),
        ("extensions", dict(sorted(s.extensions.items()))),
        ("not_compared", {k: list(v) for k, v in sorted(s.not_compared.items())}),
    ):
        if value:
            doc[key] = value
    return doc


def write_baseline(baseline: Baseline, path: str | Path) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = safe_dump(
        to_dict(baseline), sort_keys=False, width=100, allow_unicode=True, default_flow_style=None
    )
    target.write_text(text, encoding="utf-8")
    return target


def _need(doc: YamlDoc, value: Any, kind: type, what: str, *keys: Any) -> Any:
    if not isinstance(value, kind):
        raise BaselineError(doc.path, f"{what} must be a {kind.__name__}", doc.line(*keys))
    return value


def _table(doc: YamlDoc, name: str, spec: Any) -> Table:
    where = ("tables", name)
    spec = _need(doc, spec or {}, dict, f"table {name}", *where)
    columns = {}
    for cname, c in (spec.get("columns") or {}).items():
        c = _need(doc, c, dict, f"column {name}.{cname}", *where, "columns", cname)
        if "type" not in c:
            raise BaselineError(
                doc.path, f"column {name}.{cname} needs a type", doc.line(*where, "columns", cname)
            )
        columns[str(cname)] = column(
            str(cname),
            str(c["type"]),
            bool(c.get("nullable", True)),
            _opt(c.get("default")),
            _opt(c.get("collation")),
            _opt(c.get("identity")),
            _opt(c.get("generated")),
        )
    indexes = {}
    for iname, ix in (spec.get("indexes") or {}).items():
        ix = _need(doc, ix, dict, f"index {iname}", *where, "indexes", iname)
        indexes[str(iname)] = index_from_dict(str(iname), ix)
    fks = {
        str(k): ForeignKey(
            str(k),
            tuple(f.get("columns") or ()),
            str(f.get("references", "")),
            tuple(f.get("ref_columns") or ()),
            _opt(f.get("on_delete")),
            _opt(f.get("on_update")),
            _opt(f.get("deferrable")),
            bool(f.get("valid", True)),
        )
        for k, f in (spec.get("foreign_keys") or {}).items()
    }
    uniques = {str(k): tuple(v) for k, v in (spec.get("unique") or {}).items()}
    checks = {str(k): str(v) for k, v in (spec.get("checks") or {}).items()}
    return Table(
        name,
        columns,
        tuple(spec.get("primary_key") or ()),
        indexes,
        fks,
        uniques,
        checks,
        tuple(str(c) for c in spec.get("checks_not_valid") or ()),
        {str(k): str(v) for k, v in (spec.get("options") or {}).items()},
    )


def index_from_dict(name: str, ix: Mapping[str, Any]) -> Index:
    """An index as :func:`index_to_dict` wrote it."""
    return Index(
        name,
        tuple(ix.get("columns") or ()),
        bool(ix.get("unique", False)),
        ix.get("where"),
        tuple(ix.get("include") or ()),
        ix.get("method"),
        bool(ix.get("valid", True)),
        tuple(str(o) for o in ix.get("key_options") or ()),
    )


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _sequences(raw: Any) -> dict[str, Sequence]:
    if isinstance(raw, list):  # older baselines kept names only
        return {str(name): Sequence(str(name)) for name in raw}
    out = {}
    for name, q in (raw or {}).items():
        q = q or {}
        out[str(name)] = Sequence(
            str(name),
            str(q.get("type", "bigint")),
            int(q.get("start", 1)),
            int(q.get("increment", 1)),
            q.get("min"),
            q.get("max"),
            bool(q.get("cycle", False)),
            _opt(q.get("owned_by")),
        )
    return out


def _extensions(raw: Any) -> dict[str, str]:
    if isinstance(raw, list):  # older baselines kept names only: version unknown
        return {str(name): "" for name in raw}
    return {str(k): "" if v is None else str(v) for k, v in (raw or {}).items()}


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline; malformed or wrong-version files raise BaselineError naming the line.

    What a big file parses to is kept in :mod:`driftline.schema.baseline_cache`, keyed by the
    file's content, and read from there while the content is unchanged.
    """
    from driftline.errors import InputFileError
    from driftline.schema import baseline_cache

    try:
        text = read_text(path)
        cached = baseline_cache.load(text, str(path))
        if cached is not None:
            return cached
        baseline = _from_parts(text, path)
        if baseline is None:
            baseline = _from_doc(parse_yaml(text, path), path)
    except InputFileError as exc:
        raise BaselineError(exc.path, exc.message.split(": ", 1)[-1], exc.line) from None
    baseline_cache.store(text, baseline)
    return baseline


def _from_parts(text: str, path: str | Path) -> Baseline | None:
    """A big baseline built while its tables are parsed a few hundred at a time, so that the
    parsed data of all tables (many times the model's size) is never held at once; None when
    the text must be parsed whole (then the whole parse also words any error)."""
    from driftline.yamlfast import DEFER, Deferred, fast_load_split
    from driftline.yamlfile import FAST_LOAD_MIN_CHARS

    if len(text) < FAST_LOAD_MIN_CHARS:
        return None
    split = fast_load_split(text, "tables")
    if split is DEFER:
        return None
    rest, parts = split
    try:
        return _from_doc(YamlDoc(str(path), rest, text), path, parts)
    except (Deferred, BaselineError):
        return None


def _from_doc(
    doc: YamlDoc, path: str | Path, table_parts: Iterable[dict] | None = None
) -> Baseline:
    """The baseline ``doc`` holds; its tables come from ``table_parts`` when given (the
    mappings of consecutive table entries), else from ``doc``."""
    from driftline.db import canonical_dialect
    from driftline.errors import UsageError

    data = doc.data
    if not isinstance(data, dict):
        raise BaselineError(doc.path, "not a driftline baseline (expected a mapping)", 1)
    if data.get("driftline") != 1:
        raise BaselineError(
            doc.path,
            f"unsupported baseline version {data.get('driftline')!r} "
            "(this driftline reads driftline: 1)",
            doc.line("driftline"),
        )
    if data.get("kind") != "schema":
        raise BaselineError(
            doc.path, f"expected kind 'schema', found {data.get('kind')!r}", doc.line("kind")
        )
    try:
        dialect = canonical_dialect(str(data.get("dialect", "")))
    except UsageError as exc:
        raise BaselineError(doc.path, str(exc), doc.line("dialect")) from None
    if table_parts is None:
        table_parts = [_need(doc, data.get("tables") or {}, dict, "'tables'", "tables")]
    tables = {}
    for part in table_parts:
        for k, v in part.items():
            tables[str(k)] = _table(doc, str(k), v)
        del part  # the next part is parsed without this one
    schema = Schema(
        dialect=dialect,
        server_version=str(data.get("server_version", "")),
        tables=tables,
        views={str(k): str(v) for k, v in (data.get("views") or {}).items()},
        sequences=_sequences(data.get("sequences")),
        extensions=_extensions(data.get("extensions")),
        materialized_views={
            str(k): str(v) for k, v in (data.get("materialized_views") or {}).items()
        },
        not_compared={
            str(k): tuple(str(x) for x in v or ())
            for k, v in (data.get("not_compared") or {}).items()
        },
    )
    critical = _need(doc, data.get("critical") or {}, dict, "'critical'", "critical")
    ignore = []
    for i, item in enumerate(data.get("ignore") or []):
        item = _need(doc, item, dict, "an ignore entry", "ignore", i)
        if not item.get("object") or not str(item.get("reason") or "").strip():
            raise BaselineError(
                doc.path, "every ignore entry needs 'object' and a 'reason'", doc.line("ignore", i)
            )
        expires = item.get("expires")
        if expires is not None and not isinstance(expires, dt.date):
            raise BaselineError(
                doc.path, "'expires' must be a date (YYYY-MM-DD)", doc.line("ignore", i, "expires")
            )
        ignore.append(
            IgnoreEntry(str(item["object"]), str(item["reason"]), expires, doc.line("ignore", i))
        )
    return Baseline(
        schema,
        {str(t) for t in critical.get("tables") or []},
        {str(x) for x in critical.get("indexes") or []},
        ignore,
        str(path),
    )
