"""The queries file loader: validation errors name file and line."""

from __future__ import annotations

from datetime import datetime

import pytest

from driftline.errors import InputFileError
from driftline.plans.queries import load_queries, parse_queries, resolve_params

GOOD = """driftline: 1
kind: queries
queries:
  - name: pickup
    description: one line
    sql: |
      SELECT id FROM t WHERE changed_at >= :since AND x::text = 'a' LIMIT :batch
    sql_by_dialect: {mariadb: "SELECT id FROM t WHERE changed_at >= :since LIMIT :batch"}
    params:
      - {since: "now-7d", batch: 50}
    critical_tables: [t]
    min_rows: 10
    expect: {must_use_index: ix_t, max_cost: 1000}
"""


def test_reference_system_hot_queries_load():
    queries = load_queries("reference_system/hot_queries.yaml").by_name()
    assert {"dispatch_pickup", "sla_sweep", "recurrence_check"} <= set(queries)
    assert queries["dispatch_pickup"].expect.must_use_index == "ix_ticket_status_log_status_changed"


def test_good_file_and_relative_timestamps():
    (query,) = parse_queries(GOOD, "q.yaml").queries
    assert query.sql_for("mysql").endswith("LIMIT :batch") and "x::text" in query.sql_for("sqlite")
    assert query.line == 4 and query.expect.max_cost == 1000
    now = datetime(2026, 11, 25, 8, 0)
    assert resolve_params(query.params[0], now) == {
        "since": datetime(2026, 11, 18, 8, 0),
        "batch": 50,
    }


@pytest.mark.parametrize(
    ("edit", "message", "line"),
    [
        (("min_rows: 10", "min_rows: many"), "'min_rows' must be a whole number", 12),
        (("batch: 50}", "other: 50}"), "lacks ':batch'", 10),
        (("max_cost: 1000", "max_costs: 1000"), "unknown expectation 'max_costs'", 13),
        (("    critical_tables", "    critical_table"), "unknown key 'critical_table'", 11),
        (("{mariadb:", "{oracle:"), "unknown dialect 'oracle'", 8),
        (("kind: queries", "kind: plans"), "expected kind 'queries'", 2),
        (("name: pickup", "name: 'bad name'"), "'name' must be an identifier", 4),
        (("min_rows: 10", "generic: yes please"), "'generic' must be true or false", 12),
        (("ix_t, max", "[], max"), "'must_use_index' must be an index name or a list", 13),
    ],
)
def test_errors_name_file_and_line(edit, message, line):
    with pytest.raises(InputFileError) as err:
        parse_queries(GOOD.replace(*edit), "q.yaml")
    assert message in str(err.value)
    assert str(err.value).startswith(f"q.yaml:{line}:")


def test_duplicate_names_rejected():
    text = GOOD + GOOD.split("queries:\n", 1)[1]
    with pytest.raises(InputFileError, match="listed twice"):
        parse_queries(text, "q.yaml")


def test_generic_queries_and_alternative_indexes():
    text = GOOD.replace("expect: {must_use_index: ix_t,", "expect: {must_use_index: [ix_t, ix_u],")
    text += "  - name: by_customer\n    sql: SELECT id FROM t WHERE c = $1 AND d = ':x'\n"
    text += "    generic: true\n"
    pickup, generic = parse_queries(text, "q.yaml").queries
    assert pickup.expect.indexes == ("ix_t", "ix_u")
    assert pickup.expect.to_dict()["must_use_index"] == ["ix_t", "ix_u"]
    assert generic.generic and generic.params == ({},) and generic.to_dict()["generic"] is True
