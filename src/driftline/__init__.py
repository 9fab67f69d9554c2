"""driftline: reliability and config-drift testing for ticket systems and their databases.

The public API is re-exported from the subpackages; the CLI (``driftline.cli``) is a thin layer
over it.
"""

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

__version__ = "0.1.0"

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
