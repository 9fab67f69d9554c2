"""The fast YAML path gives exactly ``yaml.safe_load``'s answer, or defers to PyYAML.

Compared against PyYAML itself on tricky documents, on thousands of generated scalars, on
generated baselines and on the committed ones; big bad files still fail with file and line.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import pytest
import yaml

from driftline.errors import BaselineError
from driftline.schema.baseline import Baseline, load_baseline, write_baseline
from driftline.schema.model import Column, Index, Schema, Table
from driftline.yamlfast import DEFER, Deferred, fast_load, fast_load_split
from driftline.yamlfile import FAST_LOAD_MIN_CHARS, parse_yaml, safe_dump

BASELINES = Path(__file__).resolve().parents[2] / "baselines"

TRICKY = [
    "a: yes\nb: 'yes'\nc: on\nd: Off\n",
    "a: 017\n",
    "a: 0o17\n",
    "a: 1e3\n",
    "a: 1.5e3\n",
    "a: -.5\n",
    "a: 1_000\n",
    "a: 1:30\n",
    "a: 0b101\n",
    "a: 0x1F\n",
    "d: 2027-03-31\n",
    "e: '2027-03-31'\n",
    "t: 2001-12-14t21:59:43.10-05:00\n",
    "a: &x {k: 1}\nb: *x\nc:\n  <<: *x\n  z: 2\n",
    "a: 1\na: 2\n",
    "a: !!str 12\nb: !!int '3'\n",
    "x: !foo bar\n",
    "---\na: 1\n---\nb: 2\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: ~\nb: null\nc:\nd: ''\n",
    "a: .inf\nb: -.inf\nc: +1\nd: 0x1F\n",
    's: "t\\u00e9\\x41\\N\\_\\t"\n',
    "s: long plain\n  scalar folded\n\n  para\n",
    "? [a, b]\n: 1\n",
    "a: {b: 1, c}\n",
    "a: |\n  x\n  y\nb: >-\n  p\n  q\n",
    "v: '15.20'\nw: 15.20\n",
    "on: 1\n'off': 2\n",
    "x: =\n",
    "where: a != b\n",
    "k: [a, b\n",
    "a: b: c\n",
    "",
    "x",
]

WORDS = ["yes", "No", "ON", "off", "y", "n", "true", "False", "null", "~", "NULL", "=", "<<"]
CHARS = "0123456789+-._eEoxXbB:"


def same(a: object, b: object) -> bool:
    """Equality that also holds for NaN and tells 1 from True and 1.0 from 1."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)  # type: ignore[index]
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    return a == b


def agrees_with_pyyaml(text: str) -> bool:
    fast = fast_load(text)
    if fast is DEFER:
        return True
    try:
        expected = yaml.safe_load(text)
    except yaml.YAMLError:
        return False  # the fast path accepted what PyYAML rejects
    return same(fast, expected)


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_documents(text):
    assert agrees_with_pyyaml(text)


def test_generated_scalars_in_every_position():
    rng = random.Random(18)
    tokens = set(WORDS)
    while len(tokens) < 2000:
        tokens.add("".join(rng.choice(CHARS) for _ in range(rng.randint(1, 7))))
    wrong = []
    for token in sorted(tokens):
        for text in (f"k: {token}\n", f"- {token}\n", f"k: [{token}, x]\n", f"{token}: 1\n"):
            if not agrees_with_pyyaml(text):
                wrong.append(text)
    assert wrong == []


def big_schema(tables: int) -> Schema:
    rng = random.Random(7)
    odd = ["017", "15.20", "0", ".5", "0x1F", "~", "a: b", "#x", "'q'", "x\ny"]
    result = {}
    for i in range(tables):
        name = f"public.t{i}"
        columns = {
            "id": Column("id", "bigint", False, None),
            "note": Column("note", "varchar(40)", True, rng.choice(odd)),
        }
        indexes = {f"ix_t{i}": Index(f"ix_t{i}", ("note", "lower(id::text)"), False, "id > 0")}
        result[name] = Table(name, columns, ("id",), indexes, {}, {}, {})
    return Schema(dialect="postgresql", server_version="15.20", tables=result)


def test_baselines_driftline_writes_take_the_fast_path(tmp_path):
    path = write_baseline(Baseline(big_schema(300)), tmp_path / "big.yaml")
    text = path.read_text()
    assert len(text) >= FAST_LOAD_MIN_CHARS
    fast = fast_load(text)
    assert fast is not DEFER
    assert same(fast, yaml.safe_load(text))
    loaded = load_baseline(path)
    assert loaded.schema.tables == big_schema(300).tables


