"""The derived cache of parsed baselines: used only for the very text it was made from."""

from __future__ import annotations

import marshal
import os

import pytest

from driftline.schema import baseline_cache
from driftline.schema.baseline import Baseline, load_baseline, write_baseline
from driftline.schema.model import Column, ForeignKey, Index, Schema, Sequence, Table


def _schema(tables: int, index_column: str = "a") -> Schema:
    return Schema(
        dialect="postgresql",
        server_version="15.4",
        tables={
            f"public.t{i}": Table(
                f"public.t{i}",
                {
                    "id": Column("id", "bigint", False),
                    "a": Column("a", "int", True, "0"),
                    "b": Column("b", "varchar(40)", True, None, "C"),
                },
                ("id",),
                {
                    f"ix_t{i}": Index(f"ix_t{i}", (index_column,), where="a > 0"),
                    f"ux_t{i}": Index(f"ux_t{i}", ("lower(b)", "a desc"), unique=True),
                },
                {f"fk_t{i}": ForeignKey(f"fk_t{i}", ("a",), "public.t0", ("id",), "cascade")},
                {f"uq_t{i}": ("b",)},
                {f"ck_t{i}": "a > 0"},
                (f"ck_t{i}",),
                {"unlogged": "true"},
            )
            for i in range(tables)
        },
        views={"public.v": "SELECT 1"},
        sequences={"public.s": Sequence("public.s", "bigint", 1, 1, None, None, False, "t0.id")},
        extensions={"pg_trgm": "1.6"},
        not_compared={"function": ("public.f()",)},
    )


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("DRIFTLINE_CACHE_DIR", str(folder))
    return folder / "baselines"


def _big(tmp_path, **kw) -> tuple:
    path = tmp_path / "big.yaml"
    write_baseline(Baseline(_schema(150, **kw), critical_indexes={"public.t1.ix_t1"}), path)
    assert path.stat().st_size >= baseline_cache.MIN_CHARS
    return path


def test_second_load_is_the_cached_one_and_equal(tmp_path, cache_dir):
    path = _big(tmp_path)
    first = load_baseline(path)
    [entry] = cache_dir.iterdir()
    assert entry.stat().st_mode & 0o077 == 0
    again = load_baseline(path)
    assert again == first and again.schema.tables == _schema(150).tables
    # the entry was read: a private entry saying otherwise is what the load returns
    planted = Baseline(_schema(2), path=str(path))
    entry.write_bytes(marshal.dumps(baseline_cache._to_plain(planted)))
    assert set(load_baseline(path).schema.tables) == {"public.t0", "public.t1"}


def test_an_edited_file_is_parsed_again(tmp_path, cache_dir):
    path = _big(tmp_path)
    load_baseline(path)
    _big(tmp_path, index_column="b")  # one key changed in every table
    edited = load_baseline(path)
    assert edited.schema.tables["public.t3"].indexes["ix_t3"].columns == ("b",)
    assert len(list(cache_dir.iterdir())) == 2


@pytest.mark.parametrize("spoil", ["writable by others", "not this format", "truncated"])
def test_an_entry_it_cannot_trust_is_ignored(tmp_path, cache_dir, spoil):
    path = _big(tmp_path)
    load_baseline(path)
    [entry] = cache_dir.iterdir()
    if spoil == "writable by others":
        planted = Baseline(_schema(2), path=str(path))
        entry.write_bytes(marshal.dumps(baseline_cache._to_plain(planted)))
        os.chmod(entry, 0o666)
    elif spoil == "not this format":
        entry.write_bytes(marshal.dumps(("driftline", 1, {"tables": []})))
    else:
        entry.write_bytes(entry.read_bytes()[:1000])
    assert load_baseline(path).schema.tables == _schema(150).tables


def test_an_empty_cache_dir_setting_turns_it_off(tmp_path, monkeypatch):
    monkeypatch.setenv("DRIFTLINE_CACHE_DIR", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = _big(tmp_path)
    assert load_baseline(path) == load_baseline(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.yaml"]


def test_another_driftline_version_uses_another_entry(tmp_path, cache_dir, monkeypatch):
    import driftline

    path = _big(tmp_path)
    load_baseline(path)
    monkeypatch.setattr(driftline, "__version__", "99.0")
    load_baseline(path)
    assert len(list(cache_dir.iterdir())) == 2


def test_other_parsing_code_uses_another_entry(tmp_path, cache_dir, monkeypatch):
    """A checkout whose parsing code changed (same version number) never reads the old entry."""
    path = _big(tmp_path)
    load_baseline(path)
    monkeypatch.setattr(baseline_cache, "_BUILDERS", (*baseline_cache._BUILDERS, "db.py"))
    load_baseline(path)
    assert len(list(cache_dir.iterdir())) == 2


_NORMALIZE = """
import sys
from driftline.schema import normalize
print(normalize.expression("(lower((d)::text) > 'x'::text)", "postgresql"))
print(normalize.column_type("character varying(40)", "postgresql"))
normalize.remember()
print("sqlglot" in sys.modules)
"""


def _normalize_in_a_new_process(cache_root) -> list[str]:
    import subprocess
    import sys

    env = dict(os.environ, DRIFTLINE_CACHE_DIR=str(cache_root))
    out = subprocess.run(
        [sys.executable, "-c", _NORMALIZE], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split("\n")[:3]


def test_normalized_spellings_are_remembered_without_sqlglot(tmp_path):
    first = _normalize_in_a_new_process(tmp_path)
    assert first == ["LOWER(d) > 'x'", "varchar(40)", "True"]
    assert _normalize_in_a_new_process(tmp_path) == [*first[:2], "False"]
    # an entry others could have written is not read: sqlglot answers again
    [entry] = (tmp_path / "normalized").iterdir()
    os.chmod(entry, 0o666)
    assert _normalize_in_a_new_process(tmp_path) == first


def test_equal_columns_are_one_object_while_sharing_and_forgotten_after():
    from driftline.schema import model

    fields = ("id", "bigint", False, None, None, None, None)
    assert model.column(*fields) is not model.column(*fields)
    with model.sharing():
        first = model.column(*fields)
        with model.sharing():  # nested: the same memo
            assert model.column(*fields) is first
        assert model.column("id", "int", False, None, None, None, None) is not first
        assert model.column(*fields) == model.Column(*fields)
    assert model._shared is None
    assert model.column(*fields) is not first
