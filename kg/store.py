"""The build folder: each build writes a complete generation beside the last, then switches to it in one step.

Layout of a build folder::

    current -> gen-3                 the generation every reader uses (a symlink, replaced atomically)
    gen-3/                           one complete build:
        dxkg.nt dxkg.ttl dxkg.jsonld   the graph files
        store/                         the Oxigraph (RocksDB) store, opened read-only by readers
        analysis*.json …               files that extra writers (e.g. the analysis cache) put beside it
        manifest.json                  written last: what the generation holds (hashes, counts, extras)
    gen-2/                           the previous generation, kept for readers that still have it open
    dxkg.nt -> current/dxkg.nt       the graph files where people look for them (symlinks)
    cache/                           what each data file gave, for the next build (kg.filecache; not read here)

A build killed at any moment leaves `current` on the previous complete generation, so every command
keeps answering; the half-written `.gen-*` folder it leaves is removed by the next build. Builds of
one folder are serialised by a lock. A generation's store comes from the previous generation's when
the graph is unchanged (a hard-linked RocksDB backup), from that backup plus the changed triples when
little changed, and from a bulk load otherwise; a first build begins its generation early (`begin`), so
that a second process bulk-loads the store while the build validates the graph.

The store knows nothing of what extra writers write: it calls them with a function giving the loaded store
and a folder, and records the manifest entry each returns under its name and version.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kg.errors import EnvironmentProblem
from kg.files import write_atomic
from kg.paths import GRAPH_FILES

if TYPE_CHECKING:
    import pyoxigraph

    from kg.parallel import Deferred

CURRENT = "current"
MANIFEST = "manifest.json"
STORE_DIR = "store"
LOCK = ".lock"
_GEN = "gen-"
_PARTIAL = ".gen-"
# Above this share of changed triples a bulk load is faster than deleting and inserting into a backup.
INCREMENTAL_MAX_CHANGE = 0.2


class StoreError(EnvironmentProblem):
    """No usable build: none yet, one from an older dxkg, or a store that cannot be opened."""


class Extra(Protocol):
    """A writer of files that belong beside the store (e.g. the analysis cache); versioned by its own format."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def write(self, store: Callable[[], pyoxigraph.Store], folder: Path) -> dict[str, Any]:
        """Write into `folder`, reading the graph from `store()` (which may wait until the new store is
        loaded) when it needs it; return the manifest entry naming what was written."""
        ...


@dataclass(frozen=True)
class Generation:
    """One complete build in the build folder."""

    path: Path
    manifest: dict[str, Any]

    @property
    def store_path(self) -> Path:
        return self.path / STORE_DIR

    @property
    def has_store(self) -> bool:
        """Whether its store is whole (RocksDB writes CURRENT last): one a build can reuse or update."""
        return (self.store_path / "CURRENT").is_file()

    def file(self, fmt: str) -> Path:
        return self.path / GRAPH_FILES[fmt]

    def extra(self, name: str, version: str) -> dict[str, Any] | None:
        """The manifest entry an extra writer left, when it was written in `version`."""
        entry = self.manifest.get("extras", {}).get(name)
        return entry if isinstance(entry, dict) and entry.get("version") == version else None


@dataclass(frozen=True)
class StoreInfo:
    generation: Generation
    triples: int
    how: str  # "reused" | "updated" | "loaded"

    @property
    def rebuilt(self) -> bool:
        return self.how != "reused"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def current(build_dir: Path) -> Generation | None:
    """The generation `current` points to, or None when the folder holds no complete build."""
    link = build_dir / CURRENT
    try:
        target = (build_dir / os.readlink(link)).resolve()
        manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Generation(target, manifest) if isinstance(manifest, dict) else None


def require(build_dir: Path) -> Generation:
    """The current generation, or StoreError saying what to do."""
    gen = current(build_dir)
    if gen is not None:
        return gen
    if (build_dir / GRAPH_FILES["nt"]).is_file() and not (build_dir / GRAPH_FILES["nt"]).is_symlink():
        raise StoreError(f"{build_dir} was built by an older dxkg: run `dxkg build` again")
    raise StoreError(f"no built graph in {build_dir}: run `dxkg build` first")


def store_path(build_dir: Path) -> Path:
    """The store folder of the current generation (resolved: it stays valid while a rebuild switches)."""
    return require(build_dir).store_path


def open_store(build_dir: Path) -> pyoxigraph.Store:
    """The current generation's Oxigraph store, opened read-only (several readers may share it)."""
    return open_read_only(require(build_dir).store_path)


def open_read_only(path: Path) -> pyoxigraph.Store:
    import pyoxigraph

    try:
        return pyoxigraph.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc


@dataclass(frozen=True)
class Delta:
    """The triples a new graph adds to and removes from the graph whose N-Triples have SHA-256 `base`."""

    base: str
    added: set[bytes]
    removed: set[bytes]

    def ntriples(self) -> bytes:
        """Every changed triple, added or removed, as N-Triples."""
        return b"".join(line + b"\n" for line in sorted(self.added | self.removed))


@dataclass
class Begun:
    """A generation begun before its graph is validated: its folder, with its store being bulk-loaded by a
    second process (kg.parallel) meanwhile. `publish` finishes it; `close` abandons what is left of it."""

    work: Path
    nt: bytes  # the N-Triples it was begun with (the same object publish is given: compared by identity)
    digest: str
    loading: Deferred[int]

    def close(self) -> None:
        """Stop the loading (if still running) and remove the folder unless `publish` has moved it into place."""
        self.loading.close()
        shutil.rmtree(self.work, ignore_errors=True)


def begin(build_dir: Path, nt: bytes, progress: Callable[[str], None] | None = None) -> Begun | None:
    """Begin the next generation now when its store will be loaded whole (the folder holds no store to
    reuse or update: a first build): a second process bulk-loads it while the caller validates the graph,
    on a core that validation's single-threaded in-memory load leaves idle. None otherwise.

    The caller holds the build folder's lock, passes the result to `publish`, and closes it whatever
    happens (a graph found invalid leaves nothing: the process is stopped and the folder removed). A
    build killed meanwhile leaves a `.gen-*` folder, which the next build removes."""
    from kg.parallel import start

    previous = current(build_dir)
    if previous is not None and previous.has_store:
        return None
    build_dir.mkdir(parents=True, exist_ok=True)
    _clean(build_dir)
    work = Path(tempfile.mkdtemp(prefix=_PARTIAL, dir=build_dir))
    (progress or (lambda _msg: None))("loading the store, while the graph is validated")
    return Begun(work, nt, sha256(nt), start(lambda: _load(work / STORE_DIR, nt)))


@contextlib.contextmanager
def locked(build_dir: Path) -> Iterator[None]:
    """Hold the build folder's lock: one build at a time writes into it."""
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / LOCK, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def publish(build_dir: Path, files: dict[str, bytes], extras: Sequence[Extra] = (),
            same_graph: pyoxigraph.Store | None = None,
            progress: Callable[[str], None] | None = None, delta: Delta | None = None,
            check: Callable[[pyoxigraph.Store, Delta | None], None] | None = None,
            record: dict[str, Any] | None = None, lock: bool = True, begun: Begun | None = None,
            nt_sha256: Callable[[], str] | None = None) -> StoreInfo:
    """Write a new generation holding `files` (format -> bytes, `nt` required) and its store, then switch to it.

    `same_graph`, an in-memory store holding the same triples (the build's SHACL store), is what the
    extra writers read: Oxigraph answers their scans several times faster from memory than from disk.
    `delta`, when it is the change from the current generation's graph, spares comparing the two graphs.
    `check` is called with the new store (read-only) and the change it was updated by (None when it was
    loaded whole or reused), while the extra writers work; an exception from it stops the build with the
    current generation still in use. `record` goes into the manifest. Without `lock` the caller holds
    the build folder's lock (`locked`). `begun`, from `begin` with the same N-Triples, is the generation's
    folder with its store already loading. `nt_sha256` gives the N-Triples' SHA-256 when the caller has begun
    computing it (in a thread: hashing 250 MB releases the GIL and takes a third of a second).
    """
    if begun is not None and begun.nt is not files["nt"] and begun.digest != sha256(files["nt"]):
        raise ValueError("publish: the generation was begun with other N-Triples")
    with locked(build_dir) if lock else contextlib.nullcontext():
        return _publish(build_dir, files, extras, same_graph, progress or (lambda _msg: None), delta, check,
                        record or {}, begun, nt_sha256)


def _publish(build_dir: Path, files: dict[str, bytes], extras: Sequence[Extra], same_graph: pyoxigraph.Store | None,
             say: Callable[[str], None], delta: Delta | None,
             check: Callable[[pyoxigraph.Store, Delta | None], None] | None, record: dict[str, Any],
             begun: Begun | None = None, nt_sha256: Callable[[], str] | None = None) -> StoreInfo:
    from concurrent.futures import ThreadPoolExecutor

    nt = files["nt"]
    digest = begun.digest if begun is not None else nt_sha256() if nt_sha256 is not None else sha256(nt)
    previous = current(build_dir)
    if begun is not None:
        work = begun.work
    else:
        _clean(build_dir)
        work = Path(tempfile.mkdtemp(prefix=_PARTIAL, dir=build_dir))
    # The same graph as the generation in use, whose store is whole: its store and extras are reused.
    unchanged = previous is not None and previous.manifest.get("sha256") == digest and previous.has_store

    def files_and_store() -> tuple[str, int, Delta | None]:
        for fmt, data in files.items():
            say(f"writing {GRAPH_FILES[fmt]}")
            write_atomic(work / GRAPH_FILES[fmt], data)
        if begun is not None:
            how, count, applied = "loaded", begun.loading.result(), None
        else:
            how, count, applied = _make_store(previous, work, nt, digest, say, delta, unchanged)
        if check is not None and how != "reused":
            checked = open_read_only(work / STORE_DIR)
            check(checked, applied)
            del checked
        return how, count, applied

    # The files and the store are written (and the store checked) in a second thread while the extras work:
    # writing and Oxigraph's loading release the GIL, and a build has two cores' work. An extra that reads
    # the new store waits for it; the in-memory copy, when given, is read at once. Whichever fails, the
    # other is waited for, and nothing is switched.
    with ThreadPoolExecutor(1) as pool:
        making = pool.submit(files_and_store)

        def loaded() -> pyoxigraph.Store:
            if same_graph is not None:
                return same_graph
            making.result()
            return open_read_only(work / STORE_DIR)

        written: dict[str, Any] = {}
        for extra in extras:
            reuse = previous.extra(extra.name, extra.version) if previous and unchanged else None
            if previous is not None and reuse is not None and _copy_extra(previous, work, reuse):
                written[extra.name] = reuse
                continue
            say(f"writing the {extra.name} files")
            written[extra.name] = {**extra.write(loaded, work), "version": extra.version}
        info_how, triples, _ = making.result()
    manifest: dict[str, Any] = {**record, "sha256": digest, "triples": triples, "store": STORE_DIR,
                                "extras": written, "files": sorted(GRAPH_FILES[f] for f in files)}
    # The manifest is written last: a folder without one is never taken for a generation.
    write_atomic(work / MANIFEST, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    final = build_dir / f"{_GEN}{_next_number(build_dir)}"
    say(f"switching to {final.name}")
    os.replace(work, final)
    _switch(build_dir, final.name)
    _links(build_dir)
    _clean(build_dir, keep=previous.path.name if previous else "")
    return StoreInfo(Generation(final, manifest), triples, info_how)


def _make_store(previous: Generation | None, work: Path, nt: bytes, digest: str, say: Callable[[str], None],
                delta: Delta | None, unchanged: bool) -> tuple[str, int, Delta | None]:
    """Fill `work/store`: reused when `unchanged` (the previous generation has a store of the same graph),
    updated from the previous generation's, or bulk-loaded; with the change applied."""
    import pyoxigraph

    target = work / STORE_DIR
    if unchanged and previous is not None:
        say("the store is up to date")
        _backup(previous.store_path, target)
        return "reused", int(previous.manifest.get("triples", 0)), None
    if previous is not None and previous.has_store:
        old_digest = str(previous.manifest.get("sha256"))
        old_nt = previous.file("nt")
        if delta is None or delta.base != old_digest:
            delta = None
            if old_nt.is_file():
                old, new = set(old_nt.read_bytes().split(b"\n")), set(nt.split(b"\n"))
                delta = Delta(old_digest, new - old - {b""}, old - new - {b""})
        lines = nt.count(b"\n")
        if delta is not None and len(delta.removed) + len(delta.added) <= INCREMENTAL_MAX_CHANGE * max(1, lines):
            say(f"updating the store ({len(delta.added)} triples added, {len(delta.removed)} removed)")
            _backup(previous.store_path, target)
            store = pyoxigraph.Store(str(target))
            parse = pyoxigraph.RdfFormat.N_TRIPLES
            for quad in pyoxigraph.parse(b"\n".join(sorted(delta.removed)) + b"\n", format=parse):
                store.remove(quad)
            store.extend(pyoxigraph.parse(b"\n".join(sorted(delta.added)) + b"\n", format=parse))
            store.flush()
            # The previous store held the previous graph's triples, `removed` were among them and `added` were
            # not: so many are there now, as the new N-Triples count (counting the store took a quarter second).
            # When they disagree the delta was not the change from that graph: the store is loaded whole instead.
            triples = int(previous.manifest.get("triples", -1)) + len(delta.added) - len(delta.removed)
            del store
            if triples == lines:
                return "updated", triples, delta
            shutil.rmtree(target)
    say("loading the store")
    return "loaded", _load(target, nt), None


def _load(target: Path, nt: bytes) -> int:
    """Bulk-load `nt` into a new store at `target`; the number of triples (the store's own count).

    Lenient parsing skips IRI and language-tag validation (a ninth of the load's CPU at 1.7 M triples), as
    kg.shaclsparql.load_store does: `nt` is N-Triples the build wrote, every IRI in it checked as it was made
    (kg.rdf.nt_iri) or written by Oxigraph; syntax errors still raise."""
    import pyoxigraph

    store = pyoxigraph.Store(str(target))
    store.bulk_load(nt, format=pyoxigraph.RdfFormat.N_TRIPLES, lenient=True)
    store.flush()
    triples = len(store)
    del store  # the store closes (and releases its lock) when the object is freed
    return triples


def _backup(source: Path, target: Path) -> None:
    """A RocksDB checkpoint of `source` at `target`: hard links, so it costs almost nothing."""
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(source))
    store.backup(str(target))
    del store


