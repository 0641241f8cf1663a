"""The Extract in columnar form: what `dxkg build` caches beside the store, derived from the row classes.

The row dataclasses of kg.analysis.records are the one declaration of the cache. Each table of the
Extract becomes parallel lists, one per field: a nested dataclass (a Label) becomes a group of
columns, a list or set of strings a CSR row over a sorted vocabulary (`{"vocab", "ptr", "ix"}`), a
list of dataclasses a child table with row pointers. Fields marked `text()` go to a second part,
loaded only when asked for. Keyed tables are stored sorted by key, so the same graph always gives
the same bytes, and `version()` is a hash of the declaration and of the code that fills it: change a
row class or the extraction and old caches are ignored, with no number to bump by hand.

`encode` and `decode` are exact inverses (tests/test_analysis.py checks it), so an analysis gives the
same answer from the cache as from a fresh SPARQL extract.
"""

from __future__ import annotations

import dataclasses
import hashlib
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, chain, pairwise
from operator import attrgetter
from typing import Any

from kg.analysis import records
from kg.analysis.records import Extract

PARTS = ("core", "text")


@dataclass(frozen=True)
class _Field:
    name: str
    kind: str  # scalar | record | strings | set | table
    text: bool
    cls: type | None = None  # the dataclass of a record or table field


@cache
def _fields(cls: type) -> tuple[_Field, ...]:
    """How each field of a row class is stored, from its type hints."""
    hints = typing.get_type_hints(cls, vars(records))
    out = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        is_text = bool(f.metadata.get("text"))
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            out.append(_Field(f.name, "record", is_text, hint))
        elif origin in (list, set) and args and isinstance(args[0], type) and dataclasses.is_dataclass(args[0]):
            out.append(_Field(f.name, "table", is_text, args[0]))
        elif origin is list and args == (str,):
            out.append(_Field(f.name, "strings", is_text))
        elif origin is set and args == (str,):
            out.append(_Field(f.name, "set", is_text))
        else:
            out.append(_Field(f.name, "scalar", is_text))
    return tuple(out)


def _tables() -> dict[str, tuple[str, type]]:
    """Table name -> ("keyed" | "list", row class), from the Extract's fields."""
    hints = typing.get_type_hints(Extract, vars(records))
    out = {}
    for f in dataclasses.fields(Extract):
        origin, args = typing.get_origin(hints[f.name]), typing.get_args(hints[f.name])
        out[f.name] = ("keyed", args[1]) if origin is dict else ("list", args[0])
    return out


def _declaration(cls: type) -> list[Any]:
    return [[f.name, f.kind, f.text, _declaration(f.cls) if f.cls else None] for f in _fields(cls)]


@cache
def version() -> str:
    """The cache format: a hash of the row classes' declaration and of the code that fills and encodes
    them (records, columns, index), so any change to either retires old caches without a number to bump."""
    import inspect

    from kg.analysis import index

    digest = hashlib.sha256(repr(sorted((name, kind, _declaration(cls))
                                        for name, (kind, cls) in _tables().items())).encode())
    for module in (records, index):
        digest.update(inspect.getsource(module).encode())
    digest.update(inspect.getsource(_encode).encode() + inspect.getsource(_decode).encode())
    return digest.hexdigest()[:16]


def _csr(rows: list[list[str]]) -> dict[str, list[Any]]:
    # Flat, by map over built-in methods: a generator per row was most of encoding a national-scale extract.
    flat = list(chain.from_iterable(rows))
    vocab = sorted(set(flat))
    at = {x: k for k, x in enumerate(vocab)}
    return {"vocab": vocab, "ptr": list(accumulate(map(len, rows), initial=0)), "ix": list(map(at.__getitem__, flat))}


def csr_rows(c: dict[str, list[Any]]) -> list[list[str]]:
    """The rows of a {"vocab", "ptr", "ix"} column as lists of strings."""
    vocab, ptr, ix = c["vocab"], c["ptr"], c["ix"]
    words = list(map(vocab.__getitem__, ix))
    return [words[a:b] for a, b in pairwise(ptr)]


def _encode(rows: list[Any], cls: type, part: str, inherited: bool = False) -> dict[str, Any]:
    """The columns of `rows` that belong to `part` (a field's text flag holds for everything under it)."""
    out: dict[str, Any] = {}
    for f in _fields(cls):
        is_text = inherited or f.text
        values = list(map(attrgetter(f.name), rows))
        if f.kind == "record":
            sub = _encode(values, f.cls, part, is_text)  # type: ignore[arg-type]
            if sub:
                out[f.name] = sub
        elif f.kind == "table":
            children = [c for v in values for c in v]
            sub = _encode(children, f.cls, part, is_text)  # type: ignore[arg-type]
            if part == "core":  # the row pointers live in the core part, which is always loaded
                ptr = [0]
                for v in values:
                    ptr.append(ptr[-1] + len(v))
                sub["ptr"] = ptr
            if sub:
                out[f.name] = sub
        elif (part == "text") == is_text:
            if f.kind == "strings":
                out[f.name] = _csr([list(v) for v in values])
            elif f.kind == "set":
                out[f.name] = _csr([sorted(v) for v in values])
            else:
                out[f.name] = values
    return out


def _decode(core: dict[str, Any], text: dict[str, Any], cls: type, n: int, inherited: bool = False) -> list[Any]:
    """`n` rows of `cls` from their columns; text fields come from `text` (empty: the field's default)."""
    columns: dict[str, list[Any]] = {}
    for f in _fields(cls):
        is_text = inherited or f.text
        src = text if is_text else core
        if f.kind == "record":
            columns[f.name] = _decode(core.get(f.name, {}), text.get(f.name, {}), f.cls, n, is_text)  # type: ignore[arg-type]
        elif f.kind == "table":
            ptr = core[f.name]["ptr"]
            children = _decode(core[f.name], text.get(f.name, {}), f.cls, ptr[-1], is_text)  # type: ignore[arg-type]
            columns[f.name] = [children[ptr[k]:ptr[k + 1]] for k in range(n)]
        elif f.name in src:
            if f.kind in ("strings", "set"):
                rows = csr_rows(src[f.name])
                columns[f.name] = [set(r) for r in rows] if f.kind == "set" else rows
            else:
                columns[f.name] = src[f.name]
    if len(columns) == len(_fields(cls)):  # every field (in their order): positional, twice as fast
        return [cls(*row) for row in zip(*columns.values(), strict=True)] if columns else [cls() for _ in range(n)]
    return [cls(**{k: v[i] for k, v in columns.items()}) for i in range(n)]


def _ordered(ex: Extract, name: str) -> list[Any]:
    value = getattr(ex, name)
    return [value[k] for k in sorted(value)] if isinstance(value, dict) else list(value)


@dataclass
class Columns:
    """The columnar Extract: `core` (always loaded) and `text` (loaded by `load_text` when asked for)."""

    core: dict[str, Any]
    text: dict[str, Any] | None = None
    load_text: Callable[[], dict[str, Any]] | None = field(default=None, repr=False)

    def texts(self) -> dict[str, Any]:
        if self.text is None:
            self.text = self.load_text() if self.load_text else {}
        return self.text

    def rows(self, table: str, with_text: bool = True) -> list[Any]:
        """One table's rows, decoded (without their text fields unless asked)."""
        kind, cls = _tables()[table]
        core = self.core["tables"][table]
        text = self.texts()["tables"].get(table, {}) if with_text else {}
        return _decode(core, text, cls, core["rows"])


def encode(ex: Extract) -> Columns:
    """Columns of an Extract; deterministic: the same graph gives equal columns whatever the query order."""
    core: dict[str, Any] = {"version": version(), "tables": {}}
    text: dict[str, Any] = {"version": version(), "tables": {}}
    for name, (_, cls) in _tables().items():
        rows = _ordered(ex, name)
        core["tables"][name] = {**_encode(rows, cls, "core"), "rows": len(rows)}
        text["tables"][name] = _encode(rows, cls, "text")
    return Columns(core, text)


def decode(col: Columns) -> Extract:
    """The Extract the columns were made from (equal to it, field by field)."""
    tables: dict[str, Any] = {}
    for name, (kind, _) in _tables().items():
        rows = col.rows(name)
        tables[name] = {r.iri: r for r in rows} if kind == "keyed" else rows
    return Extract(**tables)
