"""The persistent Oxigraph store in the build folder: built from dxkg.nt, swapped in whole, opened read-only.

Layout of `<build>/store/`: the Oxigraph (RocksDB) files, the analysis cache (kg.analysis.cache: the
graph extracted once for `dxkg cooccur/similar/assess`) and `dxkg-store.json`, a manifest naming the
N-Triples file the store was loaded from, its SHA-256 and the cache files. The store is rebuilt only when that hash
changes. A rebuild loads into a fresh sibling folder and swaps it in with renames, so a failed or
interrupted load never touches the store readers are using.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyoxigraph

STORE_DIR = "store"
MANIFEST = "dxkg-store.json"
SOURCE = "dxkg.nt"  # kg.build.GRAPH_FILES["nt"]; not imported, so readers need not import rdflib
_OLD_PREFIX = ".store-old-"


class StoreError(Exception):
    """No usable store: no build, or a store that cannot be opened."""


@dataclass(frozen=True)
class StoreInfo:
    path: Path
    sha256: str
    triples: int
    rebuilt: bool


def store_path(build_dir: Path) -> Path:
    return build_dir / STORE_DIR


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(build_dir: Path) -> dict[str, object] | None:
    """The manifest of the current store, or None when there is no complete store."""
    _recover(build_dir)
    path = store_path(build_dir) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _stamp(nt: Path) -> list[int]:
    """Size and modification time of dxkg.nt: what a reader compares, cheaply, instead of hashing it."""
    st = nt.stat()
    return [st.st_size, st.st_mtime_ns]


def is_current(build_dir: Path) -> bool:
    """Whether the store was loaded from the dxkg.nt now in the build folder (by size and mtime, no hashing)."""
    nt = build_dir / SOURCE
    manifest = read_manifest(build_dir)
    return nt.is_file() and manifest is not None and manifest.get("stamp") == _stamp(nt)


def _write_manifest(folder: Path, manifest: dict[str, object]) -> None:
    from kg.files import write_atomic

    write_atomic(folder / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))


def ensure_store(build_dir: Path, progress: Callable[[str], None] | None = None,
                 same_graph: pyoxigraph.Store | None = None) -> StoreInfo:
    """Load dxkg.nt into `<build>/store` unless the store already holds exactly that file.

    `same_graph`, an in-memory store already holding the same triples (the build's SHACL store), is
    used to extract the analysis cache: Oxigraph answers those scans several times faster from memory
    than from the on-disk store."""
    say = progress or (lambda _msg: None)
    nt = build_dir / SOURCE
    if not nt.is_file():
        raise StoreError(f"no built graph at {nt}: run `dxkg build` first")
    sha = file_sha256(nt)
    manifest = read_manifest(build_dir)
    if manifest is not None and manifest.get("sha256") == sha:
        say("the store is up to date")
        update: dict[str, object] = {}
        if manifest.get("stamp") != _stamp(nt):  # same bytes rewritten: record the new mtime for readers
            update["stamp"] = _stamp(nt)
        if not _cache_is_current(manifest):  # a store from before the cache, or an older cache format
            say("caching the analysis data")
            update["analysis"] = _write_cache(same_graph or open_read_only(store_path(build_dir)),
                                              store_path(build_dir))
        if update:
            _write_manifest(store_path(build_dir), {**manifest, **update})
        return StoreInfo(store_path(build_dir), sha, int(manifest.get("triples", 0)), rebuilt=False)
    say(f"loading the store {store_path(build_dir)}")
    triples = _rebuild(build_dir, nt, sha, say, same_graph)
    return StoreInfo(store_path(build_dir), sha, triples, rebuilt=True)


def _rebuild(build_dir: Path, nt: Path, sha: str, say: Callable[[str], None],
             same_graph: pyoxigraph.Store | None = None) -> int:
    import pyoxigraph

    build_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".store-new-", dir=build_dir))
    try:
        store = pyoxigraph.Store(str(tmp))
        store.bulk_load(path=str(nt), format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.flush()
        triples = len(store)
        # Extracted now, into the new folder, so it is swapped in with the store and never stale.
        say("caching the analysis data")
        analysis = _write_cache(same_graph or store, tmp)
        del store
        gc.collect()  # the store closes (and releases its lock) when the object is freed
        manifest = {"source": SOURCE, "sha256": sha, "stamp": _stamp(nt), "triples": triples, "format": "oxigraph",
                    "analysis": analysis}
        # The manifest is written last: a folder without one is never taken for a complete store.
        _write_manifest(tmp, manifest)
        _swap(build_dir, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return triples


def _write_cache(store: pyoxigraph.Store, folder: Path) -> dict[str, object]:
    from kg.analysis.cache import write_cache

    return write_cache(store, folder)


def _cache_is_current(manifest: dict[str, object]) -> bool:
    from kg.analysis.cache import manifest_entry

    return manifest_entry(manifest) is not None


def _swap(build_dir: Path, new: Path) -> None:
    """Put `new` in place of `<build>/store`; the old store is renamed aside first, then removed."""
    target = store_path(build_dir)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=_OLD_PREFIX, dir=build_dir))
        os.replace(target, old / STORE_DIR)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _recover(build_dir: Path) -> None:
    """After a crash between the two renames of a swap, put the previous store back."""
    if store_path(build_dir).exists() or not build_dir.is_dir():
        return
    for old in sorted(build_dir.glob(f"{_OLD_PREFIX}*")):
        candidate = old / STORE_DIR
        if (candidate / MANIFEST).is_file():
            os.replace(candidate, store_path(build_dir))
            shutil.rmtree(old, ignore_errors=True)
            return


def open_read_only(path: Path) -> pyoxigraph.Store:
    """Open a store folder read-only (several readers may do so at once)."""
    import pyoxigraph

    if not (path / MANIFEST).is_file():
        raise StoreError(f"no complete store at {path}: run `dxkg build` first")
    try:
        return pyoxigraph.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc
