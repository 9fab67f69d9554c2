"""``stress judge`` (and ``stress run``, which shares its output) take -o and --fail-on like the
checks; a stage no ticket reached is one "not reached" verdict."""

from __future__ import annotations

from driftline.cli import run
from tests.report.test_figures import known_run


def test_judge_writes_junit_to_output_and_names_unreached_stage_once(tmp_path, capsys):
    run_dir = known_run(tmp_path)
    thresholds = run_dir / "thresholds.yaml"
    thresholds.write_text(
        thresholds.read_text() + "  respond:  {p95_ms: 1000, min_completion: 0.99}\n"
    )
    out = tmp_path / "ci" / "stress.xml"
    code = run(
        ["stress", "judge", str(run_dir), "-f", "junit", "-o", str(out), "--fail-on", "error"]
    )
    assert code == 1
    assert "fail (exit 1)" in capsys.readouterr().out
    xml = out.read_text()
    assert xml.count('type="stress.stage.not_reached"') == 1
    assert "respond not reached" in xml and "no samples" not in xml
    assert 'type="stress.threshold.breached"' in xml


def test_judge_fail_on_warning_and_bad_level(tmp_path, capsys):
    run_dir = known_run(tmp_path)
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text("stages:\n  create: {p95_ms: 1000}\n")
    assert run(["stress", "judge", str(run_dir), "--thresholds", str(lenient)]) == 0
    assert run(["stress", "judge", str(run_dir), "--fail-on", "nonsense"]) == 2
    assert "nonsense" in capsys.readouterr().err
