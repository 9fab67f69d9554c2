"""README cannot go stale: every ``driftline …`` line in its shell blocks and inline code is a
real command with real options (checked against the Typer app, as the CI templates are), and its
command reference is the one the CLI generates (in the manner of sqlite-utils' cog check)."""

from __future__ import annotations

import re
from pathlib import Path

from driftline.cli.reference import END, START, main, render_reference
from tests.ci.template_commands import invocations, problems

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"```(?:bash|sh)\n(.*?)```", re.S)
INLINE = re.compile(r"`(driftline [^`]+)`")


def _readme_invocations():
    text = README.read_text(encoding="utf-8")
    found = []
    for n, block in enumerate(BLOCK.findall(text), start=1):
        found += invocations(block, f"README.md block {n}")
    prose = BLOCK.sub("", text.split(START)[0] + text.split(END)[-1])
    for n, line in enumerate(prose.splitlines(), start=1):
        for code in INLINE.findall(line):
            if "[" in code or "…" in code or "<" in code:
                continue  # a syntax sketch (optional parts, placeholders), not a command line
            found += invocations(code, f"README.md inline code, prose line {n}")
    return found


def test_readme_has_the_two_quick_start_commands():
    text = README.read_text(encoding="utf-8")
    assert "pip install -e . && driftline demo" in text
    assert "pip install -e '.[test]' && ruff check . && ruff format --check . && pytest" in text


def test_every_readme_command_exists_with_its_options():
    found = _readme_invocations()
    assert len(found) >= 25
    bad = [f"{inv}: {p}" for inv in found for p in problems(inv)]
    # prose may name a command group (`driftline schema`): it must exist, nothing more
    bad = [b for b in bad if not ("inline code" in b and b.endswith("is a group, not a command"))]
    assert bad == []


def test_the_checker_catches_an_option_that_does_not_exist():
    (inv,) = invocations("driftline stress run --no-such-option 3", "sample")
    assert problems(inv)


def test_command_reference_in_readme_is_the_generated_one(capsys):
    text = README.read_text(encoding="utf-8")
    block = text.split(START, 1)[1].split(END, 1)[0]
    assert block == "\n" + render_reference(), (
        "README's command reference is stale: python -m driftline.cli.reference --update README.md"
    )
    assert main(["--check", str(README)]) == 0


def test_reference_lists_every_command_and_its_options():
    reference = render_reference()
    for command in ("lint", "schema check", "plan diff", "stress run", "drill", "demo", "report"):
        assert f"### `driftline {command}`" in reference
    assert "`--dispatch-deadline-s NUMBER`" in reference
    assert "`-n, --tickets N`" in reference
    assert "<bool>" not in reference and "{" not in reference
    prose = [line for line in reference.splitlines() if not line.startswith("```")]
    assert not [line for line in prose if "``" in line], "raw reST ``literals`` in help text"


def test_stale_reference_is_caught(tmp_path, capsys):
    stale = tmp_path / "README.md"
    stale.write_text(f"intro\n{START}\nold\n{END}\noutro\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert "stale" in capsys.readouterr().err
    assert main(["--update", str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0
    assert stale.read_text().startswith("intro\n") and stale.read_text().endswith("outro\n")


def test_help_has_no_type_noise(capsys):
    """--help of every command: plain usage, no <bool> or <list[…]>, no raw reST literals."""
    import typer.main

    from driftline.cli import app, run
    from driftline.cli.reference import _commands

    root = typer.main.get_command(app)
    paths = [path for path, _, _ in _commands(root, root.context_class(root), [])]
    assert len(paths) >= 15
    for path in paths:
        assert run([*path, "--help"]) == 0
        text = capsys.readouterr().out
        usage = next(line for line in text.splitlines() if "Usage:" in line)
        assert "{" not in usage and "}" not in usage, usage
        for noise in ("<bool>", "<list[", "``"):
            assert noise not in text, (path, noise)
