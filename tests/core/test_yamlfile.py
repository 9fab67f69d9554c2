"""YAML reading names file and line for every problem."""

from __future__ import annotations

import pytest

from driftline.errors import InputFileError
from driftline.yamlfile import check_header, load_yaml, parse_yaml

TEXT = """\
driftline: 1
kind: schema
tables:
  public.ticket:
    indexes:
      - name: ix_a
      - name: ix_b
"""


def test_lines_of_keys_and_items():
    doc = parse_yaml(TEXT, "b.yaml")
    assert doc.line("tables", "public.ticket") == 5
    assert doc.line("tables", "public.ticket", "indexes", 1) == 7
    assert doc.line("tables", "nope") == 4  # nearest existing ancestor


def test_syntax_error_names_file_and_line():
    with pytest.raises(InputFileError, match=r"^b.yaml:3: invalid YAML"):
        parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "b.yaml")


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        load_yaml(tmp_path / "missing.yaml")


def test_header_version_and_kind():
    assert check_header(parse_yaml(TEXT, "b.yaml"), "schema")["kind"] == "schema"
    with pytest.raises(InputFileError, match=r"b.yaml:1: unsupported driftline file version 2"):
        check_header(parse_yaml("driftline: 2\nkind: schema\n", "b.yaml"), "schema")
    with pytest.raises(InputFileError, match=r"b.yaml:2: expected kind 'plans'"):
        check_header(parse_yaml(TEXT, "b.yaml"), "plans")


def test_unsafe_tags_are_refused():
    with pytest.raises(InputFileError, match="invalid YAML"):
        parse_yaml("x: !!python/object/apply:os.system ['true']\n")
