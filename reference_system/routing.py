"""The routing decision tree: ordered rules on keywords, source, region and category."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from driftline.yamlfile import check_header, load_yaml

CONDITIONS = ("keywords", "source", "region", "category")


@dataclass(frozen=True)
class Rule:
    name: str
    department: str
    keywords: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    category: tuple[str, ...] = ()

    def matches(self, *, text: str, source: str, region: str, category: str) -> bool:
        if self.keywords and not any(k in text for k in self.keywords):
            return False
        if self.source and source not in self.source:
            return False
        if self.region and region not in self.region:
            return False
        return not (self.category and category not in self.category)


@dataclass(frozen=True)
class RoutingTable:
    rules: tuple[Rule, ...]
    default: str

    def route(
        self, *, title: str, description: str, source: str, region: str, category: str
    ) -> str:
        """The department of the first matching rule, else the default."""
        return self.explain(
            title=title, description=description, source=source, region=region, category=category
        )[0]

    def explain(
        self, *, title: str, description: str, source: str, region: str, category: str
    ) -> tuple[str, str]:
        """``(department, rule name)``; the rule name is ``default`` when nothing matched."""
        text = f"{title}\n{description}".lower()
        for rule in self.rules:
            if rule.matches(text=text, source=source, region=region, category=category):
                return rule.department, rule.name
        return self.default, "default"

    @property
    def departments(self) -> list[str]:
        return sorted({r.department for r in self.rules} | {self.default})


def _values(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v).lower() for v in value)
    return (str(value).lower(),)


def load_routing(path: str | Path) -> RoutingTable:
    doc = load_yaml(path)
    data = check_header(doc, "routing")
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise doc.error("'rules' must be a non-empty list", "rules")
    default = data.get("default")
    if not isinstance(default, str) or not default:
        raise doc.error("'default' must name a department", "default")
    parsed = []
    for i, item in enumerate(rules):
        if not isinstance(item, dict) or not item.get("name") or not item.get("department"):
            raise doc.error("each rule needs 'name' and 'department'", "rules", i)
        when = item.get("when") or {}
        if not isinstance(when, dict):
            raise doc.error("'when' must be a mapping", "rules", i, "when")
        unknown = set(when) - set(CONDITIONS)
        if unknown:
            raise doc.error(
                f"unknown condition '{sorted(unknown)[0]}' (known: {', '.join(CONDITIONS)})",
                "rules",
                i,
                "when",
            )
        parsed.append(
            Rule(
                name=str(item["name"]),
                department=str(item["department"]),
                **{c: _values(when.get(c)) for c in CONDITIONS},
            )
        )
    return RoutingTable(tuple(parsed), default)
