"""Migration lint that simulates the file against the baseline.

    from driftline.lint import lint_files
    findings = lint_files(["migrations/0042.sql"], baseline="baselines/prod.postgresql.yaml")

Each file is split the way its client splits it (:mod:`~driftline.lint.split`), and each
statement is judged by the rules (:mod:`~driftline.lint.rules`,
:mod:`~driftline.lint.rules_locks`) on the schema as it stands at that line
(:mod:`~driftline.lint.state`: the baseline, then every earlier statement applied by
:mod:`~driftline.lint.effects`). Statements inside ``DO`` blocks, called functions and
procedures are judged at their own lines (:mod:`~driftline.lint.bodies`), and so is dynamic SQL
whose text is known (:mod:`~driftline.lint.dynamic`). Statements sqlglot keeps unparsed are
recognised by their text where lint needs their meaning (:mod:`~driftline.lint.textual`).
:mod:`~driftline.lint.cache` answers a run it has seen before without parsing anything, and a
run over the same files plus new ones by linting only the new ones (:mod:`~driftline.lint.resume`).

The names load on first use, so the cache (and the CLI) can answer without importing sqlglot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from driftline._lazy import exports

#: exported name → the submodule that defines it
_EXPORTS = {
    "RULES": "driftline.lint.engine",
    "LintRun": "driftline.lint.engine",
    "lint_files": "driftline.lint.engine",
    "lint_text": "driftline.lint.engine",
    "new_state": "driftline.lint.engine",
    "OPT_IN": "driftline.lint.rules",
}

if TYPE_CHECKING:
    from driftline.lint.engine import RULES, LintRun, lint_files, lint_text, new_state
    from driftline.lint.rules import OPT_IN


__getattr__ = exports(__name__, _EXPORTS)


__all__ = ["OPT_IN", "RULES", "LintRun", "lint_files", "lint_text", "new_state"]
