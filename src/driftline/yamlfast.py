"""PyYAML's safe-loading answer, fast, for big files such as schema baselines.

PyYAML builds every node in Python even with libyaml's C parser: a 10,000-table baseline takes
seconds. :func:`fast_load` lets ``yaml_rs`` (a Rust YAML 1.2 parser) read the text instead, and
returns its answer only when that answer is provably the one ``yaml.safe_load`` (YAML 1.1) gives;
otherwise it returns :data:`DEFER` and the caller reads the file with PyYAML, which also words any
syntax error with its line. The two differ only on plain scalars and a few constructs:

- a string yaml_rs returns that PyYAML's resolver would type (``yes``, ``on``, ``2027-03-31``,
  ``1:30``, ``0b11``) when written plain, and YAML 1.2 would not: it may have been written plain;
- numbers: yaml_rs reads more spellings as numbers (``017``, ``0o17``, ``1e3``, ``-.5``, ``_1``), so
  every plain token that may be a number is read by both parsers and must agree;
- merge keys (``<<``), tags, directives, several documents, non-scalar keys, tokens starting
  with ``:``, duplicate keys (PyYAML keeps the last one; yaml_rs is told to do the same).

Any of these sends the file to PyYAML. The parsing is the libraries'; this module only decides.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from typing import Any, Final

import yaml
import yaml_rs

#: Returned when PyYAML must read the text.
DEFER: Final = object()

#: Plain tokens yaml_rs may read as a number (it is lenient: ``_1``, ``.1E4``, ``0X1F``, ``1e_5``):
#: each distinct one is read by both parsers. The pattern starts with a character set, so the
#: regex engine skips ahead quickly.
_NUMBER_LIKE = re.compile(
    r"[\s\[{,]([-+._0-9][^\s,\[\]{}#]*)(?=[ \t]*(?:$|[,\]}#]|:(?:[ \t]|$)))", re.MULTILINE
)
#: Tags, and tokens starting with ':' (flow syntax PyYAML rejects and yaml_rs accepts).
_ODD_TOKEN = re.compile(r"[\s\[{,](?:![!<\w]|:)")
#: Document markers and directives (at a line start), and merge keys.
_MARKERS = ("\n---", "\n...", "\n%", "<<")

_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
#: First characters of a plain scalar PyYAML may resolve to something other than a string.
_TYPED_FIRST = frozenset(k for k in yaml.resolver.Resolver.yaml_implicit_resolvers if k)
_SCALARS = (int, float, bool, type(None))


def _plain(text: str) -> Any:
    """What yaml_rs reads for ``text`` written as a plain scalar (a marker when it cannot)."""
    try:
        return yaml_rs.loads(f"k: {text}\n", parse_datetime=False)["k"]
    except (yaml_rs.YAMLDecodeError, ValueError, TypeError, KeyError):
        return DEFER


@functools.lru_cache(maxsize=4096)
def _ambiguous(text: str) -> bool:
    """Could the string ``text`` have been written plain, where PyYAML reads a non-string?"""
    if _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG:
        return False
    return not isinstance(_plain(text), (int, float, bool, type(None)))


@functools.lru_cache(maxsize=4096)
def _number_diverges(token: str) -> bool:
    """Does yaml_rs read the plain ``token`` as a number PyYAML does not give?"""
    ours = _plain(token)
    if isinstance(ours, str):
        return False  # a string: the walk over the data judges it
    try:
        theirs = yaml.safe_load(f"k: {token}\n")["k"]
    except (yaml.YAMLError, TypeError, KeyError):
        return True
    if isinstance(ours, float) and isinstance(theirs, float) and ours != ours:
        return theirs == theirs  # NaN on both sides agrees
    return type(ours) is not type(theirs) or ours != theirs


def _agrees(value: Any) -> bool:
    """True when every scalar under ``value`` reads the same in PyYAML (numbers: see the scan)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item and item[0] in _TYPED_FIRST and _ambiguous(item):
                return False
        elif isinstance(item, dict):
            for key in item:
                if isinstance(key, str):
                    if key and key[0] in _TYPED_FIRST and _ambiguous(key):
                        return False
                elif not isinstance(key, _SCALARS):
                    return False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif not isinstance(item, _SCALARS):
            return False
    return True


def fast_load(text: str) -> Any:
    """``yaml.safe_load(text)``'s answer when it can be had without PyYAML, else :data:`DEFER`."""
    head = "\n" + text
    if any(marker in head for marker in _MARKERS) or _ODD_TOKEN.search(head):
        return DEFER
    if any(_number_diverges(t) for t in set(_NUMBER_LIKE.findall(head))):
        return DEFER
    try:
        data = yaml_rs.loads(
            text,
            parse_datetime=False,
            duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins,
        )
    except (yaml_rs.YAMLDecodeError, ValueError, TypeError, RecursionError):
        return DEFER  # PyYAML reads it again and words the error with its line
    return data if _agrees(data) else DEFER


class Deferred(Exception):
    """A part of the text :func:`fast_load_split` cannot vouch for: read the whole with PyYAML."""


#: a top-level key (column 0) whose value is a block on the lines below it
_BLOCK_KEY = "^{key}:[ \t]*(?:#[^\n]*)?\n"
#: the next line at column 0 that is not a comment: the end of a top-level block
_TOP_LEVEL = re.compile(r"^[^\s#]", re.MULTILINE)
#: a line at indent 2 that starts an entry of a top-level block mapping
_ENTRY = re.compile(r"^  (?=[^\s#\-])", re.MULTILINE)


def fast_load_split(text: str, key: str, per: int = 500) -> tuple[dict, Iterator[dict]] | Any:
    """``yaml.safe_load(text)`` as the document without its top-level ``key`` and, lazily, the
    mapping under ``key`` in parts of about ``per`` entries, so that only one part is held as
    parsed data at a time; :data:`DEFER` when the text is not laid out so.

    Each part is read as a YAML text of its own. That gives the whole text's answer: at indent 2
    in block context a line ends every construct nested deeper, and a split inside a flow
    collection or a quoted scalar leaves one part unclosed, which does not parse. The iterator
    raises :class:`Deferred` when a part does not parse, is not a mapping, or yaml_rs's answer
    for it is not provably PyYAML's (:func:`fast_load`).
    """
    head = "\n" + text
    if any(marker in head for marker in _MARKERS):
        return DEFER
    found = re.search(_BLOCK_KEY.format(key=re.escape(key)), text, re.MULTILINE)
    if found is None:
        return DEFER
    start = found.end()
    after = _TOP_LEVEL.search(text, start)
    end = after.start() if after else len(text)
    rest = fast_load(text[: found.start()] + text[end:])
    if not isinstance(rest, dict) or key in rest:
        return DEFER
    cuts = [m.start() for m in _ENTRY.finditer(text, start, end)]
    if not cuts or not _comments(text[start : cuts[0]]):
        return DEFER
    bounds = [*cuts[::per], end]

    def parts() -> Iterator[dict]:
        for lo, hi in itertools.pairwise(bounds):
            data = fast_load(text[lo:hi])
            if not isinstance(data, dict):
                raise Deferred(key)
            yield data

    return rest, parts()


def _comments(text: str) -> bool:
    """Is ``text`` blank lines and comment lines only?"""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())
