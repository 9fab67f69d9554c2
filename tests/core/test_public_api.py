"""The curated public surface is pinned: removing or renaming a name is a visible decision."""

from __future__ import annotations

import driftline


def test_top_level_names_are_pinned():
    assert sorted(driftline.__all__) == [
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


def test_every_error_descends_from_the_one_root():
    for name in driftline.__all__:
        obj = getattr(driftline, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, driftline.DriftlineError)
            assert obj.exit_code == 2
