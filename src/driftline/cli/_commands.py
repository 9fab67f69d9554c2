"""The command table, loaded lazily: a command's module is imported only when it is used.

``driftline --version`` therefore imports no subsystem, and ``driftline lint`` never loads the
database layer. Each module under ``driftline.cli`` exposes ``register(app)``, which adds its
commands to a Typer app; :class:`LazyGroup` calls it the first time one of them is looked up.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
import typer.core
import typer.main

#: Top-level command → the module under driftline.cli that registers it, in the order
#: ``driftline --help`` lists them (Typer lists single commands before groups).
COMMANDS: dict[str, str] = {
    "lint": "lint",
    "report": "report",
    "drill": "drill",
    "demo": "drill",
    "refsys": "refsys",
    "schema": "schema",
    "plan": "plan",
    "stress": "stress",
}
#: Command modules under driftline.cli, each once, in help order.
MODULES = tuple(dict.fromkeys(COMMANDS.values()))


def load_module_commands(module_name: str) -> dict[str, Any]:
    """Import one command module and build the (Click) commands it registers, by name."""
    module = importlib.import_module(f"driftline.cli.{module_name}")
    holder = typer.Typer()
    module.register(holder)
    return dict(typer.main.get_group(holder).commands)


class LazyCommands(MutableMapping[str, Any]):
    """The root group's commands: the names are known up front, each module loads on first use."""

    def __init__(self, eager: MutableMapping[str, Any] | None = None) -> None:
        self._loaded: dict[str, Any] = dict(eager or {})
        self._names = list(COMMANDS)
        self._names += [name for name in self._loaded if name not in COMMANDS]

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            module_name = COMMANDS.get(name)
            if module_name is None:
                raise KeyError(name)
            for loaded_name, command in load_module_commands(module_name).items():
                self._loaded.setdefault(loaded_name, command)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        if name not in self._names:
            self._names.append(name)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names


class LazyGroup(typer.core.TyperGroup):
    """The root ``driftline`` group, whose subcommands load on first use."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return self.commands.get(cmd_name)
