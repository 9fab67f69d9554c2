"""The terminal rendering at a fixed width, with colour off and with colour forced."""

from __future__ import annotations

import io

from rich.console import Console

from driftline.cli import run
from driftline.findings import Finding, Severity
from driftline.report import build_report, render_terminal
from driftline.report.terminal import COUNT_CHARS, ERROR_CHAR, ratio_char, stage_time_text
from tests.report.synthetic import make_run


def _render(report, **console_args) -> str:
    out = io.StringIO()
    console = Console(file=out, width=100, **console_args)
    render_terminal(report, console)
    return out.getvalue()


def test_plain_rendering_fits_100_columns_and_names_the_bottleneck(tmp_path):
    finding = Finding(Severity.ERROR, "index.missing", "index ix_ticket_status_log", "dropped")
    report = build_report(make_run(tmp_path, samples=3500, findings=[finding.to_dict()]))
    text = _render(report, color_system=None)
    assert "\x1b[" not in text
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "Bottleneck: dispatch" in text and "FAIL" in text
    assert "index.missing" in text
    grid_rows = {
        name: next(line for line in lines if line.startswith(f"{name:>10} "))
        for name in ("create", "dispatch")
    }
    dispatch_cells = grid_rows["dispatch"][11:]
    create_cells = grid_rows["create"][11:]
    # create stays far inside its deadline; dispatch ends beyond it, with errors marked
    assert set(create_cells.strip()) == {"·"}
    assert ERROR_CHAR in dispatch_cells or "█" in dispatch_cells or "▓" in dispatch_cells
    assert dispatch_cells.strip()[0] in "·░"
    assert any(ch in text for ch in COUNT_CHARS[5:])


def test_forced_colour_paints_cells(tmp_path):
    report = build_report(make_run(tmp_path, samples=1400))
    text = _render(report, force_terminal=True, color_system="truecolor")
    assert "\x1b[38;2;" in text  # 24-bit cell colours from the shared palette
    plain = _render(report, color_system=None)
    assert len(text) > len(plain)


def test_grid_rendering_is_fixed_for_fixed_numbers():
    from driftline.report.heatmap import Grid

    grid = Grid(
        "t",
        ["create", "dispatch"],
        ["0:00", "0:05", "0:10"],
        [[0.1, 0.9, None], [1.2, 2.0, 0.6]],
        overlay=[[0.0, 0.0, None], [0.0, 0.5, 0.0]],
    )
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(stage_time_text(grid))
    lines = out.getvalue().splitlines()
    assert lines[0] == "    create ·▒ "
    assert lines[1] == "  dispatch ▓×░"
    assert lines[2].strip() == "0:00"
    assert ratio_char(None) == " " and ratio_char(1.6) == "█"


def test_cli_terminal_flag(tmp_path, capsys):
    run_dir = make_run(tmp_path, samples=700)
    assert run(["report", str(run_dir), "--terminal"]) == 0
    out = capsys.readouterr().out
    assert "Bottleneck" in out and "dispatch" in out
    assert not (run_dir / "report.html").exists()


def test_hour_grid_rendering_is_fixed_for_fixed_numbers():
    from datetime import UTC, datetime

    from driftline.report.heatmap import week_hour_grid
    from driftline.report.terminal import count_grid_text

    monday = datetime(2026, 11, 23, tzinfo=UTC)
    grid = week_hour_grid("created", [monday.replace(hour=2)] * 4 + [monday.replace(hour=3)])
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(
        count_grid_text(grid, label_w=4, cell_w=2, every=6)
    )
    lines = out.getvalue().splitlines()
    assert lines[0].rstrip() == " Mon     @@" + COUNT_CHARS[4] * 2
    assert all(not line.strip()[3:].strip() for line in lines[1:7])  # Tue..Sun empty
    assert lines[7] == "     00          06          12          18"
