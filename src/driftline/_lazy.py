"""Package attributes that import their module on first use (PEP 562).

A package's ``__init__`` that re-exports its API eagerly makes every import of one submodule pay
for all the others: ``driftline --version`` would load the CLI stack, and lint would load YAML and
the database layer through ``driftline.schema``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``names`` maps each exported name to the module
    that defines it. A name not listed is an AttributeError, so submodules still import."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
