"""The routing decision tree and the config file's errors."""

from __future__ import annotations

import pytest

from driftline.errors import InputFileError
from reference_system.config import load_config
from reference_system.routing import load_routing


@pytest.mark.parametrize(
    ("title", "source", "region", "category", "department", "rule"),
    [
        ("Store is DOWN, no network", "hotline", "west", "store", "network", "outage-by-phone"),
        ("wifi keeps dropping", "app", "west", "store", "network", "network-words"),
        ("I was double charged", "web_form", "south", "other", "billing", "payments"),
        ("question about my bill", "app", "south", "billing", "billing", "billing-category"),
        ("POS till frozen", "hotline", "east", "equipment", "store_ops", "tills-and-scales"),
        ("parcel missing", "web_form", "north", "delivery", "logistics_north", "north-deliveries"),
        ("parcel missing", "web_form", "south", "delivery", "logistics", "deliveries"),
        ("cannot log in", "app", "south", "account", "digital", "app-accounts"),
        ("cannot log in", "web_form", "south", "account", "general", "default"),
    ],
)
def test_first_matching_rule_wins(routing, title, source, region, category, department, rule):
    got = routing.explain(
        title=title, description="", source=source, region=region, category=category
    )
    assert got == (department, rule)


def test_config_unknown_key_names_file_and_line(tmp_path):
    path = tmp_path / "refsys.yaml"
    path.write_text("dispatch:\n  interval_ms: 100\n  on_timeout: skip\n")
    with pytest.raises(InputFileError, match=r"refsys.yaml:3: unknown key 'dispatch.on_timeout'"):
        load_config(path)


def test_config_bad_mode_and_window(tmp_path):
    path = tmp_path / "refsys.yaml"
    path.write_text("dispatch:\n  on_query_timeout: ignore\n")
    with pytest.raises(InputFileError, match=r"refsys.yaml:2: dispatch.on_query_timeout must be"):
        load_config(path)
    path.write_text("sla:\n  P1: {first_response_s: 0}\n")
    with pytest.raises(InputFileError, match=r"refsys.yaml:2:"):
        load_config(path)


def test_config_windows_down_to_seconds(tmp_path):
    path = tmp_path / "refsys.yaml"
    path.write_text("sla:\n  P0: {first_response_s: 2, resolution_s: 5}\n  escalation_s: 3\n")
    config = load_config(path)
    assert config.sla.windows["P0"].first_response_s == 2
    assert config.sla.escalation_s == 3
    assert config.dispatch.on_query_timeout == "alert"


def test_routing_file_errors_name_the_line(tmp_path):
    path = tmp_path / "routing.yaml"
    path.write_text(
        "driftline: 1\nkind: routing\ndefault: general\nrules:\n"
        "  - name: a\n    department: x\n    when: {colour: red}\n"
    )
    with pytest.raises(InputFileError, match=r"routing.yaml:7: unknown condition 'colour'"):
        load_routing(path)
