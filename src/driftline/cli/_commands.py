"""Registration of every command group; each module exposes ``register(app)``."""

from __future__ import annotations

import importlib

import typer

#: Command modules under driftline.cli, in the order ``driftline --help`` lists them.
MODULES = ("refsys", "schema", "plan", "lint", "stress", "report", "drill")


def register_all(app: typer.Typer) -> None:
    for name in MODULES:
        module = importlib.import_module(f"driftline.cli.{name}")
        module.register(app)
