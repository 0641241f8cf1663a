"""The analysis cache: the graph extracted once at build time and written beside the store.

`dxkg build` hands `AnalysisCache` to the store (kg.store.publish) as an extra writer; it extracts
from the freshly loaded graph and writes `analysis.json` (the core columns), `analysis-text.json`
(quotes, rationales, long names: read only when asked for) and `analysis-index.npz` (the numeric
index co-occurrence and `similar` run on) into the generation folder, with `analysis-terms.json`, the
terms of every text the word vectors were made of: the next build reads it and tokenises only the texts
that changed. The store records them under the cache's name and version (derived from the row classes
and the code that fills them, the word vectors' included), so a reader takes the cache only when it is
in the format this code reads; otherwise it extracts with SPARQL (kg.adapter does the choosing).

After a small change a build hands it an `Update`: the rows of the previous generation's cache, less
those of the data files' parts that went, plus an extract of the parts that came alone (kg.analysis.
records.merge), so the graph is not extracted whole again; kg.build decides when that is exact.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.analysis.columns import Columns, encode, version
from kg.analysis.index import Index, build_index, load_index, save_index
from kg.analysis.records import Extract, extract, extract_part, merge
from kg.files import write_atomic

if TYPE_CHECKING:
    import pyoxigraph

    from kg.store import Generation

NAME = "analysis"
CORE_FILE = "analysis.json"
TEXT_FILE = "analysis-text.json"
INDEX_FILE = "analysis-index.npz"
TERMS_FILE = "analysis-terms.json"


def _write_json(path: Path, value: Any) -> None:
    write_atomic(path, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


@dataclass(frozen=True)
class Update:
    """How the graph changed since the previous generation, in parts that share no subject and whose links
    stay inside them (kg.analysis.records.links_closed): the subjects (IRIs) of the parts that went and
    the N-Triples of those that came."""

    gone: frozenset[str]
    came: bytes


def updatable(previous: Generation | None) -> bool:
    """Whether a generation's cache is in this code's format, so that a build can update it (`Update`)."""
    return previous is not None and previous.extra(NAME, cache_version()) is not None


class AnalysisCache:
    """The extra writer the build gives the store (see kg.store.Extra); `previous`, the generation a build
    replaces, lends its texts' terms and, with an `update`, its rows."""

    name = NAME

    def __init__(self, previous: Generation | None = None, progress: Callable[[str], None] | None = None,
                 update: Update | None = None):
        self.previous = previous
        self.say = progress or (lambda _msg: None)
        self.update = update

    @property
    def version(self) -> str:
        return cache_version()

    def write(self, store: Callable[[], pyoxigraph.Store], folder: Path) -> dict[str, Any]:
        from kg.text.tokens import TermMemo

        ex = self._updated()
        if ex is None:
            ex = extract(store())
        col = encode(ex)
        _write_json(folder / CORE_FILE, col.core)
        _write_json(folder / TEXT_FILE, col.text)
        memo = TermMemo.load(_read(self.previous.path / TERMS_FILE) if self.previous is not None else None)
        save_index(build_index(ex, memo), folder / INDEX_FILE)
        write_atomic(folder / TERMS_FILE, memo.dump())
        kept = len(memo.used) - memo.made
        self.say(f"word vectors: {memo.made} texts tokenised" + (f", {kept} known from the last build" if kept else ""))
        return {"core_file": CORE_FILE, "text_file": TEXT_FILE, "index_file": INDEX_FILE,
                "terms_file": TERMS_FILE, "initiatives": len(ex.initiatives), "practices": len(ex.practices)}


    def _updated(self) -> Extract | None:
        """The previous generation's rows with the update applied; None without an update or a usable cache."""
        if self.update is None or self.previous is None:
            return None
        col = load_columns(self.previous)
        if col is None:
            return None
        from kg.analysis.columns import decode
        from kg.shaclsparql import load_store

        part = extract_part(load_store(self.update.came))
        ex = merge(decode(col), part, set(self.update.gone))
        self.say(f"analysis rows of {len(self.update.gone)} subjects replaced by the new parts' "
                 f"({len(part.names)} named entities)")
        return ex


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def cache_version() -> str:
    """The columns' version and a hash of kg.analysis.words, which fills part of the index: a change to
    how the word vectors are made retires old caches too."""
    import hashlib
    import inspect

    from kg.analysis import words

    return f"{version()}.{hashlib.sha256(inspect.getsource(words).encode()).hexdigest()[:8]}"


def load_columns(gen: Generation) -> Columns | None:
    """The cached columns of a generation, or None (no cache, another format, or a damaged file)."""
    entry = gen.extra(NAME, cache_version())
    if entry is None:
        return None
    try:
        core = json.loads((gen.path / str(entry["core_file"])).read_bytes())
    except (OSError, ValueError, KeyError):
        return None
    if not isinstance(core, dict) or core.get("version") != version():
        return None
    text_path = gen.path / str(entry.get("text_file", TEXT_FILE))

    def load_text() -> dict[str, Any]:
        text: dict[str, Any] = json.loads(text_path.read_bytes())
        return text

    return Columns(core, load_text=load_text)


def load_cached_index(gen: Generation) -> Index | None:
    """The cached index of a generation, or None."""
    entry = gen.extra(NAME, cache_version())
    if entry is None or "index_file" not in entry:
        return None
    try:
        return load_index(gen.path / str(entry["index_file"]))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
