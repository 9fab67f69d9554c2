"""Find every ``driftline …`` invocation in a CI template and check it against the real CLI.

A template is only useful if it runs: each command path must exist, each option must be one the
command takes (with a value when it needs one), and ``--format`` values must be real formats.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import typer.main

from driftline import output, schema_report
from driftline.cli import app

#: Commands whose ``--format`` is not the findings formats of :mod:`driftline.output`.
FORMATS_BY_COMMAND: dict[tuple[str, ...], tuple[str, ...]] = {
    ("schema", "report"): schema_report.FORMATS,
}

#: Tokens that end a simple command in the shell lines templates use.
_STOP = {";", "&&", "||", "|", "&", ">", ">>", "<", ">&", "2>", "(", ")", "do", "then", "done"}
_STARTS = {";", "&&", "||", "|", "do", "then", "else", "(", "!", "time"}


@dataclass(frozen=True)
class Invocation:
    where: str
    argv: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.where}: driftline {shlex.join(self.argv)}"


def shell_lines(script: str) -> Iterator[str]:
    """Logical lines of a shell script: continuations joined, comments dropped."""
    for line in script.replace("\\\n", " ").splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield stripped


def invocations(script: str, where: str) -> list[Invocation]:
    """Every ``driftline`` command in ``script`` with its arguments (until a pipe/redirect/…)."""
    found = []
    for line in shell_lines(script):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>()")
        lexer.whitespace_split = True
        tokens = list(lexer)
        for i, token in enumerate(tokens):
            if token != "driftline" or (i > 0 and tokens[i - 1] not in _STARTS):
                continue
            argv = []
            for arg in tokens[i + 1 :]:
                if arg in _STOP or arg.startswith((">", "<", "|", "&", ";")):
                    break
                argv.append(arg)
            if argv and argv[-1].isdigit() and len(tokens) > i + 1 + len(argv):
                argv.pop()  # the fd of "2> file"
            found.append(Invocation(where, tuple(argv)))
    return found


def _command_for(
    argv: tuple[str, ...], root: typer.Typer | None = None
) -> tuple[Any, list[str], list[str]]:
    """Walk groups down to the command ``argv`` names: (command, its path, the rest)."""
    command: Any = typer.main.get_command(root or app)
    path: list[str] = []
    rest = list(argv)
    while rest and getattr(command, "commands", None) and not rest[0].startswith("-"):
        name = rest[0]
        if name not in command.commands:
            raise LookupError(
                f"no command 'driftline {' '.join([*path, name])}' "
                f"(choose from {', '.join(sorted(command.commands))})"
            )
        command = command.commands[name]
        path.append(name)
        rest.pop(0)
    if getattr(command, "commands", None):
        raise LookupError(f"'driftline {' '.join(path)}' is a group, not a command")
    return command, path, rest


def problems(invocation: Invocation, root: typer.Typer | None = None) -> list[str]:
    """What is wrong with one invocation (empty when it matches the CLI, or ``root``)."""
    try:
        command, path, rest = _command_for(invocation.argv, root)
    except LookupError as exc:
        return [f"{invocation}: {exc}"]
    formats = FORMATS_BY_COMMAND.get(tuple(path), output.FORMATS)
    options = {opt: p for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    options = {k: v for k, v in options.items() if k.startswith("-")}
    issues = []
    i = 0
    while i < len(rest):
        token = rest[i]
        i += 1
        if not token.startswith("-") or token == "-":
            continue
        name, has_value, value = token.partition("=")
        param = options.get(name)
        if param is None:
            issues.append(f"{invocation}: 'driftline {' '.join(path)}' has no option {name}")
            continue
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            if has_value:
                issues.append(f"{invocation}: {name} is a flag and takes no value")
            continue
        if not has_value:
            if i >= len(rest):
                issues.append(f"{invocation}: {name} needs a value")
                continue
            value = rest[i]
            i += 1
        if name in ("--format", "-f") and "$" not in value and value not in formats:
            issues.append(f"{invocation}: unknown format {value!r}")
        choices = _choices(param)
        if choices and "$" not in value and value not in choices:
            issues.append(f"{invocation}: {name} {value!r} is not one of {sorted(choices)}")
    return issues


def _choices(param: Any) -> list[str] | None:
    """The values an option accepts when it is an enum/choice (typer or click style)."""
    holder = getattr(param, "type_descriptor", None) or getattr(param, "type", None)
    choices = getattr(holder, "choices", None)
    if not choices:
        return None
    return [str(getattr(c, "value", c)) for c in choices]


def path_of(invocation: Invocation) -> list[str]:
    return _command_for(invocation.argv)[1]
