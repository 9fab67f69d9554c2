"""Commands load their subsystem only when they run, so a CI step pays only for what it uses.

Each case runs the CLI in a fresh interpreter and lists the top-level packages it imported.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer

import driftline
from driftline.cli import _commands, app

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
#: Packages a command imports only when it needs a database, SQL parsing, HTTP, HTML or load.
SUBSYSTEMS = {"sqlalchemy", "sqlglot", "httpx", "jinja2", "locust", "psycopg", "pymysql", "yaml"}

_PROBE = """
import json, sys
from driftline.cli import run
code = run(sys.argv[1:])
sys.stdout.flush()
print("\\n" + json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def imported_by(*argv: str) -> tuple[int, set[str]]:
    """Exit code and top-level packages imported by ``driftline ARGV`` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip(), done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["code"], set(result["modules"])


@pytest.mark.parametrize(
    "argv",
    [("--version",), ("--help",), ("schema", "--help"), ("plan", "check", "--help")],
)
def test_version_and_help_import_no_subsystem(argv):
    code, modules = imported_by(*argv)
    assert code == 0
    assert modules & SUBSYSTEMS == set()


def test_the_probe_sees_a_subsystem_when_one_loads(tmp_path):
    """Control: a command that reads databases does import SQLAlchemy."""
    urls = []
    for name in ("a.db", "b.db"):
        sqlite3.connect(tmp_path / name).close()
        urls += ["--db", f"sqlite:///{tmp_path / name}"]
    code, modules = imported_by("schema", "diff", *urls)
    assert code == 0
    assert "sqlalchemy" in modules


def test_the_command_table_matches_what_the_modules_register():
    """Every listed command is registered by its module, and no module registers an unlisted one."""
    for module_name in _commands.MODULES:
        registered = set(_commands.load_module_commands(module_name))
        listed = {name for name, module in _commands.COMMANDS.items() if module == module_name}
        assert registered == listed, module_name


def test_every_command_is_reachable_from_the_root_group():
    root = typer.main.get_command(app)
    assert list(root.commands) == list(_commands.COMMANDS)
    for name in _commands.COMMANDS:
        assert root.commands[name].name == name


def test_lint_loads_no_database_layer(tmp_path):
    migration = tmp_path / "0001.sql"
    migration.write_text("CREATE INDEX ix_a ON t (a);\nDELETE FROM t;\n")
    code, modules = imported_by("lint", "--no-cache", str(migration))
    assert code in (0, 1)
    assert "sqlglot" in modules  # it did parse the file
    # nor YAML: the schema model lint builds on comes without the baseline reader
    assert modules & (SUBSYSTEMS - {"sqlglot"}) == set()


@pytest.mark.parametrize("fmt", ["github", "json", "junit", "sarif", "markdown"])
def test_machine_formats_load_no_terminal_renderer(tmp_path, fmt):
    """A CI step that asks for a machine format gets plain text, without Rich in between; the
    terminal report still renders through Rich."""
    migration = tmp_path / "0001.sql"
    migration.write_text("DELETE FROM t;\n")
    code, modules = imported_by("lint", "--no-cache", "--format", fmt, str(migration))
    assert code == 1  # the DELETE without WHERE was reported in that format
    assert "rich" not in modules
    code, modules = imported_by("lint", "--no-cache", str(migration))
    assert code == 1
    assert "rich" in modules


def test_the_version_entry_point_imports_no_cli_stack():
    """The installed ``driftline`` script and ``python -m driftline`` answer a bare --version
    before Typer, Click or Rich load."""
    from driftline import __main__ as entry

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "driftline", "--version"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0
    assert done.stdout == f"driftline {driftline.__version__}\n"
    modules = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "driftline" in modules  # the probe sees driftline's own import
    assert modules & (SUBSYSTEMS | {"typer", "click", "rich"}) == set()
    scripts = tomllib.loads(PYPROJECT.read_text())["project"]["scripts"]
    assert scripts["driftline"] == f"{entry.__name__}:{entry.main.__name__}"


_PACKAGES = """
import sys, types
import driftline.lint, driftline.schema
light = not {"sqlglot", "yaml", "driftline.schema.baseline"} & set(sys.modules)
import driftline.schema.check, driftline.schema.diff, driftline.schema.inspect
from driftline.schema import check, diff, inspect, Schema, load_baseline
from driftline.lint import lint_files, OPT_IN
from driftline import Finding, UsageError, dialects
names = [f.__module__ + "." + f.__name__ for f in (check, diff, inspect, lint_files)]
print(light, isinstance(dialects, types.ModuleType), *names, Finding.__name__, sorted(OPT_IN))
"""


def test_lazy_packages_export_the_same_api():
    """Packages import their submodules on first use, and a function named like its submodule
    (``driftline.schema.check``) stays the function after the submodule is imported."""
    done = subprocess.run(
        [sys.executable, "-c", _PACKAGES], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == [
        "True", "True",
        "driftline.schema.check.check", "driftline.schema.check.diff",
        "driftline.schema.inspect.inspect", "driftline.lint.engine.lint_files",
        "Finding", "['drop-index-concurrently',", "'lock-timeout']",
    ]  # fmt: skip
