"""Checking a fleet: many databases against their baselines, concurrently.

driftline: 1
kind: inventory
baseline: baselines/prod.postgresql.yaml      # default for every entry
databases:
  - {name: store-eu-1, url: "postgresql://…/tickets"}
  - {name: store-us-1, url: "postgresql://…/tickets", baseline: baselines/us.yaml}
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

from driftline.db import redact
from driftline.errors import DriftlineError
from driftline.findings import Finding, Severity
from driftline.yamlfile import check_header, load_yaml


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    baseline: Path


@dataclass
class FleetResult:
    name: str
    findings: list[Finding]
    error: str | None = None


def load_inventory(path: str | Path) -> list[Target]:
    doc = load_yaml(path)
    data = check_header(doc, "inventory")
    default = data.get("baseline")
    base_dir = Path(path).parent
    targets = []
    for i, item in enumerate(data.get("databases") or []):
        if not isinstance(item, dict) or not item.get("url"):
            raise doc.error("each database needs a 'url'", "databases", i)
        baseline = item.get("baseline") or default
        if not baseline:
            raise doc.error("no 'baseline' for this database and no default", "databases", i)
        path_b = Path(baseline) if Path(baseline).is_absolute() else base_dir / baseline
        targets.append(Target(str(item.get("name") or f"db{i + 1}"), str(item["url"]), path_b))
    if not targets:
        raise doc.error("'databases' lists no database", "databases")
    return targets


def check_fleet(
    targets: list[Target],
    *,
    strict: bool = False,
    workers: int = 16,
    on_done: Callable[[FleetResult], None] = lambda r: None,
) -> list[FleetResult]:
    """Check every target concurrently; an unreachable one is an error finding, not a crash.

    Each distinct baseline file is read once, however many databases share it."""
    from driftline.schema.baseline import Baseline, load_baseline
    from driftline.schema.check import check

    baselines: dict[Path, Baseline | DriftlineError] = {}
    for t in targets:
        if t.baseline not in baselines:
            try:
                baselines[t.baseline] = load_baseline(t.baseline)
            except DriftlineError as exc:
                baselines[t.baseline] = exc

    def failed(t: Target, exc: DriftlineError) -> FleetResult:
        message = redact(str(exc))
        finding = Finding(
            Severity.ERROR, "fleet.unreachable", f"database {t.name}", message, source=t.name
        )
        return FleetResult(t.name, [finding], message)

    def one(t: Target) -> FleetResult:
        baseline = baselines[t.baseline]
        if isinstance(baseline, DriftlineError):
            return failed(t, baseline)
        try:
            findings = check(t.url, baseline, strict=strict)
        except DriftlineError as exc:
            return failed(t, exc)
        return FleetResult(t.name, [replace(f, source=t.name) for f in findings])

    results = []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        futures = [pool.submit(one, t) for t in targets]
        for future in as_completed(futures):
            result = future.result()
            on_done(result)
            results.append(result)
    return sorted(results, key=lambda r: r.name)
