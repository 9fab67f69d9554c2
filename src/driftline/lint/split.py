"""Splitting a SQL file into statements the way the database's own client does.

psql skips backslash meta-commands (``\\echo``, ``\\set``: they never reach the server, and the
statement after them is its own statement) and the data lines of ``COPY … FROM stdin``; the mysql
client honours ``DELIMITER`` (so a procedure body keeps its inner ``;``) and ``#`` comments; the
sqlite3 shell skips ``.commands``. Quotes, dollar-quoted bodies and comments never split.
Every statement keeps the line of its first token; every skipped client command is a
:class:`Piece` with ``skipped`` set, so lint can say what it did not check.

A hand-written scanner: sqlglot's tokenizer knows neither client commands nor ``DELIMITER``, and
scanning with regular expressions between the few characters that matter is several times
faster than tokenizing each file.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from driftline.lint.dialect import LintDialect


@dataclass(frozen=True)
class Piece:
    text: str
    line: int  # 1-based line of the first token
    #: why the client does not send this to the server (a meta-command, COPY data), or None
    skipped: str | None = None


_STD_STRING = re.compile(r"'(?:[^']|'')*'")
_ESC_STRING = re.compile(r"'(?:[^'\\]|\\.|'')*'", re.S)
_IDENT = re.compile(r'"(?:[^"]|"")*"')
_ESC_DQ = re.compile(r'"(?:[^"\\]|\\.|"")*"', re.S)
_BACKTICK = re.compile(r"`(?:[^`]|``)*`")
#: a dollar-quote tag: a letter, ``_`` or a character U+0080..U+FFFF, then those, digits or ``\w``
#: (the non-ASCII set is written as a negation: sre compiles a literal 64k range slowly)
_BMP_NON_ASCII = r"[^\x00-\x7f\U00010000-\U0010ffff]"
_DOLLAR = re.compile(rf"\$((?:[A-Za-z_]|{_BMP_NON_ASCII})(?:\w|{_BMP_NON_ASCII})*)?\$")
_DELIMITER = re.compile(r"[ \t]*delimiter[ \t]+(\S+)[^\n]*", re.I)
_COPY_STDIN = re.compile(r"COPY\b[^;]*\bFROM\s+STDIN\b", re.I | re.S)
_WORDCHAR = re.compile(r"[\w$]")
_COMPOUND = re.compile(
    r"\s*CREATE\b(?:[^;(]|\([^)]*\))*?\b(PROCEDURE|FUNCTION|TRIGGER|EVENT)\b", re.I
)
_NOT_CODE = re.compile(
    r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|#[^\n]*|--[^\n]*|/\*.*?\*/", re.S
)
_BEGIN = re.compile(r"\bBEGIN\b", re.I)
_ATOMIC = re.compile(r"\bBEGIN\s+ATOMIC\b", re.I)
_CASE = re.compile(r"\bCASE\b", re.I)
_END_CASE = re.compile(r"\bEND\s+CASE\b", re.I)
_END = re.compile(r"\bEND\b(?!\s+(?:IF|LOOP|WHILE|REPEAT)\b)", re.I)


@functools.lru_cache(maxsize=64)
def _specials(chars: str) -> re.Pattern[str]:
    """A pattern for the next character that matters to the scanner."""
    return re.compile("[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]")


class _Scanner:
    def __init__(
        self, source: str, dialect: LintDialect, executable_comments: bool = False
    ) -> None:
        self.src = source
        self.executable_comments = executable_comments
        self.d = dialect
        self.newlines = [m.start() for m in re.finditer("\n", source)]
        self.pieces: list[Piece] = []
        self.parts: list[str] = []  # text of the statement before a meta-command cut it
        self.seg = 0  # where the current segment of the statement starts
        self.first: int | None = None  # first significant character of the statement
        specials = "'\"`\n-/"
        if dialect.dollar_quotes:
            specials += "$"
        if dialect.hash_comments:
            specials += "#"
        if dialect.psql_meta:
            specials += "\\"
        self.specials = specials
        self._set_delimiter(";")

    def _set_delimiter(self, delim: str) -> None:
        self.delim = delim
        self.pattern = _specials(self.specials + delim[0])

    def line_of(self, index: int) -> int:
        return bisect.bisect_left(self.newlines, index) + 1

    def _mark(self, upto: int, frm: int) -> None:
        """Note the first significant character between ``frm`` and ``upto``."""
        if self.first is None:
            chunk = self.src[frm:upto]
            stripped = chunk.lstrip()
            if stripped:
                self.first = frm + len(chunk) - len(stripped)

    def _end_line(self, i: int) -> int:
        j = self.src.find("\n", i)
        return len(self.src) if j < 0 else j

    def _statement(self, end: int) -> Piece | None:
        piece = None
        if self.first is not None:
            if self.parts:
                text = "".join(self.parts) + self.src[self.seg : end]
            else:
                text = self.src[self.first : end]
            text = text.strip()
            if text:
                piece = Piece(text, self.line_of(self.first))
        self.parts, self.first = [], None
        return piece

    def _skipped(self, start: int, end: int, why: str) -> Piece:
        text = self.src[start:end]
        first = start + len(text) - len(text.lstrip())
        return Piece(text.strip(), self.line_of(first), why)

    def run(self) -> list[Piece]:
        src, d, n = self.src, self.d, len(self.src)
        i = 0
        line_start = True
        while i < n:
            if line_start and self.first is None:
                i = self._line_command(i)
            m = self.pattern.search(src, i)
            if m is None:
                self._mark(n, i)
                break
            j = m.start()
            self._mark(j, i)
            c = src[j]
            line_start = c == "\n"
            if line_start:
                i = j + 1
            elif src.startswith(self.delim, j) and not self._inside_body(j):
                piece = self._statement(j)
                if piece:
                    self.pieces.append(piece)
                i = self.seg = j + len(self.delim)
                if piece and self.d.psql_meta and _COPY_STDIN.match(piece.text):
                    i = self._copy_data(i)
            elif (c == "-" and src.startswith("--", j)) or (c == "#" and d.hash_comments):
                i = self._end_line(j)
            elif c == "/" and src.startswith("/*", j):
                if self.executable_comments and src.startswith(("/*!", "/*M!"), j):
                    self._mark(j + 1, j)  # MySQL runs what is inside: it is the statement
                i = self._block_comment(j)
            elif c == "\\" and d.psql_meta:
                i = self._meta(j)
            elif c in "'\"`$":
                end = self._quoted(j)
                self._mark(j + 1, j)
                i = j + 1 if end is None else end
            else:
                self._mark(j + 1, j)
                i = j + 1
        piece = self._statement(n)
        if piece:
            self.pieces.append(piece)
        return self.pieces

    def _inside_body(self, j: int) -> bool:
        """MySQL's server parses ``CREATE PROCEDURE … BEGIN …; …; END`` as one statement, so a
        tool that sends a whole file (no DELIMITER) does not cut the body at its inner ``;``;
        psql likewise keeps a PostgreSQL ``BEGIN ATOMIC … END`` body whole."""
        if self.delim != ";" or self.first is None:
            return False
        if not (self.d.delimiter_command or self.d.psql_meta):
            return False
        start = self.seg if self.parts else self.first
        text = "".join(self.parts) + self.src[start:j]
        if not _COMPOUND.match(text):
            return False
        if self.d.psql_meta and not _ATOMIC.search(text):
            return False  # psql keeps only a SQL-standard body (BEGIN ATOMIC) whole
        bare = _NOT_CODE.sub(" ", text)
        opens = len(_BEGIN.findall(bare)) + len(_CASE.findall(bare)) - len(_END_CASE.findall(bare))
        return opens > len(_END.findall(bare))

    def _line_command(self, i: int) -> int:
        """Client commands that own a whole line at the start of a statement."""
        src, d = self.src, self.d
        if d.hash_lines:
            k = i
            while k < len(src) and src[k] in " \t":
                k += 1
            if src.startswith("#", k):
                return self._end_line(k)
        if d.delimiter_command:
            m = _DELIMITER.match(src, i)
            if m:
                self._set_delimiter(m.group(1))
                self.pieces.append(self._skipped(i, m.end(), "the mysql client's DELIMITER"))
                self.seg = m.end()
                return m.end()
        if d.dot_commands:
            k = i
            while k < len(src) and src[k] in " \t":
                k += 1
            if src.startswith(".", k):
                end = self._end_line(k)
                self.pieces.append(self._skipped(k, end, "a sqlite3 shell command"))
                self.seg = end
                return end
        return i

    def _meta(self, j: int) -> int:
        """A psql meta-command runs to the end of its line; ``\\g`` also sends the statement."""
        end = self._end_line(j)
        word = re.match(r"\\(\S*)", self.src[j:end])
        command = word.group(1) if word else ""
        if self.first is not None:
            self.parts.append(self.src[self.seg : j])
        self.seg = end
        if command.startswith("g") or command == ";":
            piece = self._statement(end)
            if piece:
                self.pieces.append(piece)
        self.pieces.append(self._skipped(j, end, "a psql meta-command"))
        return end

    def _copy_data(self, i: int) -> int:
        """After ``COPY … FROM stdin;`` psql reads data lines up to a line ``\\.``."""
        m = re.compile(r"^\\\.[ \t]*$", re.M).search(self.src, i)
        end = m.end() if m else len(self.src)
        self.pieces.append(self._skipped(i, end, "COPY data"))
        self.seg = end
        return end

    def _block_comment(self, j: int) -> int:
        src = self.src
        if not self.d.nested_comments:
            end = src.find("*/", j + 2)
            return len(src) if end < 0 else end + 2
        depth, k = 0, j
        while k < len(src):
            if src.startswith("/*", k):
                depth, k = depth + 1, k + 2
            elif src.startswith("*/", k):
                depth, k = depth - 1, k + 2
                if depth == 0:
                    return k
            else:
                nxt = min(
                    (p for p in (src.find("/*", k), src.find("*/", k)) if p >= 0),
                    default=len(src),
                )
                k = nxt
        return len(src)

    def _quoted(self, j: int) -> int | None:
        """The end of the quoted token at ``j`` (its length to the end if unterminated)."""
        src, d, c = self.src, self.d, self.src[j]
        if c == "$":
            if j and _WORDCHAR.match(src[j - 1]):
                return None
            m = _DOLLAR.match(src, j)
            if not m:
                return None
            end = src.find(m.group(0), m.end())
            return len(src) if end < 0 else end + len(m.group(0))
        if c == "'":
            escaped = d.backslash_escapes or (
                j and src[j - 1] in "eE" and (j < 2 or not _WORDCHAR.match(src[j - 2]))
            )
            m = (_ESC_STRING if escaped else _STD_STRING).match(src, j)
        elif c == '"':
            m = (_ESC_DQ if d.double_quote_strings else _IDENT).match(src, j)
        else:
            m = _BACKTICK.match(src, j)
        return m.end() if m else len(src)


def split(source: str, dialect: LintDialect, *, executable_comments: bool = False) -> list[Piece]:
    """Every statement and skipped client command of ``source``, in order.

    ``executable_comments``: keep MySQL's ``/*!40101 … */`` as statements (the server executes
    them), for callers that send the statements to a server rather than read them.
    """
    return _Scanner(source, dialect, executable_comments).run()
