"""The reference-system config of a stress run: short SLA windows, a user's file merged over."""

from __future__ import annotations

from driftline.cli import run
from driftline.stress.refsys_proc import STRESS_CONFIG, first_response_windows, load_config
from driftline.stress.runner import StressOptions, scenario_args


def test_defaults_have_short_windows():
    config = load_config(None)
    assert first_response_windows(config) == {"P0": 2, "P1": 3, "P2": 4, "P3": 5}
    assert config["dispatch"]["enabled"] and config["sweeper"]["enabled"]


def test_a_users_file_is_merged_key_by_key(tmp_path):
    path = tmp_path / "refsys.yaml"
    path.write_text("dispatch: {query_timeout_ms: 50}\nsla:\n  P0: {first_response_s: 1}\n")
    config = load_config(path)
    assert config["dispatch"] == {**STRESS_CONFIG["dispatch"], "query_timeout_ms": 50}
    assert config["sla"]["P0"] == {"first_response_s": 1, "resolution_s": 120}
    assert config["sla"]["P3"] == STRESS_CONFIG["sla"]["P3"]
    # a drill's dict works the same way, and the scenario learns the windows
    drill = load_config({"sla": {"P2": {"first_response_s": 7}}})
    args = scenario_args(StressOptions(), drill, "tag")
    assert args[args.index("--first-response-s") + 1] == "P0=2,P1=3,P2=7,P3=5"


def test_bad_refsys_config_exit_2(tmp_path, capsys):
    path = tmp_path / "refsys.yaml"
    path.write_text("dispatch: [\n")
    code = run(["stress", "run", "--refsys-config", str(path), "--out", str(tmp_path / "runs")])
    assert code == 2
    assert f"{path}:2: invalid YAML" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()