def test_committed_baselines_read_the_same():
    for path in sorted(BASELINES.glob("*.yaml")):
        text = path.read_text()
        assert agrees_with_pyyaml(text), path.name
        assert fast_load(text) is not DEFER, path.name


def test_a_string_pyyaml_would_type_sends_the_file_to_pyyaml(tmp_path):
    """'yes' written quoted and yes written plain are the same to yaml_rs: PyYAML decides."""
    schema = big_schema(300)
    schema.tables["public.t0"].columns["note"] = Column("note", "text", True, "yes")
    path = write_baseline(Baseline(schema), tmp_path / "yes.yaml")
    assert fast_load(path.read_text()) is DEFER
    assert load_baseline(path).schema.tables["public.t0"].columns["note"].default == "yes"


def test_a_date_sends_the_file_to_pyyaml():
    text = safe_dump({"ignore": [{"object": "x", "expires": dt.date(2027, 3, 31)}]})
    assert fast_load(text) is DEFER
    assert parse_yaml(text * 1).data["ignore"][0]["expires"] == dt.date(2027, 3, 31)


def test_big_bad_baseline_names_file_and_line(tmp_path):
    path = write_baseline(Baseline(big_schema(300)), tmp_path / "big.yaml")
    lines = path.read_text().splitlines()
    lines[2000] = lines[2000] + " ]"  # a stray bracket deep in the file
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(BaselineError, match=rf"big.yaml:{2001}:"):
        load_baseline(path)


def test_big_baseline_with_a_bad_value_names_its_line(tmp_path):
    path = write_baseline(Baseline(big_schema(300)), tmp_path / "big.yaml")
    text = path.read_text()
    assert fast_load(text) is not DEFER
    bad = "      note: {type: varchar(40), nullable: true"
    where = text.index(bad, len(text) // 2)
    line = text.count("\n", 0, where) + 1
    path.write_text(text[:where] + "      note: {nullable: true" + text[where + len(bad) :])
    with pytest.raises(BaselineError, match=rf"big.yaml:{line}: column .* needs a type"):
        load_baseline(path)


def _whole_by_parts(text: str, per: int):
    """The document :func:`fast_load_split` reads in parts, put back together (DEFER if it
    defers, at once or while reading a part)."""
    split = fast_load_split(text, "tables", per)
    if split is DEFER:
        return DEFER
    rest, parts = split
    tables: dict = {}
    try:
        for part in parts:
            tables.update(part)
    except Deferred:
        return DEFER
    return {**rest, "tables": tables}


@pytest.mark.parametrize("per", [1, 7, 500])
def test_a_baseline_read_in_parts_is_the_whole_document(tmp_path, per):
    text = write_baseline(Baseline(big_schema(60)), tmp_path / "b.yaml").read_text()
    text = text.replace("tables:\n", "tables:  # the tables\n# a comment\n", 1)
    text += "zz: [1, 2]\n"
    whole = yaml.safe_load(text)
    parted = _whole_by_parts(text, per)
    assert parted is not DEFER
    assert set(parted) == set(whole)  # baselines are read by key, not by top-level order
    assert same(parted, {k: whole[k] for k in parted})


@pytest.mark.parametrize(
    "text",
    [
        # a flow mapping whose continuation line sits at indent 2: a part would cut it
        "tables:\n  a: {x: 1,\n  b: 2}\n  c: {x: 3}\n",
        # a quoted scalar over lines, one at indent 2
        'tables:\n  a: "one\n  b: two"\n  c: 1\n',
        # an anchor in one part, its alias in another
        "tables:\n  a: &x {k: 1}\n  b: *x\n",
        # tables twice, or not a mapping
        "tables:\n  a: 1\ntables:\n  b: 2\n",
        "tables:\n  - a\n  - b\n",
        "tables:\n  a: yes\n  b: 1\n",
    ],
)
def test_text_that_parts_would_misread_is_read_whole(text):
    assert _whole_by_parts(text, 1) is DEFER


def test_a_baseline_read_in_parts_is_read_as_a_whole_one(tmp_path):
    text = write_baseline(Baseline(big_schema(400)), tmp_path / "b.yaml").read_text()
    assert len(text) >= FAST_LOAD_MIN_CHARS
    assert fast_load_split(text, "tables") is not DEFER
    assert load_baseline(tmp_path / "b.yaml").schema.tables == big_schema(400).tables
