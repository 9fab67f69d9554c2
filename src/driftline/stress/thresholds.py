"""Thresholds a stress run is judged by, and the verdict.

The file (``scenarios/thresholds.yaml`` by default)::

    driftline: 1                 # optional header
    stages:
      dispatch: {p95_ms: 2000, p99_ms: 5000, max_error_rate: 0.01, min_completion: 0.99}
      alert:    {p95_ms: 3000}
    throughput: {min_tickets_per_s: 5}   # optional; no floor unless set

Stage keys: ``p50_ms``, ``p95_ms``, ``p99_ms``, ``max_ms`` (upper limits, ms),
``max_error_rate`` and ``min_completion`` (fractions 0..1). Throughput: ``min_tickets_per_s``.
An unknown key or stage is an error naming the file and line (exit 2). A stage with limits but
no samples is one ``not reached`` breach (its limits cannot be judged): a stage is never silently
absent, and never counted once per limit.

Verdict: ``fail`` when a ticket is unaccounted for (whatever else happened); else
``inconclusive`` when the load generator saturated; else ``fail`` on any breach; else ``pass``.
Exit codes 0 pass, 1 fail, 3 inconclusive.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftline.errors import InputFileError, UsageError
from driftline.findings import Finding, Severity
from driftline.stress.generator import GeneratorHealth
from driftline.stress.stages import STAGE_ORDER
from driftline.stress.summary import StageFigures, Throughput
from driftline.yamlfile import YamlDoc, load_yaml, parse_yaml

#: Stage threshold key → (figure it limits, "max" or "min", unit).
STAGE_KEYS: dict[str, tuple[str, str, str]] = {
    "p50_ms": ("p50_ms", "max", "ms"),
    "p95_ms": ("p95_ms", "max", "ms"),
    "p99_ms": ("p99_ms", "max", "ms"),
    "max_ms": ("max_ms", "max", "ms"),
    "max_error_rate": ("error_rate", "max", "ratio"),
    "min_completion": ("completion", "min", "ratio"),
}
THROUGHPUT_KEYS = ("min_tickets_per_s",)
TOP_KEYS = ("driftline", "stages", "throughput")
EXIT_CODES = {"pass": 0, "fail": 1, "inconclusive": 3}
#: The metric of a stage's one breach when no sample reached it (its limit: at least 1 sample).
NOT_REACHED = "reached"

DEFAULT_FILE = Path("scenarios/thresholds.yaml")


@dataclass(frozen=True)
class Threshold:
    stage: str | None  # None for throughput
    key: str
    limit: float
    line: int | None = None


@dataclass
class Thresholds:
    items: list[Threshold] = field(default_factory=list)
    path: str | None = None
    stage_order: tuple[str, ...] = STAGE_ORDER

    def to_dict(self) -> dict[str, Any]:
        stages: dict[str, dict[str, float]] = {}
        throughput: dict[str, float] = {}
        for t in self.items:
            if t.stage is None:
                throughput[t.key] = t.limit
            else:
                stages.setdefault(t.stage, {})[t.key] = t.limit
        ordered = {s: stages[s] for s in self.stage_order if s in stages}
        return {"stages": ordered, "throughput": throughput}


def parse_thresholds(
    text: str, path: str = "<thresholds>", stages: tuple[str, ...] = STAGE_ORDER
) -> Thresholds:
    """Parse and validate thresholds YAML; every problem names ``path`` and its line.
    ``stages``: the stage names of the system under test (its adapter's)."""
    return _validate(parse_yaml(text, path), stages)


def load_thresholds(
    path: str | Path | None = None, stages: tuple[str, ...] = STAGE_ORDER
) -> Thresholds:
    """Read a thresholds file (default :data:`DEFAULT_FILE`)."""
    return _validate(load_yaml(Path(path) if path is not None else DEFAULT_FILE), stages)


def _validate(doc: YamlDoc, stage_order: tuple[str, ...] = STAGE_ORDER) -> Thresholds:
    if doc.data is None:
        raise doc.error("the thresholds file is empty (expected 'stages' and 'throughput')")
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error("expected a mapping with 'stages' and 'throughput'")
    result = Thresholds(path=doc.path, stage_order=tuple(stage_order))
    for key in data:
        if key not in TOP_KEYS:
            raise _unknown(doc, "key", key, TOP_KEYS, (key,))
    if "driftline" in data and data["driftline"] != 1:
        raise doc.error(f"unsupported version {data['driftline']!r} (expected 1)", "driftline")
    stages = data.get("stages") or {}
    if not isinstance(stages, dict):
        raise doc.error("'stages' must be a mapping of stage → limits", "stages")
    for stage, limits in stages.items():
        if stage not in stage_order:
            raise _unknown(doc, "stage", stage, stage_order, ("stages", stage))
        if not isinstance(limits, dict):
            raise doc.error(f"stage '{stage}' needs a mapping of limits", "stages", stage)
        for key, value in limits.items():
            where = ("stages", stage, key)
            if key not in STAGE_KEYS:
                raise _unknown(doc, f"key for stage '{stage}'", key, STAGE_KEYS, where)
            ratio = STAGE_KEYS[key][2] == "ratio"
            limit = _number(doc, f"{stage}.{key}", value, where, ratio=ratio)
            result.items.append(Threshold(stage, key, limit, doc.line(*where)))
    throughput = data.get("throughput") or {}
    if not isinstance(throughput, dict):
        raise doc.error("'throughput' must be a mapping", "throughput")
    for key, value in throughput.items():
        where = ("throughput", key)
        if key not in THROUGHPUT_KEYS:
            raise _unknown(doc, "throughput key", key, THROUGHPUT_KEYS, where)
        limit = _number(doc, f"throughput.{key}", value, where, ratio=False)
        result.items.append(Threshold(None, key, limit, doc.line(*where)))
    return result


def _unknown(
    doc: YamlDoc, what: str, value: Any, choices: Iterable[str], where: tuple[Any, ...]
) -> InputFileError:
    return doc.error(UsageError.unknown(what, str(value), choices).message, *where)


def _number(doc: YamlDoc, name: str, value: Any, where: tuple[Any, ...], *, ratio: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise doc.error(f"{name} must be a number, not {value!r}", *where)
    if not math.isfinite(value):
        raise doc.error(f"{name} must be a finite number, not {value}", *where)
    if value < 0 or (ratio and value > 1):
        bounds = "between 0 and 1" if ratio else "zero or more"
        raise doc.error(f"{name} must be {bounds}, not {value}", *where)
    return float(value)


@dataclass(frozen=True)
class Verdict:
    """One judged limit, as it appears under ``verdicts`` in ``run.json``."""

    stage: str | None
    metric: str
    limit: float
    actual: float | None
    passed: bool
    message: str
    line: int | None = None
    observed: bool = True  # False: the system lacks the stage; neither held nor breached

    def to_dict(self) -> dict[str, Any]:
        actual = None if self.actual is None else round(self.actual, 4)
        doc = {
            "stage": self.stage,
            "metric": self.metric,
            "limit": self.limit,
            "actual": actual,
            "passed": self.passed,
            "message": self.message,
        }
        if not self.observed:
            doc["observed"] = False
        return doc

    def finding(self, file: str | None = None, source: str | None = None) -> Finding:
        """ERROR for a breach, INFO for a limit that held (JUnit shows both)."""
        what = f"stage {self.stage}" if self.stage else "run"
        if not self.observed:
            return Finding(
                Severity.WARNING,
                "stress.stage.not_observed" if self.stage else "stress.not_checked",
                f"{what} {self.metric}",
                self.message,
                file=file,
                line=self.line,
                source=source,
                details={"limit": self.limit, "actual": None},
            )
        if self.metric == "unaccounted":
            kind = "stress.tickets.accounted" if self.passed else "stress.tickets.unaccounted"
        elif self.metric == NOT_REACHED:
            kind = "stress.stage.not_reached"
        elif self.passed:
            kind = "stress.threshold.held"
        else:
            kind = "stress.threshold.breached"
        return Finding(
            Severity.INFO if self.passed else Severity.ERROR,
            kind,
            f"{what} {self.metric}",
            self.message,
            file=file,
            line=self.line,
            source=source,
            details={"limit": self.limit, "actual": self.actual},
        )


def _fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:.0f} ms"
    if unit == "ratio":
        return f"{value:.4g}"
    return f"{value:.2f}/s"


def judge_stage(t: Threshold, fig: StageFigures | None) -> Verdict:
    figure, direction, unit = STAGE_KEYS[t.key]
    label = figure.replace("_ms", "")
    actual = fig.get(figure) if fig is not None else None
    if actual is None:
        msg = f"{t.stage} {label}: no samples (the stage never completed or never ran)"
        return Verdict(t.stage, t.key, t.limit, None, False, msg, t.line)
    passed = actual <= t.limit if direction == "max" else actual >= t.limit
    op = ("<=" if passed else ">") if direction == "max" else (">=" if passed else "<")
    msg = f"{t.stage} {label} {_fmt(actual, unit)} {op} {_fmt(t.limit, unit)}"
    return Verdict(t.stage, t.key, t.limit, actual, passed, msg, t.line)


def not_reached(stage: str, limits: list[Threshold]) -> Verdict:
    """The one breach of a stage with limits that no sample reached."""
    keys = ", ".join(t.key for t in limits)
    msg = f"{stage} not reached: no ticket got this far, so its limits ({keys}) were not judged"
    return Verdict(stage, NOT_REACHED, 1, 0.0, False, msg, limits[0].line)


def not_observed_verdict(t: Threshold, reason: str) -> Verdict:
    label = STAGE_KEYS[t.key][0].replace("_ms", "")
    msg = f"{t.stage} {label}: not observed ({reason})"
    return Verdict(t.stage, t.key, t.limit, None, False, msg, t.line, observed=False)


def judge(
    thresholds: Thresholds,
    stages: Mapping[str, StageFigures],
    throughput: Throughput,
    not_observed: Mapping[str, str] | None = None,
) -> list[Verdict]:
    """One verdict per threshold, in file order; one ``not reached`` per stage without samples.
    A limit on a stage the system lacks (``not_observed``: stage → reason) is a *not observed*
    verdict: never passed, never breached."""
    not_observed = not_observed or {}
    unreached: dict[str, list[Threshold]] = {}
    for t in thresholds.items:
        fig = stages.get(t.stage) if t.stage is not None else None
        if t.stage is not None and t.stage not in not_observed and (fig is None or not fig.count):
            unreached.setdefault(t.stage, []).append(t)
    verdicts = []
    for t in thresholds.items:
        if t.stage is not None and t.stage in not_observed:
            verdicts.append(not_observed_verdict(t, not_observed[t.stage]))
            continue
        if t.stage is not None and t.stage in unreached:
            if unreached[t.stage][0] is t:
                verdicts.append(not_reached(t.stage, unreached[t.stage]))
            continue
        if t.stage is not None:
            verdicts.append(judge_stage(t, stages.get(t.stage)))
            continue
        actual = throughput.tickets_per_s
        passed = actual >= t.limit
        op = ">=" if passed else "<"
        msg = f"throughput {actual:.2f} tickets/s {op} {t.limit:.2f} tickets/s"
        verdicts.append(Verdict(None, t.key, t.limit, actual, passed, msg, t.line))
    return verdicts


def unaccounted_verdict(unaccounted: int, created: int) -> Verdict:
    passed = unaccounted == 0
    msg = (
        f"all {created} tickets the run created are accounted for"
        if passed
        else f"{unaccounted} of {created} tickets the run created are unaccounted for"
    )
    return Verdict(None, "unaccounted", 0, float(unaccounted), passed, msg)


def overall(verdicts: list[Verdict], generator: GeneratorHealth | bool) -> str:
    """``pass`` | ``fail`` | ``inconclusive`` (see the module docstring for the order).

    ``generator``: the recorded health of the load generator, or just whether it saturated.
    """
    if any(v.metric == "unaccounted" and not v.passed and v.observed for v in verdicts):
        return "fail"
    saturated = generator if isinstance(generator, bool) else generator.saturated
    if saturated:
        return "inconclusive"
    return "fail" if any(not v.passed and v.observed for v in verdicts) else "pass"


def exit_code(verdict: str) -> int:
    return EXIT_CODES[verdict]
