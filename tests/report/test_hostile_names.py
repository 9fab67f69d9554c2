"""Names from a database may hold anything: every output format shows them for its medium and
none lets them act (ping a GitHub team, start a workflow command, drive a terminal, break XML)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from driftline.findings import Finding, Severity
from driftline.output import FORMATS, render
from driftline.output.markdown import cell

NAME = "public.t.<script>x</script>|`tick`@org/team #123\x1b[2J[bold]b[/]\u202eevil%0A,:"
HOSTILE = Finding(
    Severity.ERROR,
    "index.missing",
    NAME,
    "dropped by @alice, see #12 and acme/api#7 (GH-5)\nsecond line %0A::stop-commands::x",
    fix='CREATE INDEX "@a" ON t (c);',
    source="db@x\x1b[0m",
)


def _outside_code(markdown: str) -> str:
    """The text of ``markdown`` with every code span removed (GitHub links nothing in code)."""
    without_code = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)
    return re.sub(r"&#\d+;", " ", without_code)  # character references are not references


def test_markdown_puts_every_ping_in_a_code_span():
    text = render([HOSTILE], "markdown", title="schema check of @org/db #9")
    loose = _outside_code(text)
    assert not re.search(r"(?<!\w)@\w|(?<!\w)#\d|\w/\w+#\d|GH-\d", loose), loose
    for token in ("`@org/team`", "`#123`", "`@alice`", "`#12`", "`acme/api#7`", "`GH-5`"):
        assert token in text
    row = next(line for line in text.splitlines() if line.startswith("| 🔴"))
    assert "<script>" not in row and "\x1b" not in row and "\u202e" not in row
    assert len(re.split(r"(?<!\\)\|", row.strip("|"))) == 5  # five cells, pipes escaped


def test_markdown_leaves_mail_addresses_and_plain_hashes_alone():
    assert cell("ops a@b.io C# x#1") == "ops a&#64;b.io C# x#1"


def test_github_annotation_is_one_command_per_finding_with_escaped_properties():
    lines = render([HOSTILE], "github").splitlines()
    assert len(lines) == 1
    command, props, message = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", lines[0]).groups()
    assert command == "error"
    assert "%2C" in props and "%3A" in props and "%250A" in props  # , : and a literal %0A
    assert "\x1b" not in lines[0] and "%0A" in message and "::stop-commands::" in message


def test_junit_is_valid_xml_and_names_the_object_visibly():
    root = ET.fromstring(render([HOSTILE], "junit").encode())
    case = root.find("./testsuite/testcase")
    assert case is not None
    assert case.get("name").startswith("public.t.<script>x</script>|`tick`@org/team #123\\x1b")
    assert "\\u202eevil" in case.get("name")


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_machine_formats_keep_the_exact_name(fmt):
    doc = json.loads(render([HOSTILE], fmt))
    found = doc["findings"][0]["object"] if fmt == "json" else doc["runs"][0]["results"][0]
    obj = found if fmt == "json" else found["properties"]["object"]
    assert obj == NAME


def test_terminal_shows_markup_and_escapes_as_text():
    text = render([HOSTILE, Finding(Severity.INFO, "k", "[/]", "m", source="other")], "terminal")
    assert "\x1b" not in text and "\u202e" not in text
    assert "[bold]b[/]" in text and "\\x1b[2J" in text


def test_every_format_renders_the_hostile_name():
    for fmt in FORMATS:
        assert render([HOSTILE], fmt, title="t [/] @x")
