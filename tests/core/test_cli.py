"""The CLI's error contract: one line on stderr and exit 2, tracebacks only with --debug."""

from __future__ import annotations

from driftline.cli import run


def test_version(capsys):
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.startswith("driftline ")


def test_unknown_command_is_exit_2_one_line(capsys):
    assert run(["no-such-command"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("driftline: error:") and err.count("\n") == 1
    assert "Traceback" not in err


def test_no_arguments_prints_help(capsys):
    assert run([]) == 0
    assert "Usage" in capsys.readouterr().out
