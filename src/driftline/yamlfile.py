"""Safe YAML reading that remembers where every key and item came from.

``load_yaml(path)`` returns a :class:`YamlDoc`: the plain data (``yaml.safe_load`` semantics) plus
``doc.line("tables", "public.ticket", "indexes")`` → the 1-based line of that node, so every
"bad value" error can name file and line. Syntax errors become :class:`InputFileError` with the
line of the problem.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from driftline.errors import InputFileError

#: libyaml's C loader and dumper when PyYAML has them (about 10x faster), else pure Python. Both
#: are the *safe* variants: no arbitrary Python objects, ever.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def safe_dump(data: Any, **options: Any) -> str:
    return yaml.dump(data, Dumper=SafeDumper, **options)


@dataclass(frozen=True)
class YamlDoc:
    path: str
    data: Any
    text: str = field(default="", repr=False)

    @functools.cached_property
    def root(self) -> yaml.Node | None:
        """The node tree, composed on first use only (line numbers are for errors)."""
        return yaml.compose(self.text, Loader=SafeLoader)

    def node(self, *keys: Hashable) -> yaml.Node | None:
        """The node at a path of mapping keys and sequence indexes, or None."""
        node = self.root
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                node = next(
                    (
                        v
                        for k, v in node.value
                        if isinstance(k, yaml.ScalarNode) and k.value == str(key)
                    ),
                    None,
                )
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                node = node.value[key] if 0 <= key < len(node.value) else None
            else:
                return None
            if node is None:
                return None
        return node

    def line(self, *keys: Hashable) -> int | None:
        """1-based line of the node at ``keys`` (of its nearest existing ancestor), or None."""
        for depth in range(len(keys), -1, -1):
            node = self.node(*keys[:depth])
            if node is not None:
                return node.start_mark.line + 1
        return None

    def error(self, message: str, *keys: Hashable) -> InputFileError:
        """An InputFileError naming this file and the line of ``keys``."""
        return InputFileError(self.path, message, line=self.line(*keys))


#: Texts at least this long (schema baselines of real databases) are first offered to
#: :func:`driftline.yamlfast.fast_load`; smaller ones are read by PyYAML alone.
FAST_LOAD_MIN_CHARS = 32_768


def parse_yaml(text: str, path: str | Path = "<string>") -> YamlDoc:
    if len(text) >= FAST_LOAD_MIN_CHARS:
        from driftline.yamlfast import DEFER, fast_load

        data = fast_load(text)
        if data is not DEFER:
            return YamlDoc(str(path), data, text)
    try:
        data = yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        raise InputFileError(path, f"invalid YAML: {problem}", line=line) from None
    return YamlDoc(str(path), data, text)


def read_text(path: str | Path) -> str:
    """A YAML file's text; unreadable files raise InputFileError."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(path, f"cannot read: {exc.__class__.__name__}: {exc}") from None


def load_yaml(path: str | Path) -> YamlDoc:
    """Read and parse a YAML file safely; unreadable files raise InputFileError."""
    return parse_yaml(read_text(path), path)


def check_header(doc: YamlDoc, kind: str, version: int = 1) -> dict:
    """Require a mapping with ``driftline: <version>`` and ``kind: <kind>``; return the mapping."""
    if not isinstance(doc.data, dict):
        raise doc.error(f"expected a mapping with 'driftline: {version}' and 'kind: {kind}'")
    found = doc.data.get("driftline")
    if found != version:
        raise doc.error(
            f"unsupported driftline file version {found!r} (this driftline reads {version})",
            "driftline",
        )
    if doc.data.get("kind") != kind:
        raise doc.error(f"expected kind '{kind}', found {doc.data.get('kind')!r}", "kind")
    return doc.data
