"""README cannot go stale: every ``driftline …`` line in its shell blocks is a real command with
real options (checked against the Typer app, as the CI templates are)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.ci.template_commands import invocations, problems

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"```(?:bash|sh)\n(.*?)```", re.S)


def _readme_invocations():
    text = README.read_text(encoding="utf-8")
    found = []
    for n, block in enumerate(BLOCK.findall(text), start=1):
        found += invocations(block, f"README.md block {n}")
    return found


def test_readme_has_the_two_quick_start_commands():
    text = README.read_text(encoding="utf-8")
    assert "pip install -e . && driftline demo" in text
    assert "pip install -e '.[test]' && ruff check . && ruff format --check . && pytest" in text


def test_every_readme_command_exists_with_its_options():
    found = _readme_invocations()
    assert len(found) >= 15
    bad = [f"{inv}: {p}" for inv in found for p in problems(inv)]
    assert bad == []
