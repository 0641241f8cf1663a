"""The build folder: each build a complete generation, switched in one step; the store read-only to readers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.adapter import get_adapter
from kg.analysis.cache import AnalysisCache
from kg.build import build
from kg.cli import cli
from kg.query import run
from kg.store import MANIFEST, StoreError, begin, current, open_store, publish, sha256
from tests.conftest import FIXTURE_DATA, FX_INITIATIVES, FX_PRACTICES

COUNT_INITIATIVES = "SELECT (COUNT(*) AS ?n) WHERE { ?i a dx:Initiative }"
EXTRA_IRI = "https://w3id.org/dxkg/id/initiative/extra"
EXTRA = (f"<{EXTRA_IRI}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
         f"<https://w3id.org/dxkg/ontology#Initiative> .\n"
         f'<{EXTRA_IRI}> <http://purl.org/dc/terms/identifier> "extra" .\n').encode()


def _copy(fixture_build, tmp_path: Path) -> Path:
    out, _ = fixture_build
    target = tmp_path / "build"
    shutil.copytree(out, target, symlinks=True)  # the generations and the `current` link as they are
    return target


def _count(build_dir: Path) -> int:
    return int(run(open_store(build_dir), COUNT_INITIATIVES).rows[0][0].value)


def _republish(build_dir: Path, nt: bytes, **kw) -> object:
    """A new generation holding `nt` (the other graph files copied as they are)."""
    gen = current(build_dir)
    assert gen is not None
    files = {"nt": nt, "ttl": gen.file("ttl").read_bytes(), "jsonld": gen.file("jsonld").read_bytes()}
    return publish(build_dir, files, extras=[AnalysisCache()], **kw)


def test_build_publishes_a_generation_with_a_manifest(fixture_build) -> None:
    out, result = fixture_build
    gen = current(out)
    assert gen is not None and gen.path.name == "gen-1"
    assert gen.manifest["sha256"] == sha256((out / "dxkg.nt").read_bytes())
    assert gen.manifest["triples"] == result.triples
    analysis = gen.manifest["extras"]["analysis"]
    assert (analysis["initiatives"], analysis["practices"]) == (FX_INITIATIVES, FX_PRACTICES)
    written = {analysis["core_file"], analysis["text_file"], analysis["index_file"]}
    assert written <= {p.name for p in gen.path.iterdir()}
    assert _count(out) == FX_INITIATIVES


def test_readers_get_a_read_only_store(fixture_build) -> None:
    out, result = fixture_build
    store = open_store(out)
    node = pyoxigraph.NamedNode("https://example.org/x")
    with pytest.raises(RuntimeError, match="read-write"):
        store.add(pyoxigraph.Quad(node, node, node))
    assert len(store) == result.triples


def test_unchanged_graph_reuses_the_store_and_keeps_one_generation_back(fixture_build, tmp_path: Path) -> None:
    build_dir = _copy(fixture_build, tmp_path)
    nt = (build_dir / "dxkg.nt").read_bytes()
    said: list[str] = []
    info = _republish(build_dir, nt, progress=said.append)
    assert info.how == "reused" and "the store is up to date" in said  # type: ignore[attr-defined]
    assert not any("writing the analysis files" in s for s in said)  # the cache came along with the store
    _republish(build_dir, nt)
    gens = sorted(p.name for p in build_dir.glob("gen-*"))
    assert gens == ["gen-2", "gen-3"]  # the current one and the one before, for readers still holding it
    assert current(build_dir).path.name == "gen-3"  # type: ignore[union-attr]
    assert _count(build_dir) == FX_INITIATIVES


def test_a_small_change_updates_a_copy_of_the_store(fixture_build, tmp_path: Path) -> None:
    build_dir = _copy(fixture_build, tmp_path)
    old = (build_dir / "dxkg.nt").read_bytes()
    info = _republish(build_dir, old + EXTRA)
    assert info.how == "updated" and _count(build_dir) == FX_INITIATIVES + 1  # type: ignore[attr-defined]
    assert current(build_dir).manifest["extras"]["analysis"]["initiatives"] == FX_INITIATIVES + 1  # type: ignore
    info = _republish(build_dir, old)  # and back: the triples removed again
    assert info.how == "updated" and _count(build_dir) == FX_INITIATIVES  # type: ignore[attr-defined]
    cold = pyoxigraph.Store()
    cold.bulk_load(old, format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert set(open_store(build_dir)) == set(cold)  # the same quads as a store loaded from scratch


def test_a_delta_that_does_not_add_up_loads_the_store_whole(fixture_build, tmp_path: Path) -> None:
    """The updated store's count is the previous one plus the added, less the removed triples; when that is not
    what the new N-Triples hold (here the previous manifest's count is off by one), the delta was not the change
    from the graph in that store, and the store is loaded whole instead."""
    build_dir = _copy(fixture_build, tmp_path)
    old = (build_dir / "dxkg.nt").read_bytes()
    manifest = current(build_dir).path / MANIFEST
    record = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**record, "triples": record["triples"] + 1}), encoding="utf-8")
    info = _republish(build_dir, old + EXTRA)
    assert info.how == "loaded" and _count(build_dir) == FX_INITIATIVES + 1  # type: ignore[attr-defined]
    assert current(build_dir).manifest["triples"] == (old + EXTRA).count(b"\n")


def test_a_failed_build_leaves_the_previous_generation_in_use(fixture_build, tmp_path: Path) -> None:
    build_dir = _copy(fixture_build, tmp_path)
    before = current(build_dir)
    with pytest.raises(SyntaxError):
        _republish(build_dir, b"<not n-triples")
    assert current(build_dir) == before and _count(build_dir) == FX_INITIATIVES
    assert any(p.name.startswith(".gen-") for p in build_dir.iterdir())  # what the failed build left …
    _republish(build_dir, (build_dir / "dxkg.nt").read_bytes())
    assert not any(p.name.startswith(".gen-") for p in build_dir.iterdir())  # … the next build removes


def test_an_extra_writer_that_fails_changes_nothing(fixture_build, tmp_path: Path) -> None:
    build_dir = _copy(fixture_build, tmp_path)
    before = current(build_dir)

    class Broken:
        name, version = "broken", "1"

        def write(self, store: object, folder: Path) -> dict:
            raise OSError("disk full")

    gen = current(build_dir)
    assert gen is not None
    with pytest.raises(OSError, match="disk full"):
        publish(build_dir, {"nt": gen.file("nt").read_bytes() + EXTRA}, extras=[Broken()])
    assert current(build_dir) == before and _count(build_dir) == FX_INITIATIVES


def test_no_build_and_an_old_build_are_clear_errors(fixture_build, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run `dxkg build` first"):
        open_store(tmp_path)
    result = CliRunner().invoke(cli, ["query", "--build-dir", str(tmp_path), "ASK {}"])
    assert result.exit_code == 2 and "run `dxkg build` first" in result.stderr
    old = tmp_path / "old"
    old.mkdir()
    (old / "dxkg.nt").write_bytes((fixture_build[0] / "dxkg.nt").read_bytes())  # an older dxkg's layout
    (old / "store").mkdir()
    with pytest.raises(StoreError, match="built by an older dxkg"):
        open_store(old)
    build(FIXTURE_DATA, old, None)  # rebuilding replaces the old layout
    assert not (old / "store").exists() and (old / "dxkg.nt").is_symlink() and _count(old) == FX_INITIATIVES


def test_build_reports_what_it_did_with_the_store(data_copy: Path, tmp_path: Path) -> None:
    args = ["build", "--data", str(data_copy), "--build-dir", str(tmp_path / "b"), "--no-sources"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "loading the store" in first.stderr
    second = CliRunner().invoke(cli, args)
    assert "the store is up to date" in second.stderr


def test_a_first_generation_begun_early_is_published_whole_or_left_nowhere(fixture_build, tmp_path: Path) -> None:
    """`begin` starts a first build's generation (its store loading) before the graph is validated:
    published with the same N-Triples it is a whole generation; given others, publish refuses it and
    closing it leaves no half-made folder. A folder that has a store to update is not begun early."""
    nt = (fixture_build[0] / "dxkg.nt").read_bytes()
    files = {"nt": nt}
    out = tmp_path / "first"
    said: list[str] = []
    begun = begin(out, nt, said.append)
    assert begun is not None and begun.work.is_dir() and said == ["loading the store, while the graph is validated"]
    try:
        with pytest.raises(ValueError, match="begun with other N-Triples"):
            publish(out, {"nt": nt + EXTRA}, begun=begun)
        info = publish(out, files, begun=begun)
    finally:
        begun.close()
    assert info.how == "loaded" and _count(out) == FX_INITIATIVES
    assert not [p for p in out.iterdir() if p.name.startswith(".gen-")]
    assert begin(out, nt) is None  # the next build updates or reuses this store

    abandoned = begin(tmp_path / "other", nt)
    assert abandoned is not None
    abandoned.close()
    assert not list((tmp_path / "other").iterdir())


def test_manifest_is_written_last_and_names_every_file(fixture_build) -> None:
    gen = current(fixture_build[0])
    assert gen is not None
    manifest = json.loads((gen.path / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["files"] == ["dxkg.jsonld", "dxkg.nt", "dxkg.ttl"]
    assert all((gen.path / name).is_file() for name in manifest["files"])


def test_the_packaged_data_is_built_once_into_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./build here
    monkeypatch.setenv("DXKG_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("DXKG_BUILD", raising=False)
    said: list[str] = []
    graph = get_adapter(progress=said.append)
    assert graph.build_dir is not None and graph.build_dir.parent == tmp_path / "cache"
    assert any("building the graph of the packaged data" in s for s in said)
    assert len(graph.extract.initiatives) > 50  # the curated data, not the fixture
    said.clear()
    assert get_adapter(progress=said.append).build_dir == graph.build_dir and said == []  # built once
