"""Thresholds: validation naming file and line, judging, the verdict and its exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftline.errors import InputFileError
from driftline.stress.generator import GeneratorHealth
from driftline.stress.reconcile import Reconciliation
from driftline.stress.result import assess
from driftline.stress.stages import Sample
from driftline.stress.summary import Throughput, stage_figures
from driftline.stress.thresholds import exit_code, load_thresholds, parse_thresholds

GOOD = """\
stages:
  dispatch: {p95_ms: 2000, p99_ms: 5000, max_error_rate: 0.01, min_completion: 0.99}
throughput: {min_tickets_per_s: 5}
"""


def samples(stage: str, latencies: list[float], failed: int = 0, reason: str = "deadline"):
    rows = [Sample(str(i), stage, 1.0, ms, True) for i, ms in enumerate(latencies)]
    rows += [Sample(f"f{i}", stage, 1.0, 10_000.0, False, reason) for i in range(failed)]
    return rows


def test_the_documented_shape_parses():
    t = parse_thresholds(GOOD, "t.yaml")
    assert t.to_dict() == {
        "stages": {
            "dispatch": {
                "p95_ms": 2000,
                "p99_ms": 5000,
                "max_error_rate": 0.01,
                "min_completion": 0.99,
            }
        },
        "throughput": {"min_tickets_per_s": 5},
    }
    assert {x.line for x in t.items} == {2, 3}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "stages:\n  dispatch: {p95_ms: 1}\n  dispach: {p95_ms: 1}\n",
            3,
            "did you mean 'dispatch'",
        ),
        ("stages:\n  dispatch:\n    p95: 1\n", 3, "did you mean 'p95_ms'"),
        ("stages: {}\nthroughput:\n  max_tickets_per_s: 1\n", 3, "throughput key"),
        ("stage: {}\n", 1, "unknown key 'stage'"),
        ("stages:\n  dispatch: {min_completion: 1.5}\n", 2, "between 0 and 1"),
        ("stages:\n  dispatch: {p95_ms: fast}\n", 2, "must be a number"),
        ("stages:\n  dispatch: [1, 2]\n", 2, "needs a mapping"),
        ("stages: {dispatch: {p95_ms: 1}\n", 2, "invalid YAML"),
    ],
)
def test_bad_files_name_file_and_line(text, line, words):
    with pytest.raises(InputFileError) as err:
        parse_thresholds(text, "limits.yaml")
    assert str(err.value).startswith(f"limits.yaml:{line}: ")
    assert words in str(err.value)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        load_thresholds(tmp_path / "nope.yaml")


def test_default_thresholds_are_valid_and_the_installed_copy_matches():
    repo = Path(__file__).resolve().parents[2]
    shipped = repo / "src/driftline/stress/defaults/thresholds.yaml"
    scenario = repo / "scenarios/thresholds.yaml"
    assert shipped.read_text() == scenario.read_text()
    assert load_thresholds(scenario).items


def judge_case(latencies, failed=0, tickets=600, seconds=60.0, saturated=False, unaccounted=0):
    figures = stage_figures(samples("dispatch", latencies, failed))
    recon = Reconciliation(
        created=tickets,
        accounted=tickets - unaccounted,
        unaccounted=[{"ticket_id": "9", "reason": "x"}] * unaccounted,
    )
    cpu = [95.0] * 6 if saturated else [40.0] * 6
    health = GeneratorHealth.from_samples({"local": cpu})
    return assess(parse_thresholds(GOOD), figures, Throughput(tickets, seconds), health, recon)


def test_all_hold_is_pass_exit_0():
    verdicts, verdict = judge_case([100.0] * 200)
    assert verdict == "pass" and exit_code(verdict) == 0
    assert all(v.passed for v in verdicts)


def test_breaches_name_each_limit_exit_1():
    verdicts, verdict = judge_case([100.0] * 90 + [3000.0] * 10, failed=3, tickets=120)
    assert verdict == "fail" and exit_code(verdict) == 1
    breached = {v.metric: v.message for v in verdicts if not v.passed}
    assert set(breached) == {"p95_ms", "p99_ms", "min_completion", "min_tickets_per_s"}
    assert breached["p95_ms"] == "dispatch p95 3000 ms > 2000 ms"
    assert breached["min_tickets_per_s"] == "throughput 2.00 tickets/s < 5.00 tickets/s"
    # deadline misses lower completion but are not errors
    assert "max_error_rate" not in breached


def test_saturated_generator_is_inconclusive_exit_3():
    _, verdict = judge_case([100.0] * 90 + [3000.0] * 10, saturated=True)
    assert verdict == "inconclusive" and exit_code(verdict) == 3


def test_saturation_needs_five_seconds_over_ninety_percent():
    brief = GeneratorHealth.from_samples({"master": [20, 99, 99, 20, 20, 20, 20]})
    sustained = GeneratorHealth.from_samples({"worker-1": [20, 92, 95, 91, 90, 93, 20]})
    assert not brief.saturated
    assert sustained.saturated and sustained.cpu_percent_max == pytest.approx(92.2)
    assert GeneratorHealth.from_dict(sustained.to_dict()).saturated


def test_locust_cpu_warning_alone_saturates():
    health = GeneratorHealth.from_samples({"local": [10.0]}, reported_warning=True)
    assert health.saturated


def test_unaccounted_ticket_fails_even_a_saturated_run():
    verdicts, verdict = judge_case([100.0] * 200, saturated=True, unaccounted=1)
    assert verdict == "fail"
    assert [v.message for v in verdicts if not v.passed] == [
        "1 of 600 tickets the run created are unaccounted for"
    ]


def test_stage_without_samples_is_one_not_reached_breach_not_a_pass():
    verdicts, verdict = judge_case([])
    assert verdict == "fail"
    stage_verdicts = [v for v in verdicts if v.stage == "dispatch"]
    assert len(stage_verdicts) == 1  # one breach, not one per limit
    (v,) = stage_verdicts
    assert (v.metric, v.passed, v.actual) == ("reached", False, 0.0)
    assert v.message.startswith("dispatch not reached: no ticket got this far")
    assert "p95_ms, p99_ms, max_error_rate, min_completion" in v.message
    assert v.finding().kind == "stress.stage.not_reached"


def test_default_thresholds_have_no_throughput_floor():
    import driftline.stress

    installed = Path(driftline.stress.__file__).with_name("defaults") / "thresholds.yaml"
    repo = Path(__file__).resolve().parents[2] / "scenarios" / "thresholds.yaml"
    for path in (installed, repo):
        assert [t for t in load_thresholds(path).items if t.stage is None] == [], path


def test_error_rate_counts_errors_not_deadlines():
    figures = stage_figures(samples("respond", [5.0] * 97, failed=3, reason="http_500"))
    fig = figures["respond"]
    assert (fig.count, fig.ok, fig.failed, fig.errors, fig.deadline_missed) == (100, 97, 3, 3, 0)
    assert fig.error_rate == pytest.approx(0.03) and fig.completion == pytest.approx(0.97)
    assert fig.reasons == {"http_500": 3}


def test_a_stage_the_system_lacks_is_not_observed_never_passed_never_breached():
    text = "stages:\n  dispatch: {p95_ms: 2000}\n  followup: {min_completion: 0.99}\n"
    limits = parse_thresholds(text, "t.yaml")
    stages = stage_figures(samples("dispatch", [100.0] * 20))
    verdicts, verdict = assess(
        limits,
        stages,
        Throughput(20, 10.0),
        False,
        Reconciliation(created=20, accounted=20),
        {"followup": "the system has no follow-up"},
    )
    followup = next(v for v in verdicts if v.stage == "followup")
    assert not followup.passed and not followup.observed
    assert "not observed (the system has no follow-up)" in followup.message
    assert followup.to_dict()["observed"] is False
    assert followup.finding().severity.name == "WARNING"
    assert verdict == "pass"


def test_an_adapters_stage_names_are_the_valid_ones():
    text = "stages:\n  triage: {p95_ms: 100}\n  dispatch: {p95_ms: 100}\n"
    with pytest.raises(InputFileError, match=r"t\.yaml:3: unknown stage 'dispatch'"):
        parse_thresholds(text, "t.yaml", stages=("create", "triage"))
