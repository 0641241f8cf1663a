"""The analysis cache: the graph extracted once at build time and written beside the store.

`dxkg build` hands `AnalysisCache` to the store (kg.store.publish) as an extra writer; it extracts
from the freshly loaded graph and writes `analysis.json` (the core columns), `analysis-text.json`
(quotes, rationales, long names: read only when asked for) and `analysis-index.npz` (the numeric
index co-occurrence and `similar` run on) into the generation folder, with `analysis-terms.json`, the
terms of every text the word vectors were made of: the next build reads it and tokenises only the texts
that changed. The store records them under the cache's name and version (derived from the row classes
and the code that fills them, the word vectors' included), so a reader takes the cache only when it is
in the format this code reads; otherwise it extracts with SPARQL (kg.adapter does the choosing).

After a change a build hands it an `Update`: the rows of the previous generation's cache, less those
of the data files' parts that went, plus an extract of the parts that came alone (kg.analysis.records.
merge), so the graph is not extracted whole again; kg.build decides when that is exact. An update
needs no store, so the build begins it in a second process and writes the graph meanwhile: that
process is forked before the data is read (`begin_early`, kg.parallel.prepare) and reads the previous
rows and terms while the build reads and assembles, then is given the update when it is known.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.analysis.columns import Columns, encode, version
from kg.analysis.index import Index, build_index, load_index
from kg.analysis.records import Extract, extract, extract_part, merge
from kg.files import write_atomic

if TYPE_CHECKING:
    import pyoxigraph

    from kg.parallel import Awaiting, Deferred
    from kg.store import Generation
    from kg.text.tokens import TermMemo

NAME = "analysis"
CORE_FILE = "analysis.json"
TEXT_FILE = "analysis-text.json"
INDEX_FILE = "analysis-index.npz"
TERMS_FILE = "analysis-terms.json"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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


@dataclass(frozen=True)
class Made:
    """The analysis files' bytes, their manifest entry, and what to tell the user."""

    files: dict[str, bytes]
    entry: dict[str, Any]
    said: list[str]


class AnalysisCache:
    """The extra writer the build gives the store (see kg.store.Extra); `previous`, the generation a build
    replaces, lends its texts' terms and, with an `update`, its rows."""

    name = NAME

    def __init__(self, previous: Generation | None = None, progress: Callable[[str], None] | None = None,
                 update: Update | None = None, early: Awaiting[Prepared, Update, Made | None] | None = None):
        self.previous = previous
        self.say = progress or (lambda _msg: None)
        self.update = update
        self.early = early  # from `begin_early` with `previous`: its rows already being read, the update to come
        self.pending: Deferred[Made | None] | None = None

    @property
    def version(self) -> str:
        return cache_version()

    def start(self, store: pyoxigraph.Store | None = None) -> None:
        """Begin making the files now in a second process (kg.parallel) while the build goes on: from the
        previous generation's rows with an update (no store needed), else from `store`, an in-memory copy
        of the new graph (the child inherits it)."""
        from kg.parallel import start

        if self.pending is not None:
            return
        if self.update is not None and self.early is not None:
            self.early.give(self.update)
            self.pending, self.early = self.early, None
        elif self.update is not None:
            self.pending = start(self._make)
        elif store is not None:
            self.pending = start(lambda: self._make(lambda: store))

    def close(self) -> None:
        """Stop a second process whose files were not asked for (the build failed, or needed no update)."""
        for worker in (self.pending, self.early):
            if worker is not None:
                worker.close()

    def write(self, store: Callable[[], pyoxigraph.Store], folder: Path) -> dict[str, Any]:
        made = self.pending.result() if self.pending is not None else None
        if made is None:  # not begun, or the previous generation's rows could not be read: from the store
            made = self._make(store)
        assert made is not None
        for message in made.said:
            self.say(message)
        for name, data in made.files.items():
            write_atomic(folder / name, data)
        return made.entry

    def _make(self, store: Callable[[], pyoxigraph.Store] | None = None,
              prepared: Prepared | None = None) -> Made | None:
        """The files from the previous rows updated (read now, or `prepared`), else from the store (None when
        there is none to read)."""
        from kg.parallel import start

        said: list[str] = []
        ex = self._updated(said, prepared)
        if ex is None:
            if store is None:
                return None
            ex = extract(store())
        memo = prepared.memo if prepared is not None else None
        # The index (and the word vectors' tokenising) and the columns need only the rows: two processes.
        indexed = start(lambda: self._index(ex, memo))
        try:
            col = encode(ex)
            files = {CORE_FILE: _json(col.core), TEXT_FILE: _json(col.text)}
            files[INDEX_FILE], files[TERMS_FILE], told = indexed.result()
        finally:
            indexed.close()
        said.append(told)
        return Made(files, {"core_file": CORE_FILE, "text_file": TEXT_FILE, "index_file": INDEX_FILE,
                            "terms_file": TERMS_FILE, "initiatives": len(ex.initiatives),
                            "practices": len(ex.practices)}, said)

    def _index(self, ex: Extract, memo: TermMemo | None = None) -> tuple[bytes, bytes, str]:
        """The index's bytes and the texts' terms for the next build (from `memo`, else the previous
        generation's), with the line that tells how many texts were tokenised."""
        from kg.analysis.index import index_bytes

        memo = memo if memo is not None else self._memo()
        index = index_bytes(build_index(ex, memo))
        kept = len(memo.used) - memo.made
        return index, memo.dump(), f"word vectors: {memo.made} texts tokenised" + \
            (f", {kept} known from the last build" if kept else "")

    def _memo(self) -> TermMemo:
        from kg.text.tokens import TermMemo

        return TermMemo.load(_read(self.previous.path / TERMS_FILE) if self.previous is not None else None)

    def _rows(self) -> Extract | None:
        """The previous generation's rows, when its cache can be read."""
        from kg.analysis.columns import decode

        col = load_columns(self.previous) if self.previous is not None else None
        return decode(col) if col is not None else None

    def _prepare(self) -> Prepared:
        return Prepared(self._rows(), self._memo())

    def _finish(self, prepared: Prepared, update: Update) -> Made | None:
        self.update = update
        return self._make(prepared=prepared)

    def _updated(self, said: list[str], prepared: Prepared | None = None) -> Extract | None:
        """The previous generation's rows (read now, or `prepared`) with the update applied; None without an
        update or a usable cache."""
        if self.update is None or self.previous is None:
            return None
        base = prepared.rows if prepared is not None else self._rows()
        if base is None:
            return None
        from kg.shaclsparql import load_store

        part = extract_part(load_store(self.update.came))
        ex = merge(base, part, set(self.update.gone))
        said.append(f"analysis rows of {len(self.update.gone)} subjects replaced by the new parts' "
                    f"({len(part.names)} named entities)")
        return ex


@dataclass(frozen=True)
class Prepared:
    """What an update starts from, read before the change is known: the previous rows and texts' terms."""

    rows: Extract | None
    memo: TermMemo


def begin_early(previous: Generation | None) -> Awaiting[Prepared, Update, Made | None] | None:
    """When `previous` has a cache this code can update, begin reading its rows and terms now in a second
    process (kg.parallel.prepare), while the build reads the data: `AnalysisCache(previous, …, early=…)` then
    gives it the update, if there is one. None otherwise. The caller closes it whatever happens."""
    if not updatable(previous):
        return None
    from kg.parallel import prepare

    cache = AnalysisCache(previous)
    return prepare(cache._prepare, cache._finish)


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
