"""The build's cache of what each data file gave: kept in the build folder, beside the generations.

    build/cache/v-<version>/
        files/<sha256 of the file's bytes>.json   the file read and checked: its problems, or the summary the
                                                  checks across files need (ids defined and referred to, the
                                                  codes it declares, counts), and which fragment it gave
        frags/<sha256 of the N-Triples>.json      a fragment (kg.fragments): its subjects and block ends …
        frags/<sha256 of the N-Triples>.bin       … and its N-Triples, Turtle and JSON-LD blocks, end to end
        quotes/<key>.json                         a file's quote check against given source texts
        state.json                                the fragments of the current generation (for the next build)

Plain JSON and bytes, no pickle. Every file is written whole (kg.files.write_atomic); an entry's JSON is
written after its bytes, so a JSON found means its bytes are whole. The version is a hash of this
format's number and of the code and schema that make an entry, so a change to either starts a new
folder and the old one is removed; an entry that says another version is ignored. Only a build holding
the build folder's lock writes here (kg.store.locked).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from functools import cache
from pathlib import Path
from typing import Any

from kg.files import write_atomic
from kg.fragments import FORMATS, Fragment

FORMAT = 1
CACHE_DIR = "cache"
# The libraries and the modules whose code decides what a data file gives (its problems, summary and triples).
_LIBRARIES = ("PyYAML", "jsonschema", "fastjsonschema", "pyoxigraph", "rdflib")
_MAKERS = ("kg.yamlio", "kg.schema", "kg.load", "kg.model", "kg.checks", "kg.codes", "kg.rdf", "kg.namespace",
           "kg.terms", "kg.writers", "kg.fragments", "kg.filecache")


@cache
def version() -> str:
    """This format's number with a digest of the code and the data schema that make an entry."""
    import importlib
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    from kg.paths import packaged_data_dir

    digest = hashlib.sha256(f"dxkg file cache {FORMAT}".encode())
    for lib in _LIBRARIES:
        try:
            digest.update(f"{lib}=={installed(lib)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{lib} missing\0".encode())
    for name in _MAKERS:
        origin = importlib.import_module(name).__file__
        digest.update(name.encode() + b"\0" + (Path(origin).read_bytes() if origin else b""))
    digest.update((packaged_data_dir() / "schema.json").read_bytes())
    return f"{FORMAT}-{digest.hexdigest()[:16]}"


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


class FileCache:
    """The cache folder of one build folder, in this code's version."""

    def __init__(self, build_dir: Path):
        self.base = build_dir / CACHE_DIR
        self.root = self.base / f"v-{version()}"

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            value = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) and value.get("version") == version() else None

    def _write(self, path: Path, value: dict[str, Any]) -> None:
        write_atomic(path, _dump({**value, "version": version()}))

    # --- per data file --------------------------------------------------------------------------
    def entry(self, key: str) -> dict[str, Any] | None:
        return self._read(self.root / "files" / f"{key}.json")

    def put_entry(self, key: str, entry: dict[str, Any]) -> None:
        self._write(self.root / "files" / f"{key}.json", entry)

    # --- fragments ------------------------------------------------------------------------------
    def fragment(self, digest: str) -> Fragment | None:
        meta = self._read(self.root / "frags" / f"{digest}.json")
        if meta is None:
            return None
        try:
            blob = (self.root / "frags" / f"{digest}.bin").read_bytes()
        except OSError:
            return None
        sizes = [int(meta["sizes"][f]) for f in FORMATS]
        if sum(sizes) != len(blob):
            return None
        data: dict[str, bytes | memoryview] = {}
        whole, start = memoryview(blob), 0  # views of the one read: every format of every file is 470 MB at 1,741
        for fmt, size in zip(FORMATS, sizes, strict=True):
            data[fmt] = whole[start:start + size]
            start += size
        frag = Fragment(list(meta["subjects"]), data, {f: list(meta["ends"][f]) for f in FORMATS})
        frag.__dict__["digest"] = digest  # its name: the SHA-256 of the N-Triples written under it
        return frag

    def put_fragment(self, frag: Fragment) -> str:
        if set(frag.data) != set(FORMATS):  # its name is its N-Triples' digest: a part without every format
            raise ValueError("a fragment without every format cannot be cached")  # would pass for a whole one
        digest = frag.digest
        folder = self.root / "frags"
        if (folder / f"{digest}.json").is_file():
            return digest
        write_atomic(folder / f"{digest}.bin", b"".join(frag.data[f] for f in FORMATS))
        self._write(folder / f"{digest}.json", {"subjects": frag.subjects, "ends": frag.ends,
                                                "sizes": {f: len(frag.data[f]) for f in FORMATS}})
        return digest

    # --- quote checks ---------------------------------------------------------------------------
    def quotes(self, key: str) -> list[list[Any]] | None:
        value = self._read(self.root / "quotes" / f"{key}.json")
        return None if value is None else list(value["problems"])

    def put_quotes(self, key: str, problems: list[list[Any]]) -> None:
        self._write(self.root / "quotes" / f"{key}.json", {"problems": problems})

    # --- the current generation's fragments -----------------------------------------------------
    def state(self) -> dict[str, Any] | None:
        return self._read(self.root / "state.json")

    def put_state(self, nt_sha256: str, fragments: list[str], disjoint: bool, open_parts: list[str]) -> None:
        """The current generation's fragments; whether they share no subject; those whose links the analysis
        follows out of them (kg.analysis.records.links_closed): what the next build needs to update in steps."""
        self._write(self.root / "state.json", {"nt": nt_sha256, "fragments": fragments, "disjoint": disjoint,
                                               "open": open_parts})

    # --- housekeeping (under the build folder's lock) -------------------------------------------
    def clean(self) -> None:
        """Remove other versions' folders and the temporary files of writes a killed build left."""
        if not self.base.is_dir():
            return
        for path in self.base.iterdir():
            if path != self.root:
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        for path in self.root.rglob(".*"):
            path.unlink(missing_ok=True)

    def prune(self, keys: set[str], fragments: set[str], quotes: set[str]) -> None:
        """Keep the entries of these files, fragments and quote checks (the current data's); remove the rest."""
        for sub, keep in (("files", keys), ("frags", fragments), ("quotes", quotes)):
            folder = self.root / sub
            if folder.is_dir():
                for path in folder.iterdir():
                    if path.name.split(".", 1)[0] not in keep:
                        path.unlink(missing_ok=True)
