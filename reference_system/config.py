"""Configuration of the reference system: YAML (safe loading) over defaults.

Every SLA window is configurable down to seconds so drills run in minutes. Unknown keys and bad
values are errors naming the file and line.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from driftline.errors import InputFileError
from driftline.yamlfile import YamlDoc, load_yaml

PRIORITIES = ("P0", "P1", "P2", "P3")
ON_TIMEOUT = ("alert", "skip")


@dataclass(frozen=True)
class DispatchConfig:
    enabled: bool = True
    interval_ms: int = 1000
    query_timeout_ms: int = 500
    on_query_timeout: str = "alert"
    batch_size: int = 50
    lookback_s: int = 3600


@dataclass(frozen=True)
class SlaWindow:
    first_response_s: int
    resolution_s: int


DEFAULT_WINDOWS = {
    "P0": SlaWindow(900, 4 * 3600),
    "P1": SlaWindow(3600, 8 * 3600),
    "P2": SlaWindow(4 * 3600, 24 * 3600),
    "P3": SlaWindow(8 * 3600, 72 * 3600),
}


@dataclass(frozen=True)
class SlaConfig:
    windows: dict[str, SlaWindow] = field(default_factory=lambda: dict(DEFAULT_WINDOWS))
    escalation_s: int = 7200


@dataclass(frozen=True)
class SweeperConfig:
    enabled: bool = True
    interval_ms: int = 1000
    batch_size: int = 500


@dataclass(frozen=True)
class FollowupConfig:
    reopen_window_s: int = 86400
    recurrence_window_s: int = 259200


def default_routing_file() -> Path:
    return Path(str(resources.files("reference_system") / "routing.yaml"))


@dataclass(frozen=True)
class Config:
    dispatch: DispatchConfig = field(default_factory=DispatchConfig)
    sla: SlaConfig = field(default_factory=SlaConfig)
    sweeper: SweeperConfig = field(default_factory=SweeperConfig)
    followup: FollowupConfig = field(default_factory=FollowupConfig)
    routing_file: Path = field(default_factory=default_routing_file)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["routing_file"] = str(self.routing_file)
        return data

    def with_overrides(self, overrides: dict[str, Any]) -> Config:
        """A copy with overrides in the YAML shape, e.g. ``{"dispatch": {"enabled": False}}``."""
        return _apply(self, overrides, None)


#: Largest value of any integer setting (a day in milliseconds, ~11 years in seconds): beyond
#: this a worker's sleep overflows.
MAX_SETTING = 86_400_000 * 4


def _check_int(doc: YamlDoc | None, value: Any, keys: tuple, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_SETTING:
        name = ".".join(map(str, keys))
        raise _error(doc, f"{name} must be an integer from {minimum} to {MAX_SETTING}", keys)
    return value


def _error(doc: YamlDoc | None, message: str, keys: tuple) -> InputFileError:
    if doc is None:
        return InputFileError("<config>", message)
    return doc.error(message, *keys)


def _section(cls, current, data: Any, doc: YamlDoc | None, name: str):
    if not isinstance(data, dict):
        raise _error(doc, f"'{name}' must be a mapping", (name,))
    values = {}
    fields = {f for f in cls.__dataclass_fields__}
    for key, value in data.items():
        keys = (name, key)
        if key not in fields:
            raise _error(
                doc, f"unknown key '{name}.{key}' (known: {', '.join(sorted(fields))})", keys
            )
        default = getattr(current, key)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise _error(doc, f"{name}.{key} must be true or false", keys)
        elif isinstance(default, int):
            value = _check_int(doc, value, keys, minimum=1 if key.endswith("_ms") else 0)
        values[key] = value
    result = replace(current, **values)
    if cls is DispatchConfig and result.on_query_timeout not in ON_TIMEOUT:
        raise _error(
            doc,
            f"dispatch.on_query_timeout must be one of {', '.join(ON_TIMEOUT)}",
            ("dispatch", "on_query_timeout"),
        )
    return result


def _sla(current: SlaConfig, data: Any, doc: YamlDoc | None) -> SlaConfig:
    if not isinstance(data, dict):
        raise _error(doc, "'sla' must be a mapping", ("sla",))
    windows = dict(current.windows)
    escalation = current.escalation_s
    for key, value in data.items():
        if key == "escalation_s":
            escalation = _check_int(doc, value, ("sla", key), minimum=1)
            continue
        if key not in PRIORITIES:
            raise _error(doc, f"unknown key 'sla.{key}' (P0..P3 or escalation_s)", ("sla", key))
        if not isinstance(value, dict) or set(value) - {"first_response_s", "resolution_s"}:
            raise _error(doc, f"sla.{key} takes first_response_s and resolution_s", ("sla", key))
        old = windows[key]
        windows[key] = SlaWindow(
            _check_int(doc, value.get("first_response_s", old.first_response_s), ("sla", key), 1),
            _check_int(doc, value.get("resolution_s", old.resolution_s), ("sla", key), 1),
        )
    return SlaConfig(windows=windows, escalation_s=escalation)


def _apply(config: Config, data: Any, doc: YamlDoc | None) -> Config:
    if data is None:
        return config
    if not isinstance(data, dict):
        raise _error(doc, "a reference-system config is a mapping", ())
    sections = {
        "dispatch": DispatchConfig,
        "sweeper": SweeperConfig,
        "followup": FollowupConfig,
    }
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("driftline", "kind"):
            continue
        if key in sections:
            changes[key] = _section(sections[key], getattr(config, key), value, doc, key)
        elif key == "sla":
            changes["sla"] = _sla(config.sla, value, doc)
        elif key == "routing_file":
            path = Path(str(value))
            if doc is not None and not path.is_absolute():
                path = Path(doc.path).parent / path
            changes["routing_file"] = path
        else:
            known = ", ".join([*sections, "sla", "routing_file"])
            raise _error(doc, f"unknown key '{key}' (known: {known})", (key,))
    return replace(config, **changes)


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Defaults, then the YAML file (if any), then ``overrides`` (same shape as the YAML)."""
    config = Config()
    if path is not None:
        doc = load_yaml(path)
        config = _apply(config, doc.data, doc)
    if overrides:
        config = _apply(config, overrides, None)
    return config
