"""Lint: the golden corpus per dialect and rule, the baseline's role, suppressions, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from driftline.cli import run
from driftline.errors import InputFileError
from driftline.lint import lint_files, lint_text
from driftline.schema.baseline import load_baseline

HERE = Path(__file__).parent
BASELINE = HERE / "baseline.yaml"
CASES = sorted((HERE / "corpus").glob("*/*/*.sql"))


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(HERE / "corpus")) for c in CASES])
def test_corpus(case):
    dialect = case.parent.parent.name
    expected = yaml.safe_load(case.with_suffix(".expected.yaml").read_text())["findings"]
    options = yaml.safe_load(case.with_suffix(".expected.yaml").read_text()).get("options", {})
    own = HERE / f"baseline.{dialect}.yaml"  # names as that server's catalog writes them
    findings = lint_files([case], baseline=own if own.exists() else BASELINE, **options)
    got = sorted((f.line, f.kind, f.severity.label) for f in findings)
    assert got == sorted((e["line"], e["kind"], e["severity"]) for e in expected)
    assert all(f.file == str(case) for f in findings)
    for e in expected:  # the exact fix, and the words of the message that matter
        at = [f for f in findings if (f.line, f.kind) == (e["line"], e["kind"])]
        assert any(f.fix == e.get("fix", f.fix) and e.get("says", "") in f.message for f in at)


def test_every_rule_has_a_corpus_case():
    from driftline.lint import RULES

    covered = {c.parent.name for c in CASES}
    assert {r.replace("-", "_") for r in RULES} <= covered
    for dialect in ("postgres", "mysql", "sqlite"):
        assert len({c.parent.name for c in CASES if c.parent.parent.name == dialect}) >= 4


def test_without_a_baseline_only_context_free_rules_fire():
    source = "DROP INDEX ix_ticket_status_log_status_changed;\nDELETE FROM ticket;\n"
    kinds = {f.kind for f in lint_text(source, "m.sql", dialect="postgresql")}
    assert kinds == {"lint.no_where"}


def test_large_table_option_enables_the_locking_rules():
    source = "CREATE INDEX ix_a ON orders (placed_at);\n"
    assert lint_text(source, "m.sql", dialect="postgresql") == []
    [finding] = lint_text(source, "m.sql", dialect="postgresql", large_tables=["orders"])
    assert finding.kind == "lint.index_not_concurrently"
    assert "CREATE INDEX CONCURRENTLY" in finding.fix


def test_critical_drop_names_the_restoring_ddl():
    [finding] = lint_text(
        "DROP INDEX ix_ticket_status_log_status_changed;",
        "m.sql",
        dialect="postgresql",
        baseline=load_baseline(BASELINE),
    )
    assert finding.fix == (
        'CREATE INDEX CONCURRENTLY "ix_ticket_status_log_status_changed" ON '
        '"public"."ticket_status_log" ("status_code", "changed_at");'
    )


def test_multiline_statements_report_their_first_line():
    source = "\n\n-- note\nUPDATE ticket\n  SET title = 'x'\n;\n"
    [finding] = lint_text(source, "m.sql", dialect="postgresql")
    assert finding.line == 4


def test_unreadable_file_names_it():
    with pytest.raises(InputFileError, match=r"missing\.sql: no such file"):
        lint_files(["missing.sql"])


def test_cli_exit_codes_and_formats(tmp_path, capsys):
    clean = tmp_path / "clean.sql"
    clean.write_text("UPDATE ticket SET title = 'x' WHERE id = 1;\n")
    assert run(["lint", str(clean), "--baseline", str(BASELINE)]) == 0
    capsys.readouterr()
    incident = HERE / "corpus/postgres/no_where/incident.sql"
    assert run(["lint", str(incident), "--baseline", str(BASELINE), "-f", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["error"] == 2
    warn_only = HERE / "corpus/postgres/drop_fk_index/only_fk_index.sql"
    assert run(["lint", str(warn_only), "-b", str(BASELINE)]) == 0
    assert run(["lint", str(warn_only), "-b", str(BASELINE), "--fail-on", "warning"]) == 1
    capsys.readouterr()
    assert run(["lint", str(tmp_path / "nope.sql")]) == 2
    assert "nope.sql: no such file" in capsys.readouterr().err
    assert run(["lint", str(clean), "--dialect", "oracle"]) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("driftline: 7\nkind: schema\n")
    assert run(["lint", str(clean), "--baseline", str(bad)]) == 2
    assert "bad.yaml:1: unsupported baseline version 7" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["terminal", "json", "junit", "sarif", "markdown", "github"])
def test_every_format_renders(fmt, tmp_path):
    out = tmp_path / "report.out"
    incident = HERE / "corpus/postgres/no_where/incident.sql"
    assert run(["lint", str(incident), "-b", str(BASELINE), "-f", fmt, "-o", str(out)]) == 1
    assert "ticket_status_log" in out.read_text()


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite", "mysql"])
def test_incident_script_against_the_committed_reference_baselines(dialect):
    """The schema snapshot's baselines are what lint reads: the incident fails on every dialect."""
    from driftline.drills.faults import maintenance_script

    root = Path(__file__).resolve().parents[2]
    baseline = root / "baselines" / f"reference_system.{dialect}.yaml"
    findings = lint_files([maintenance_script()], baseline=baseline)
    assert sorted((f.kind, f.line) for f in findings) == [
        ("lint.drop_critical_index", 5),
        ("lint.no_where", 3),
    ]


