"""The analysis cache: the columnar Extract written beside the store at build time, read by the analyses.

`dxkg build` extracts once from the freshly loaded store and writes `analysis.json` (structure, ids,
codes, labels), `analysis-text.json` (practice texts, tag rationales and quotes) and
`analysis-index.npz` (the numeric index co-occurrence and `similar` run on) into the store folder,
then names them in the store manifest; all are swapped in with the store, so the cache is never
older than the store. Readers use it only when the manifest says the store is current and the
cache has this code's VERSION; otherwise they fall back to a SPARQL extract.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.analysis.columns import VERSION, Columns, from_extract, to_extract
from kg.analysis.data import AnalysisError, Extract, extract
from kg.analysis.index import Index, build_index, load_index, save_index
from kg.files import write_atomic

if TYPE_CHECKING:
    import pyoxigraph

CORE_FILE = "analysis.json"
TEXT_FILE = "analysis-text.json"
INDEX_FILE = "analysis-index.npz"
MANIFEST_KEY = "analysis"


def _write_json(path: Path, value: Any) -> None:
    write_atomic(path, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def write_cache(store: pyoxigraph.Store, folder: Path) -> dict[str, Any]:
    """Extract from `store`, write both parts into `folder`; returns the manifest entry naming them."""
    col = from_extract(extract(store))
    _write_json(folder / CORE_FILE, col.core)
    _write_json(folder / TEXT_FILE, col.text)
    save_index(build_index(col), folder / INDEX_FILE)
    return {"version": VERSION, "core": CORE_FILE, "text": TEXT_FILE, "index": INDEX_FILE,
            "initiatives": len(col.core["initiatives"]["id"]), "practices": len(col.core["practices"]["id"])}


def manifest_entry(manifest: dict[str, Any] | None) -> dict[str, Any] | None:
    """The store manifest's cache entry when it is in this code's VERSION, else None."""
    entry = manifest.get(MANIFEST_KEY) if manifest else None
    return entry if isinstance(entry, dict) and entry.get("version") == VERSION else None


def _entry(build_dir: Path) -> dict[str, Any] | None:
    """The manifest's cache entry when the store is current and the cache has this VERSION."""
    from kg.store import is_current, read_manifest

    entry = manifest_entry(read_manifest(build_dir))
    return entry if entry is not None and is_current(build_dir) else None


def load_columns(build_dir: Path) -> Columns | None:
    """The cached columns of the build's current store, or None (no cache, an old one, or a stale store)."""
    from kg.store import store_path

    entry = _entry(build_dir)
    if entry is None:
        return None
    folder = store_path(build_dir)
    try:
        core = json.loads((folder / str(entry["core"])).read_bytes())
    except (OSError, ValueError, KeyError):
        return None
    if not isinstance(core, dict) or core.get("version") != VERSION:
        return None
    text_path = folder / str(entry.get("text", TEXT_FILE))

    def load_text() -> dict[str, Any]:
        return json.loads(text_path.read_bytes())

    return Columns(core, load_text=load_text)


def load_cached_index(build_dir: Path) -> Index | None:
    """The cached index of the build's current store, or None."""
    from kg.store import store_path

    entry = _entry(build_dir)
    if entry is None or "index" not in entry:
        return None
    try:
        return load_index(store_path(build_dir) / str(entry["index"]))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


def index_of(src: Any) -> tuple[Index, Any]:
    """(index, columns getter) of a source: a build folder's cached index when current, else built here.

    The columns are fetched only when asked for (e.g. to resolve a name), so an id query never parses JSON.
    """
    if isinstance(src, Index):
        def no_columns() -> Columns:
            raise AnalysisError("an index alone cannot resolve names: pass the build folder or the store")

        return src, no_columns
    if isinstance(src, Path):
        index = load_cached_index(src)
        if index is not None:
            return index, lambda: _from_build(src)
    col = columns_of(src)
    return build_index(col), lambda: col


def _from_build(build_dir: Path) -> Columns:
    from kg.query import open_store

    return load_columns(build_dir) or from_extract(extract(open_store(build_dir)))


def columns_of(src: Any) -> Columns:
    """Columns from a build folder (the cache, else SPARQL), an Extract, columns, or an open store."""
    if isinstance(src, Columns):
        return src
    if isinstance(src, Path):
        return _from_build(src)
    if isinstance(src, Extract):
        return from_extract(src)
    return from_extract(extract(src))


def extract_of(src: Any) -> Extract:
    """An Extract from a build folder (the cache, else SPARQL), columns, an Extract or an open store."""
    if isinstance(src, Extract):
        return src
    if isinstance(src, Path):
        col = load_columns(src)
        try:
            if col is not None:
                return to_extract(col)
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            pass  # a damaged text part: answer from the store instead
        from kg.query import open_store

        return extract(open_store(src))
    if isinstance(src, Columns):
        return to_extract(src)
    return extract(src)