def _copy_extra(previous: Generation, work: Path, entry: dict[str, Any]) -> bool:
    """Hard-link the files an extra wrote in the previous generation (same graph, same format)."""
    names = [v for k, v in entry.items() if k.endswith("file") and isinstance(v, str)]
    if not names or not all((previous.path / n).is_file() for n in names):
        return False
    for n in names:
        os.link(previous.path / n, work / n)
    return True


def _next_number(build_dir: Path) -> int:
    numbers = [int(p.name[len(_GEN):]) for p in build_dir.glob(f"{_GEN}*") if p.name[len(_GEN):].isdigit()]
    return max(numbers, default=0) + 1


def _switch(build_dir: Path, name: str) -> None:
    """Point `current` at generation `name` in one step (a new symlink renamed over the old one)."""
    tmp = build_dir / f".{CURRENT}-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(name, tmp)
    os.replace(tmp, build_dir / CURRENT)
    fd = os.open(build_dir, os.O_RDONLY)
    try:
        os.fsync(fd)  # the switch survives a power cut, not only a killed process
    finally:
        os.close(fd)


def _links(build_dir: Path) -> None:
    """`build/dxkg.ttl` and friends as symlinks through `current`, replacing files an older dxkg wrote."""
    for name in GRAPH_FILES.values():
        path = build_dir / name
        if path.is_symlink() and os.readlink(path) == f"{CURRENT}/{name}":
            continue
        tmp = build_dir / f".{name}-{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(f"{CURRENT}/{name}", tmp)
        os.replace(tmp, path)


def _clean(build_dir: Path, keep: str | None = None) -> None:
    """Remove what killed builds left (`.gen-*`) and an older dxkg's store folders; with `keep` (a
    generation's name, or "" for none) also every generation but the current one and `keep`.
    Runs under the lock, so no other build is writing."""
    gen = current(build_dir)
    alive = {gen.path.name} if gen else set()
    if keep:
        alive.add(keep)
    for path in build_dir.iterdir():
        name = path.name
        stale = name.startswith(_PARTIAL) or name.startswith((".store-new-", ".store-old-")) or \
            (keep is not None and name.startswith(_GEN) and name not in alive) or \
            (name == STORE_DIR and path.is_dir() and not path.is_symlink())
        if stale:
            shutil.rmtree(path, ignore_errors=True)
