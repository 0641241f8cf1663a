"""The persistent Oxigraph store: built with the graph, rebuilt only on change, swapped in whole, read-only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.query import QueryError, open_store, run
from kg.store import MANIFEST, StoreError, ensure_store, file_sha256, read_manifest, store_path
from tests.conftest import FX_INITIATIVES, FX_PRACTICES

COUNT_INITIATIVES = "SELECT (COUNT(*) AS ?n) WHERE { ?i a dx:Initiative }"
EXTRA = '<https://w3id.org/dxkg/id/initiative/extra> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ' \
        '<https://w3id.org/dxkg/ontology#Initiative> .\n'


def _copy(fixture_build, tmp_path: Path) -> Path:
    out, _ = fixture_build
    target = tmp_path / "build"
    shutil.copytree(out, target)
    return target


def _count(build: Path) -> int:
    return int(run(open_store(build), COUNT_INITIATIVES).rows[0][0].value)


def test_build_loads_the_store_with_a_manifest(fixture_build) -> None:
    out, result = fixture_build
    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest["sha256"] == file_sha256(out / "dxkg.nt")
    assert manifest["triples"] == result.triples
    assert _count(out) == FX_INITIATIVES


def test_readers_get_a_read_only_store(fixture_build) -> None:
    out, result = fixture_build
    store = open_store(out)
    node = pyoxigraph.NamedNode("https://example.org/x")
    with pytest.raises(RuntimeError, match="read-write"):
        store.add(pyoxigraph.Quad(node, node, node))
    assert len(store) == result.triples


def test_store_is_rebuilt_only_when_the_graph_changed(fixture_build, tmp_path: Path) -> None:
    build = _copy(fixture_build, tmp_path)
    before = (store_path(build) / MANIFEST).stat().st_mtime_ns
    info = ensure_store(build)
    assert not info.rebuilt
    assert (store_path(build) / MANIFEST).stat().st_mtime_ns == before
    with (build / "dxkg.nt").open("a", encoding="utf-8") as fh:
        fh.write(EXTRA)
    info = ensure_store(build)
    assert info.rebuilt
    assert _count(build) == FX_INITIATIVES + 1
    assert sorted(p.name for p in build.iterdir()) == ["dxkg.jsonld", "dxkg.nt", "dxkg.ttl", "store"]


def test_failed_load_leaves_the_previous_store_whole(fixture_build, tmp_path: Path) -> None:
    build = _copy(fixture_build, tmp_path)
    manifest = read_manifest(build)
    (build / "dxkg.nt").write_text("<not n-triples", encoding="utf-8")
    with pytest.raises(SyntaxError):
        ensure_store(build)
    assert read_manifest(build) == manifest
    assert sorted(p.name for p in build.iterdir()) == ["dxkg.jsonld", "dxkg.nt", "dxkg.ttl", "store"]
    assert int(run(pyoxigraph.Store.read_only(str(store_path(build))), COUNT_INITIATIVES).rows[0][0].value) \
        == FX_INITIATIVES


def test_crash_between_the_swap_renames_is_recovered(fixture_build, tmp_path: Path) -> None:
    build = _copy(fixture_build, tmp_path)
    aside = build / ".store-old-crash"
    aside.mkdir()
    store_path(build).rename(aside / "store")  # the old store moved aside, the new one never arrived
    assert read_manifest(build) is not None
    assert _count(build) == FX_INITIATIVES
    assert not aside.exists()


def test_readers_never_write_a_missing_or_stale_store(fixture_build, tmp_path: Path) -> None:
    build = _copy(fixture_build, tmp_path)
    (build / "dxkg.nt").touch()  # newer than the store: a reader refuses rather than reloading
    with pytest.raises(QueryError, match="older than dxkg.nt: run `dxkg build`"):
        open_store(build)
    assert ensure_store(build).rebuilt is False  # same bytes: only the recorded mtime is refreshed
    assert _count(build) == FX_INITIATIVES
    shutil.rmtree(store_path(build))
    result = CliRunner().invoke(cli, ["query", "--build-dir", str(build), "ASK {}"])
    assert result.exit_code == 1 and "missing or older than dxkg.nt" in result.stderr
    assert not store_path(build).exists()
    ensure_store(build)
    assert json.loads((store_path(build) / MANIFEST).read_text())["sha256"] == file_sha256(build / "dxkg.nt")


def test_no_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="run `dxkg build` first"):
        open_store(tmp_path)
    with pytest.raises(StoreError, match="run `dxkg build` first"):
        ensure_store(tmp_path)
    result = CliRunner().invoke(cli, ["query", "--build-dir", str(tmp_path), "ASK {}"])
    assert result.exit_code == 1
    assert "run `dxkg build` first" in result.stderr


def test_build_reports_loading_the_store(data_copy: Path, tmp_path: Path) -> None:
    args = ["build", "--data", str(data_copy), "--build-dir", str(tmp_path / "b"), "--no-sources"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "loading the store" in first.stderr
    second = CliRunner().invoke(cli, args)
    assert "the store is up to date" in second.stderr


def test_analysis_cache_is_swapped_in_with_the_store(fixture_build, tmp_path: Path) -> None:
    build = _copy(fixture_build, tmp_path)
    entry = read_manifest(build)["analysis"]
    assert (entry["initiatives"], entry["practices"]) == (FX_INITIATIVES, FX_PRACTICES)
    assert {entry["core"], entry["text"]} <= {p.name for p in store_path(build).iterdir()}
    with (build / "dxkg.nt").open("a", encoding="utf-8") as fh:
        fh.write(EXTRA + f'<{EXTRA.split()[0][1:-1]}> <http://purl.org/dc/terms/identifier> "extra" .\n')
    ensure_store(build)
    assert read_manifest(build)["analysis"]["initiatives"] == FX_INITIATIVES + 1


def test_a_store_from_before_the_cache_gets_one_without_reloading(fixture_build, tmp_path: Path) -> None:
    build = _copy(fixture_build, tmp_path)
    manifest = read_manifest(build)
    for name in (manifest["analysis"]["core"], manifest["analysis"]["text"]):
        (store_path(build) / name).unlink()
    (store_path(build) / MANIFEST).write_text(json.dumps({k: v for k, v in manifest.items() if k != "analysis"}))
    said: list[str] = []
    info = ensure_store(build, progress=said.append)
    assert not info.rebuilt and "caching the analysis data" in said
    assert read_manifest(build) == manifest
