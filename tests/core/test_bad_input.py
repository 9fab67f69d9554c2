"""Bad input across commands: one line naming the file, option or host, exit 2, no traceback."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest

from driftline.cli import run


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "x.db").write_text("not a database, only text " * 10)
    sqlite3.connect(tmp_path / "real.db").close()
    (tmp_path / "outdir").mkdir()
    (tmp_path / "latin1.sql").write_bytes(b"CREATE TABLE t (c text); -- caf\xe9\n")
    (tmp_path / "deep.sql").write_text("SELECT " + "(" * 5000 + "1" + ")" * 5000 + ";\n")
    for name, data in {
        "badutf": b'{"driftline": 1, "kind": "stress-run", "x": "\xff"}',
        "deepjson": b"[" * 100_000 + b"]" * 100_000,
    }.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "run.json").write_bytes(data)
    (tmp_path / "huge.yaml").write_text(
        "dispatch:\n  interval_ms: 100000000000000000000000000000\n"
    )
    return tmp_path


def _busy_port() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock, sock.getsockname()[1]


CASES = [
    ("schema snapshot --db sqlite:///{d}/x.db -o {d}/b.yaml", "x.db: file is not a database"),
    ("schema snapshot --db sqlite:///{d}/real.db -o {d}/outdir", "outdir: Is a directory"),
    ("schema snapshot --from-sql {d}/latin1.sql --dialect sqlite -o b.yaml", "latin1.sql: cannot"),
    ("lint {d}/deep.sql", "nested too deeply"),
    ("stress judge {d}/badutf", "badutf/run.json: not UTF-8 text"),
    ("stress judge {d}/deepjson", "deepjson/run.json: JSON nested too deeply"),
    ("plan capture --db sqlite:///{d}/real.db --statement-timeout-ms -1", "--statement-timeout-ms"),
    ("plan capture --db sqlite:///{d}/real.db --statement-timeout-ms 0", "--statement-timeout-ms"),
    ("plan check --db sqlite:///{d}/real.db --statement-timeout-ms 1e20", "--statement-timeout-ms"),
    ("refsys seed --db sqlite:///{d}/r.db --tickets 1e20", "--tickets"),
    ("refsys serve --db sqlite:///{d}/r.db --port -1", "--port"),
    ("refsys serve --db sqlite:///{d}/r.db --port 70000", "--port"),
    ("refsys serve --db sqlite:///{d}/r.db --host no-such-host.invalid", "--host no-such-host"),
    ("refsys serve --db sqlite:///{d}/r.db --port {busy}", "Address already in use"),
    ("refsys init --db sqlite:///{d}/r.db --config {d}/huge.yaml", "huge.yaml:2"),
    ("refsys init --db postgresql://127.0.0.1/", "127.0.0.1/ names no database"),
    ("stress run --db mysql://root@127.0.0.1:3306 -t 1s", "3306/ names no database"),
]


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[c[0].split(" -")[0] for c in CASES])
def test_bad_input_is_one_line_and_exit_2(files, command, expected, capsys):
    sock, busy = _busy_port()
    try:
        argv = command.format(d=files, busy=busy).split()
        code = run(argv)
    finally:
        sock.close()
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert expected in err, err
    assert "internal error" not in err and "Traceback" not in err


def test_thresholds_nan_and_empty_are_refused(tmp_path):
    from driftline.errors import InputFileError
    from driftline.stress.thresholds import load_thresholds

    (tmp_path / "nan.yaml").write_text("stages:\n  create: {p95_ms: .nan}\n")
    (tmp_path / "empty.yaml").write_text("")
    with pytest.raises(InputFileError, match=r"nan\.yaml:2: create\.p95_ms must be a finite"):
        load_thresholds(tmp_path / "nan.yaml")
    with pytest.raises(InputFileError, match=r"empty\.yaml: the thresholds file is empty"):
        load_thresholds(tmp_path / "empty.yaml")


# --- addresses, locks and the re-probed cases of the robustness issue ------------------------

ROBUST_CASES = [
    ("stress run --target http://[::1]:99999 -t 1s", "--target http://[::1]:99999: the port"),
    ("stress run --target http://127.0.0.1:0 -t 1s", "the port is not in 1..65535"),
    ("stress run --target http://no-such-host.invalid:8080 -t 1s", "host no-such-host.invalid"),
    ("stress run --target ftp://x -t 1s", "--target must be an http(s) URL"),
    ("refsys serve --db sqlite:///{d}/r.db --port {busy}", "--port {busy}: cannot listen"),
    ("schema snapshot --db postgresql:// -o {d}/b.yaml", "localhost/ names no database"),
    ("schema snapshot --db mysql://root@127.0.0.1:3306 -o {d}/b.yaml", "3306/ names no database"),
    ("stress run --spawn-rate nan -t 1s", "--spawn-rate must be a positive number"),
    ("stress run --step-deadline-s inf -t 1s", "--step-deadline-s must be a positive"),
    ("stress run --refsys-config {d}/huge.yaml -t 1s", "huge.yaml:2: dispatch.interval_ms"),
    ("plan check --db sqlite:///{d}/real.db -b {d}/b.yaml --lock-timeout-ms 0", "--lock-timeout"),
    ("stress run --scenario {d}/x.db -t 1s", "x.db: a locustfile is a .py file"),
]


@pytest.mark.parametrize(("command", "expected"), ROBUST_CASES, ids=[c[0] for c in ROBUST_CASES])
def test_robust_bad_input_is_one_line_and_exit_2(files, command, expected, capsys):
    sock, busy = _busy_port()
    try:
        code = run(command.format(d=files, busy=busy).split())
    finally:
        sock.close()
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert expected.format(busy=busy) in err, err
    assert "internal error" not in err and "Traceback" not in err
