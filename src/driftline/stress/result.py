"""The outcome of a stress run: verdicts, findings, and the summaries written next to run.json.

Pure glue over :mod:`~driftline.stress.thresholds`, shared by a fresh run
(:mod:`~driftline.stress.runner`) and a re-judged one (:mod:`~driftline.stress.judge`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftline import output
from driftline.findings import Finding, Severity
from driftline.stress import rundir
from driftline.stress.generator import GeneratorHealth
from driftline.stress.reconcile import NOT_CHECKED, Reconciliation
from driftline.stress.summary import StageFigures, Throughput
from driftline.stress.thresholds import (
    Thresholds,
    Verdict,
    exit_code,
    judge,
    overall,
    unaccounted_verdict,
)

MAX_UNACCOUNTED_FINDINGS = 25


@dataclass
class RunResult:
    run_dir: Path
    verdict: str
    exit_code: int
    verdicts: list[Verdict]
    stages: dict[str, StageFigures]
    throughput: Throughput
    generator: GeneratorHealth
    reconcile: Reconciliation
    findings: list[Finding]
    document: dict[str, Any]

    def verdict_findings(self) -> list[Finding]:
        """Every judged limit as a finding (INFO held, ERROR breached) plus the run's own."""
        thresholds_file = self.document["config"].get("thresholds_file")
        held = [
            v.finding(file=thresholds_file if v.line else None) for v in self.verdicts if v.passed
        ]
        return held + self.findings


def assess(
    thresholds: Thresholds,
    stages: Mapping[str, StageFigures],
    throughput: Throughput,
    generator: GeneratorHealth | bool,
    recon: Reconciliation,
    not_observed: Mapping[str, str] | None = None,
) -> tuple[list[Verdict], str]:
    """Verdicts for every threshold plus reconciliation, and the run's verdict.
    ``not_observed``: stages the system lacks (stage → reason)."""
    verdicts = judge(thresholds, stages, throughput, not_observed)
    if recon.source == NOT_CHECKED:
        msg = (
            f"{recon.created} tickets not reconciled: nothing looked them up (a plain Locust "
            "run; driftline stress run reconciles)"
        )
        verdicts.append(Verdict(None, "unaccounted", 0, None, False, msg, observed=False))
    else:
        verdicts.append(unaccounted_verdict(len(recon.unaccounted), recon.created))
    if recon.target_died or recon.unchecked:
        died = recon.target_died or "the target stopped answering"
        unchecked = (
            f"; {len(recon.unchecked)} tickets could not be looked up (target down)"
            if recon.unchecked
            else ""
        )
        verdicts.append(Verdict(None, "target", 0, None, False, died + unchecked))
    return verdicts, overall(verdicts, generator)


def judged(
    run_dir: Path,
    document: Mapping[str, Any],
    *,
    thresholds: Thresholds,
    thresholds_file: str | Path,
    stages: dict[str, StageFigures],
    throughput: Throughput,
    generator: GeneratorHealth,
    recon: Reconciliation,
    not_observed: Mapping[str, str] | None = None,
) -> RunResult:
    """A run's figures judged against ``thresholds``: its verdicts and findings, in the result
    and in a copy of ``document`` (the run.json that carries them)."""
    verdicts, verdict = assess(thresholds, stages, throughput, generator, recon, not_observed)
    findings = run_findings(verdicts, generator, recon, file=str(thresholds_file))
    doc = {
        **document,
        "thresholds": thresholds.to_dict(),
        "verdicts": [v.to_dict() for v in verdicts],
        "verdict": verdict,
        "exit_code": exit_code(verdict),
        "findings": [f.to_dict() for f in findings],
    }
    return RunResult(
        run_dir=run_dir,
        verdict=verdict,
        exit_code=exit_code(verdict),
        verdicts=verdicts,
        stages=stages,
        throughput=throughput,
        generator=generator,
        reconcile=recon,
        findings=findings,
        document=doc,
    )


def locust_counts(status: Mapping[str, Any]) -> dict[str, Any]:
    """Locust's own request counts from the master's status, for run.json."""
    return {
        "requests": status.get("requests", 0),
        "failures": status.get("failures", 0),
        "fail_ratio": status.get("fail_ratio", 0.0),
        "workers": int(status.get("peak_workers", 0)),
    }


def run_findings(
    verdicts: list[Verdict], generator: GeneratorHealth, recon: Reconciliation, *, file: str | None
) -> list[Finding]:
    """Findings a run records: each breach, each unaccounted ticket, a saturated generator."""
    # the target's death is the finding below, with what it means for the tickets
    failed = [v for v in verdicts if not v.passed and v.metric != "target"]
    findings = [v.finding(file=file if v.line else None) for v in failed]
    findings = [f for f in findings if f.kind != "stress.tickets.unaccounted"]
    if recon.target_down or recon.target_died:
        died = recon.target_died or "target down: the system under test stopped answering"
        if recon.source == "database":
            tickets = "its tickets were reconciled through its database"
            fix = None
        else:
            tickets = f"{len(recon.unchecked)} tickets could not be looked up"
            fix = "pass --db with the system's database to reconcile through it"
        findings.append(
            Finding(
                Severity.ERROR, "stress.target.down", "system under test", f"{died}; {tickets}", fix
            )
        )
    for item in recon.unaccounted[:MAX_UNACCOUNTED_FINDINGS]:
        findings.append(
            Finding(
                Severity.ERROR,
                "stress.ticket.unaccounted",
                f"ticket {item['ticket_id']}",
                f"ticket {item['ticket_id']} is unaccounted for: {item['reason']}",
            )
        )
    if len(recon.unaccounted) > MAX_UNACCOUNTED_FINDINGS:
        more = len(recon.unaccounted) - MAX_UNACCOUNTED_FINDINGS
        findings.append(
            Finding(
                Severity.ERROR,
                "stress.ticket.unaccounted",
                "tickets",
                f"{more} more unaccounted tickets (see run.json reconcile.unaccounted)",
            )
        )
    if generator.saturated:
        findings.append(
            Finding(
                Severity.WARNING,
                "stress.generator.saturated",
                "load generator",
                f"the load generator saturated (CPU up to {generator.cpu_percent_max:.0f} % over "
                "5 s): figures measure the generator too, the run is inconclusive",
                fix="run with --workers N (one Locust process per core) or fewer --users",
            )
        )
    return findings


def summary_title(result: RunResult, fmt: str) -> str:
    """JUnit keeps a stable suite name (CI tools key test history on it); others say more."""
    if fmt == "junit":
        return "driftline stress run"
    return f"driftline stress run {result.run_dir.name}: {result.verdict}"


def write_summaries(result: RunResult) -> None:
    """``junit.xml`` and ``summary.md`` in the run directory, through :mod:`driftline.output`."""
    findings = result.verdict_findings()
    for name, fmt in ((rundir.JUNIT_FILE, "junit"), (rundir.SUMMARY_FILE, "markdown")):
        title = summary_title(result, fmt)
        text = output.render(findings, fmt, title=title, fail_on=Severity.ERROR)
        (result.run_dir / name).write_text(text, encoding="utf-8")
