"""Migration lint that knows the baseline (issue 8).

    from driftline.lint import lint_files
    findings = lint_files(["migrations/0042.sql"], baseline="baselines/prod.postgresql.yaml")

Statements are split with sqlglot's tokenizer (so every finding names its file and line),
parsed per dialect, and checked by the rules in :mod:`driftline.lint.rules`. Knowing the
baseline removes context-free false positives: only critical indexes, baselined tables and
large tables are flagged, and objects created in the same file are never flagged.
"""

from driftline.lint.engine import RULES, lint_files, lint_text

__all__ = ["RULES", "lint_files", "lint_text"]