def test_every_table_large_means_every_table_the_file_did_not_create():
    source = (
        "CREATE INDEX ix_a ON orders (placed_at);\n"
        "CREATE INDEX ix_b ON orders (total);\n"
        "CREATE TABLE fresh (id int);\n"
        "CREATE INDEX ix_c ON fresh (id);\n"
    )
    assert lint_text(source, "m.sql") == []
    for large in (["orders"], ["*"]):
        found = lint_text(source, "m.sql", large_tables=large)
        assert [(f.line, f.kind) for f in found] == [
            (1, "lint.index_not_concurrently"),
            (2, "lint.index_not_concurrently"),
        ]


def test_files_are_evaluated_in_order_against_one_schema(tmp_path):
    first, second = tmp_path / "0001.sql", tmp_path / "0002.sql"
    first.write_text("CREATE TABLE audit (id int);\nALTER TABLE ticket RENAME TO tickets;\n")
    second.write_text("DELETE FROM audit;\nDROP TABLE audit;\nDROP TABLE tickets;\n")
    found = lint_files([first, second], baseline=BASELINE)
    assert [(Path(f.file).name, f.line, f.kind) for f in found] == [
        ("0001.sql", 2, "lint.rename_in_use"),
        ("0002.sql", 3, "lint.drop_table"),
    ]


def test_a_migration_history_judges_each_file_on_what_the_ones_before_built():
    from driftline.lint import new_state

    state = new_state("postgresql", large_tables=["*"])
    assert lint_text("CREATE TABLE t (a varchar(10));\n", "1.sql", state=state) == []
    state.settle()
    found = lint_text(
        "ALTER TABLE t ALTER COLUMN a TYPE varchar(20);\nALTER TABLE t ALTER COLUMN a TYPE int;\n",
        "2.sql",
        state=state,
    )
    assert [(f.line, f.kind) for f in found] == [(2, "lint.table_rewrite")]


def test_cli_marks_primary_keys_critical_turns_on_rules_and_strips_hash_lines(tmp_path, capsys):
    script = tmp_path / "m.sql"
    script.write_text("# cleanup\nALTER TABLE ticket DROP CONSTRAINT ticket_pkey;\n")
    base = ["lint", str(script), "-b", str(BASELINE), "-f", "json", "--hash-comments"]
    assert run(base) == 0  # a warning: the key is not marked critical
    assert json.loads(capsys.readouterr().out)["summary"]["warning"] == 1
    assert run([*base, "--critical", "ticket.primary_key"]) == 1
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["kind"], finding["severity"], finding["line"]) == (
        "lint.drop_primary_key",
        "error",
        2,
    )
    assert run([*base, "--rule", "lock-timeout", "--fail-on", "warning"]) == 1
    kinds = {f["kind"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert kinds == {"lint.drop_primary_key", "lint.lock_timeout"}
    assert run([*base, "--rule", "lock-timeot"]) == 2
    assert "did you mean 'lock-timeout'" in capsys.readouterr().err


def test_a_baseline_may_mark_a_primary_key_critical_by_its_index_name():
    baseline = load_baseline(BASELINE)
    baseline.critical_indexes.add("public.ticket.ticket_pkey")
    [finding] = lint_text(
        "ALTER TABLE ticket DROP CONSTRAINT ticket_pkey;", "m.sql", baseline=baseline
    )
    assert (finding.kind, finding.severity.label) == ("lint.drop_primary_key", "error")


def test_one_sqlglot_parse_per_statement_at_most(monkeypatch):
    import sqlglot

    import driftline.lint.engine as engine

    calls = []
    real = sqlglot.parse_one

    def counting(sql, *args, **kwargs):
        calls.append(sql)
        return real(sql, *args, **kwargs)

    monkeypatch.setattr(engine.sqlglot, "parse_one", counting)
    source = "".join(
        f"CREATE INDEX ix_{i} ON ticket (title);\nUPDATE ticket SET title = 'x' WHERE id = {i};\n"
        for i in range(10)
    )
    source += "DROP INDEX ix_ticket_status_created, ix_ticket_status_log_ticket_changed;\n"
    lint_text(source, "m.sql", baseline=load_baseline(BASELINE))
    assert len(calls) == 20  # the DROP INDEX list is read from its text
