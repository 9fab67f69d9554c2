"""No module outside ``driftline/dialects/`` branches on a dialect's name.

What differs between databases is asked of the dialect object (``dialects.get(name)``); a
comparison with ``"postgresql"``, ``"mysql"``, ``"sqlite"`` or another spelling anywhere else is
how a fix for one database ends up printed for another.
"""

from __future__ import annotations

import ast
from pathlib import Path

import driftline
from driftline import dialects

SRC = Path(driftline.__file__).parent
NAMES = set(dialects.ALIASES) | {d.sqlglot for d in dialects.DIALECTS.values()}


def _names_in(node: ast.AST) -> set[str]:
    """Dialect names among the string constants of a node (tuples, sets and lists included)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value.lower()} & NAMES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return set().union(*(_names_in(e) for e in node.elts)) if node.elts else set()
    return set()


def offences(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                for name in sorted(_names_in(side)):
                    found.append((node.lineno, f"compares with {name!r}"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("startswith", "endswith")
        ):
            for arg in node.args:
                for name in sorted(_names_in(arg)):
                    found.append((node.lineno, f"{node.func.attr}({name!r})"))
        elif isinstance(node, ast.match_case) and isinstance(node.pattern, ast.MatchValue):
            for name in sorted(_names_in(node.pattern.value)):
                found.append((node.pattern.lineno, f"case {name!r}"))
    return found


def test_the_check_sees_a_branch():
    tree = ast.parse(
        'if d == "postgresql": pass\n'
        'if url.startswith("sqlite"): pass\n'
        'if name in ("mysql", "mariadb"): pass\n'
    )
    assert [line for line, _ in offences(tree)] == [1, 2, 3, 3]
    assert offences(ast.parse('if kind == "check": pass\nx = {"sqlite": 1}')) == []


def test_no_dialect_name_comparison_outside_the_dialect_layer():
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        if "dialects" in path.relative_to(SRC).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        bad += [f"{path.relative_to(SRC)}:{line}: {what}" for line, what in offences(tree)]
    assert bad == [], "\n".join(bad)
