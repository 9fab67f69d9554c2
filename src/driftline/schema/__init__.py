"""Schema and index drift against committed baselines.

    from driftline.schema import inspect, load_baseline, diff_schemas, check
    findings = check("postgresql://…/tickets", "baselines/prod.postgresql.yaml")

Pipeline: ``inspect`` (a constant number of catalog queries, read-only) → ``Schema`` (the
dialect-neutral model, normalized with sqlglot) → ``diff_schemas`` (pure) → findings.

Names load on first use: code that needs only the model (lint) imports neither YAML nor the
database layer.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from driftline._lazy import exports

#: exported name → the submodule that defines it
_EXPORTS = {
    "Baseline": "driftline.schema.baseline",
    "load_baseline": "driftline.schema.baseline",
    "write_baseline": "driftline.schema.baseline",
    "check": "driftline.schema.check",
    "diff": "driftline.schema.check",
    "snapshot": "driftline.schema.check",
    "diff_schemas": "driftline.schema.diff",
    "inspect": "driftline.schema.inspect",
    "Column": "driftline.schema.model",
    "ForeignKey": "driftline.schema.model",
    "Index": "driftline.schema.model",
    "Schema": "driftline.schema.model",
    "Table": "driftline.schema.model",
}

if TYPE_CHECKING:
    from driftline.schema.baseline import Baseline, load_baseline, write_baseline
    from driftline.schema.check import check, diff, snapshot
    from driftline.schema.diff import diff_schemas
    from driftline.schema.inspect import inspect
    from driftline.schema.model import Column, ForeignKey, Index, Schema, Table


#: names that are both a submodule and the function it defines: the package keeps the function
_SHADOWED = frozenset({"check", "diff", "inspect"})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        # importing the submodule ``driftline.schema.check`` must not replace ``check()``
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__getattr__ = exports(__name__, _EXPORTS)


__all__ = [
    "Baseline",
    "Column",
    "ForeignKey",
    "Index",
    "Schema",
    "Table",
    "check",
    "diff",
    "diff_schemas",
    "inspect",
    "load_baseline",
    "snapshot",
    "write_baseline",
]
