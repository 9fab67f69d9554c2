"""driftline: reliability and config-drift testing for ticket systems and their databases.

The public API is re-exported from the subpackages; the CLI (``driftline.cli``) is a thin layer
over it. Names load on first use, so ``driftline --version`` imports nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from driftline._lazy import exports

__version__ = "0.1.0"

#: exported name → the module that defines it
_EXPORTS = {
    "BaselineError": "driftline.errors",
    "ConnectionFailed": "driftline.errors",
    "DriftlineError": "driftline.errors",
    "InputFileError": "driftline.errors",
    "PermissionDenied": "driftline.errors",
    "RunError": "driftline.errors",
    "UsageError": "driftline.errors",
    "Finding": "driftline.findings",
    "Severity": "driftline.findings",
}

if TYPE_CHECKING:
    from driftline.errors import (
        BaselineError,
        ConnectionFailed,
        DriftlineError,
        InputFileError,
        PermissionDenied,
        RunError,
        UsageError,
    )
    from driftline.findings import Finding, Severity


__getattr__ = exports(__name__, _EXPORTS)


__all__ = [
    "BaselineError",
    "ConnectionFailed",
    "DriftlineError",
    "Finding",
    "InputFileError",
    "PermissionDenied",
    "RunError",
    "Severity",
    "UsageError",
    "__version__",
]
