"""What lint needs to know about each database: a small class of differences per dialect.

Splitting (comment styles, quoting, dollar quotes, client meta-commands), identifier folding and
the server's table-rewrite rules differ between PostgreSQL, MySQL/MariaDB and SQLite; they live
here as attributes of one object per dialect, so rules never compare dialect names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LintDialect:
    name: str  # canonical driftline name
    glot: str  # sqlglot's name
    #: unquoted identifiers fold to lower case and quoted ones keep their case (PostgreSQL);
    #: otherwise names compare case-insensitively
    case_sensitive_quoted: bool = False
    hash_comments: bool = False  # '#' starts a comment (mysql client)
    #: a line starting with '#' is a comment: vendors' loaders strip them (RT's upgrade files)
    hash_lines: bool = False
    backslash_escapes: bool = False  # '\' escapes inside '…' and "…" strings
    double_quote_strings: bool = False  # "…" is a string, not an identifier
    dollar_quotes: bool = False  # $tag$ … $tag$ bodies
    nested_comments: bool = False  # /* /* */ */
    psql_meta: bool = False  # backslash meta-commands of psql
    delimiter_command: bool = False  # the mysql client's DELIMITER
    dot_commands: bool = False  # sqlite3's .commands
    #: locks and rewrites: CREATE INDEX CONCURRENTLY, NOT VALID, USING INDEX exist
    online_ddl: bool = False
    #: an index named in DROP INDEX needs its table (MySQL: DROP INDEX i ON t)
    index_names_per_table: bool = False
    #: ADD COLUMN … NOT NULL without a DEFAULT fails on a table with rows (MySQL fills in the
    #: type's implicit default instead)
    not_null_needs_default: bool = True

    def key(self, name: str) -> str:
        """How the catalog's name of an object compares."""
        return name if self.case_sensitive_quoted else name.lower()

    def fold(self, name: str, quoted: bool) -> str:
        """The catalog name an identifier written in SQL refers to, as :meth:`key` compares it."""
        if self.case_sensitive_quoted:
            return name if quoted else name.lower()
        return name.lower()


POSTGRESQL = LintDialect(
    "postgresql",
    "postgres",
    case_sensitive_quoted=True,
    dollar_quotes=True,
    nested_comments=True,
    psql_meta=True,
    online_ddl=True,
)
MYSQL = LintDialect(
    "mysql",
    "mysql",
    hash_comments=True,
    backslash_escapes=True,
    double_quote_strings=True,
    delimiter_command=True,
    index_names_per_table=True,
    not_null_needs_default=False,
)
SQLITE = LintDialect("sqlite", "sqlite", dot_commands=True, index_names_per_table=False)

_BY_NAME = {d.name: d for d in (POSTGRESQL, MYSQL, SQLITE)}


def get(name: str) -> LintDialect:
    """The lint dialect for any spelling (``postgres``, ``mariadb``, ``sqlite3``, ``pg+x``)."""
    if name in _BY_NAME:  # the canonical names need no alias table
        return _BY_NAME[name]
    from driftline import dialects

    return _BY_NAME[dialects.get(name).name]
