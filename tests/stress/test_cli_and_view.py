"""The CLI's own contract (durations, exit 2 before anything starts) and the live view."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from driftline.cli import run
from driftline.cli.stress import parse_duration
from driftline.errors import UsageError
from driftline.stress.live import live_view
from driftline.stress.runner import LiveStatus


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("2m", 120), ("1m30s", 90), ("1h", 3600)]
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "0s", "2x"])
def test_bad_durations(text):
    with pytest.raises(UsageError):
        parse_duration(text)


def test_bad_thresholds_exit_2_naming_file_and_line(tmp_path, capsys):
    bad = tmp_path / "limits.yaml"
    bad.write_text("stages:\n  dispatch: {p95_ms: 100}\n  dispach: {p95_ms: 1}\n")
    code = run(["stress", "run", "--thresholds", str(bad), "--out", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{bad}:3: unknown stage 'dispach' (did you mean 'dispatch'?)" in err
    assert not (tmp_path / "runs").exists()  # nothing started, no run directory


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--users", "0"], "--users must be at least 1"),
        (["--duration", "later"], "not a duration"),
        (["--alert-share", "2"], "--alert-share must be between 0 and 1"),
        (["--target", "localhost:80"], "--target must be an http(s) URL"),
        (["-f", "yaml"], "unknown format 'yaml'"),
    ],
)
def test_bad_options_exit_2(args, words, tmp_path, capsys):
    code = run(["stress", "run", "--out", str(tmp_path), *args])
    assert code == 2
    assert words in capsys.readouterr().err


def test_unreachable_target_exit_2(tmp_path, capsys):
    code = run(["stress", "run", "--target", "http://127.0.0.1:9", "--out", str(tmp_path)])
    assert code == 2
    assert "target http://127.0.0.1:9 is not reachable" in capsys.readouterr().err


def render(renderable) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=100, color_system=None, force_terminal=False).print(renderable)
    return buffer.getvalue()


def test_live_view_shows_users_rate_errors_and_stage_p95():
    status = {
        "users": 100,
        "workers": 2,
        "rps": 412.5,
        "failures": 3,
        "fail_ratio": 0.002,
        "tickets": 1234,
        "stages": {"dispatch": {"count": 1200, "failed": 4, "p95_ms": 1870.0}},
    }
    text = render(live_view(LiveStatus("load", 42.0, 120.0, status, {"master": 12.0})))
    assert "42 s / 120 s" in text
    assert "users 100" in text and "workers 2" in text and "req/s 412.5" in text
    assert "HTTP errors 3 (0.2 %)" in text and "tickets 1234" in text
    assert "generator CPU 12 %" in text
    line = next(ln for ln in text.splitlines() if "dispatch" in ln)
    assert line.split()[1:5] == ["dispatch", "1200", "4", "1,870"]
    assert all(stage in text for stage in ("create", "alert", "followup", "reopen"))


def test_live_view_says_not_observed_for_a_stage_the_system_lacks():
    status = {
        "users": 10,
        "stage_order": ["create", "dispatch", "followup", "triage"],
        "not_observed": {"followup": "RT has no customer confirmation"},
        "stages": {"triage": {"count": 7, "failed": 0, "p95_ms": 120.0}},
    }
    lines = render(live_view(LiveStatus("load", 5.0, 60.0, status))).splitlines()
    followup = next(ln for ln in lines if "followup" in ln)
    assert "not observed" in followup
    assert next(ln for ln in lines if "triage" in ln).split()[1:5] == ["triage", "7", "0", "120"]
    assert not any("reopen" in ln for ln in lines)  # the adapter's stages, not refsys's


def test_live_view_before_the_load():
    assert "starting the reference system" in render(live_view(LiveStatus("starting", 0, 60)))


def test_host_process_never_imports_locust_or_gevent():
    """The runner drives Locust from outside: importing it must not gevent-patch anything."""
    import subprocess
    import sys

    code = (
        "import sys, driftline.cli, driftline.stress.runner, driftline.stress.judge, "
        "driftline.stress.live, driftline.stress.rundir; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('locust', 'gevent')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_stress_api_is_pinned():
    import driftline.stress

    assert sorted(driftline.stress.__all__) == [
        "LiveStatus",
        "RunResult",
        "STAGE_ORDER",
        "StageHistograms",
        "StressOptions",
        "Thresholds",
        "load_thresholds",
        "parse_thresholds",
        "read_histograms",
        "read_run",
        "rejudge",
        "run_stress",
    ]
