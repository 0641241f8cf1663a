"""One way to read a built graph: `get_adapter()` opens it once and gives everything the answers need.

In the style of oaklib's `get_adapter`: the CLI (and viz) opens one `Adapter` per command and passes
it on. The adapter gives the read-only store (for SPARQL), the analysis extract and its numeric index
(from the cache the build wrote beside the store, else extracted with SPARQL once), and name
resolution. Each part is made on first use, so a command pays only for what it reads.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kg.paths import default_build_dir
from kg.store import Generation, StoreError, current, open_read_only, require

if TYPE_CHECKING:
    import pyoxigraph

    from kg.analysis.columns import Columns
    from kg.analysis.index import Index
    from kg.analysis.records import Extract
    from kg.names import Name, Resolver


class Adapter:
    """A built graph, opened read-only. Make one with `get_adapter()` (or `Adapter.of_store` in tests)."""

    def __init__(self, build_dir: Path | None, generation: Generation | None,
                 store: pyoxigraph.Store | None = None) -> None:
        self.build_dir = build_dir
        self.generation = generation
        self._store = store

    @classmethod
    def of_store(cls, store: pyoxigraph.Store) -> Adapter:
        """An adapter over a store already open (in memory, say): no cache, everything from SPARQL."""
        return cls(None, None, store)

    @property
    def store(self) -> pyoxigraph.Store:
        """The Oxigraph store, read-only."""
        if self._store is None:
            assert self.generation is not None
            self._store = open_read_only(self.generation.store_path)
        return self._store

    @cached_property
    def columns(self) -> Columns:
        """The analysis extract in columns: the build's cache when it is in this code's format, else encoded now."""
        from kg.analysis.cache import load_columns
        from kg.analysis.columns import encode

        cached = load_columns(self.generation) if self.generation is not None else None
        return cached if cached is not None else encode(self.extract)

    @cached_property
    def extract(self) -> Extract:
        """The analysis extract as rows (decoded from the cache, or read with SPARQL)."""
        from kg.analysis.cache import load_columns
        from kg.analysis.columns import decode
        from kg.analysis.records import extract

        cached = load_columns(self.generation) if self.generation is not None else None
        if cached is not None:
            try:
                return decode(cached)
            except (OSError, ValueError, KeyError, IndexError, TypeError):
                pass  # a damaged cache: answer from the store instead
        return extract(self.store)

    @cached_property
    def index(self) -> Index:
        """The numeric index co-occurrence and similarity run on."""
        from kg.analysis.cache import load_cached_index
        from kg.analysis.index import build_index

        cached = load_cached_index(self.generation) if self.generation is not None else None
        return cached if cached is not None else build_index(self.extract)

    @cached_property
    def resolver(self) -> Resolver:
        from kg.names import Resolver

        if "extract" not in self.__dict__ and self.generation is not None:
            from kg.analysis.cache import load_columns

            cached = load_columns(self.generation)
            if cached is not None:  # only the names table: no need to decode the whole extract
                return Resolver(cached.rows("names", with_text=False))
        return Resolver(self.extract.names)

    def resolve(self, name: str, kinds: Iterable[str] | None = None, what: str = "entity") -> Name:
        """The one entity `name` names (see kg.names): NotFound or Ambiguous otherwise."""
        return self.resolver.resolve(name, kinds, what)


def get_adapter(build_dir: Path | None = None, progress: Callable[[str], None] | None = None) -> Adapter:
    """Open a built graph: `build_dir`; else ./build (or $DXKG_BUILD) when it holds a build; else the
    graph of the curated data the package carries, built once into the user's cache."""
    if build_dir is not None:
        return Adapter(build_dir, require(build_dir))
    local = default_build_dir()
    gen = current(local)
    if gen is not None:
        return Adapter(local, gen)
    if os.environ.get("DXKG_BUILD"):
        raise StoreError(f"no built graph in {local} ($DXKG_BUILD): run `dxkg build --build-dir {local}` first")
    packaged = packaged_build(progress)
    return Adapter(packaged, require(packaged))


def packaged_build(progress: Callable[[str], None] | None = None) -> Path:
    """The build folder of the data inside the package, built on first use (and after an upgrade).

    It lives in `$DXKG_CACHE`, else `$XDG_CACHE_HOME/dxkg`, else `~/.cache/dxkg`, in a folder named by
    the hash of the packaged data, so different data never shares a build. The data was validated
    when released, so quotes are not checked again (the source texts are not shipped).
    """
    from kg import __version__
    from kg.build import build
    from kg.load import data_files
    from kg.paths import packaged_data_dir

    data = packaged_data_dir()
    digest = hashlib.sha256(__version__.encode())
    for path in data_files(data):
        digest.update(str(path.relative_to(data)).encode() + b"\0" + path.read_bytes())
    root = Path(os.environ.get("DXKG_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                / "dxkg")
    folder = root / f"graph-{digest.hexdigest()[:16]}"
    if current(folder) is None:
        say = progress or (lambda _msg: None)
        say(f"no build in {default_build_dir()}: building the graph of the packaged data into {folder} (once)")
        build(data, folder, None, progress=progress, shacl_engine="sparql")
    return folder
