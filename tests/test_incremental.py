"""The incremental build: after edits, additions and deletions of data files, the same bytes as a cold build."""

from __future__ import annotations

import gc
import json
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.analysis.cache import TERMS_FILE, load_columns
from kg.analysis.columns import decode
from kg.analysis.records import Extract, extract, extract_part, links_closed, merge
from kg.build import BuildResult, Change, build
from kg.cli import cli
from kg.codes import full_code
from kg.filecache import CACHE_DIR, FileCache, version
from kg.fragments import make
from kg.namespace import DX_NS, ID_NS
from kg.paths import shapes_file
from kg.shaclsparql import affected_nodes, load_store, validate_store
from kg.store import Delta, current, open_store
from kg.synth import write_synthetic
from tests.conftest import FIXTURE_SOURCES, REAL_DATA, assert_same_as_cold


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_edits_additions_and_deletions_give_the_cold_bytes(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    said: list[str] = []
    build(data_copy, out, FIXTURE_SOURCES, progress=said.append)
    assert "6 of 6 files turned into triples, the rest from the cache" in said  # framework, sources, vocab, 3 cases
    cases = data_copy / "cases"

    said.clear()
    _edit(cases / "ina.yaml", "value: 66528", "value: 66529")  # a figure, in one case file
    build(data_copy, out, FIXTURE_SOURCES, progress=said.append)
    assert "1 of 6 files turned into triples, the rest from the cache" in said
    assert any(m.startswith("word vectors: 0 texts tokenised, ") for m in said), said  # no text changed
    assert_same_as_cold(data_copy, out, tmp_path, FIXTURE_SOURCES)

    # A new case file (a copy of Ina under other ids and code), then the original deleted.
    text = (cases / "ina.yaml").read_text(encoding="utf-8")
    new = text.replace("ina", "inb").replace("hokushin", "hokuto").replace('"202096"', '"202100"')
    new = new.replace("伊那市", "伊那北市")
    (cases / "inb.yaml").write_text(new, encoding="utf-8")
    build(data_copy, out, None)
    assert_same_as_cold(data_copy, out, tmp_path, None)
    (cases / "ina.yaml").unlink()
    build(data_copy, out, None)
    assert_same_as_cold(data_copy, out, tmp_path, None)

    # A file moved to another name with the same content: read from the cache, same graph.
    said.clear()
    (cases / "mori-hokkaido.yaml").rename(cases / "mori-h.yaml")
    build(data_copy, out, None, progress=said.append)
    assert "0 of 6 files turned into triples, the rest from the cache" in said
    assert "the store is up to date" in said
    assert_same_as_cold(data_copy, out, tmp_path, None)


def test_a_rebuild_tokenises_only_the_texts_that_changed(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    said: list[str] = []
    build(data_copy, out, None, progress=said.append)
    cold = next(m for m in said if m.startswith("word vectors: "))
    assert "known from the last build" not in cold
    said.clear()
    _edit(data_copy / "cases" / "ina.yaml", "Reusing self-driving know-how", "Reusing autonomous-driving know-how")
    build(data_copy, out, None, progress=said.append)
    assert any(m.startswith("word vectors: 1 texts tokenised, ") for m in said), said  # one practice's text
    assert_same_as_cold(data_copy, out, tmp_path, None)
    gen = current(out)
    assert gen is not None
    saved = json.loads((gen.path / TERMS_FILE).read_bytes())["terms"]
    assert any("autonomous" in ts for ts in saved.values()) and not any("self" in ts for ts in saved.values())

    # Terms saved by another version of the tokeniser, or damaged, are not trusted: everything is tokenised.
    for n, damage in enumerate((b'{"version": "other", "terms": {}}', b"{not json")):
        gen = current(out)
        assert gen is not None
        (gen.path / TERMS_FILE).unlink()  # the file may be a hard link shared with another generation
        (gen.path / TERMS_FILE).write_bytes(damage)
        _edit(data_copy / "cases" / "ina.yaml", f"value: {120 + n}", f"value: {121 + n}")  # no text changes
        said.clear()
        build(data_copy, out, None, progress=said.append)
        assert cold.split(",")[0] == next(m for m in said if m.startswith("word vectors: ")).split(",")[0]
    assert_same_as_cold(data_copy, out, tmp_path, None)


def _analysis(build_dir: Path) -> Extract:
    gen = current(build_dir)
    assert gen is not None
    col = load_columns(gen)
    assert col is not None
    return decode(col)


def test_the_analysis_rows_are_updated_in_parts_and_follow_other_files(data_copy: Path, tmp_path: Path) -> None:
    """A rebuild replaces the rows of the files that changed and joins again what rows take from other
    files (where an entity is; a stakeholder's type), giving the cold build's analysis files."""
    out = tmp_path / "build"
    cases = data_copy / "cases"
    # Mori (Shizuoka)'s initiative names a stakeholder another case file defines.
    _edit(cases / "mori-shizuoka.yaml", "    outcomes:\n      - {id: mori-s-work-time",
          "    stakeholders:\n      - {stakeholder: acme, role: {ja: 開発, en: development}, quote: 開発した。}\n"
          "    outcomes:\n      - {id: mori-s-work-time")
    build(data_copy, out, None)
    tea = f"{ID_NS}initiative/mori-s-tea-farm"
    assert _analysis(out).initiatives[tea].stakeholders == {"company"}

    said: list[str] = []
    _edit(cases / "mori-hokkaido.yaml", "type: company}", "type: university}")  # only the other file changes
    build(data_copy, out, None, progress=said.append)
    assert any(m.startswith("analysis rows of ") for m in said), said  # in parts, not extracted whole
    assert _analysis(out).initiatives[tea].stakeholders == {"university"}
    assert_same_as_cold(data_copy, out, tmp_path, None)

    said.clear()
    _edit(data_copy / "sources.yaml", "en: Shizuoka}", "en: Shizuoka Prefecture}")  # a place's name
    build(data_copy, out, None, progress=said.append)
    assert any(m.startswith("analysis rows of ") for m in said), said
    mori = next(n for n in _analysis(out).names if "mori-shizuoka" in n.keys)  # the town, in its prefecture
    assert "Shizuoka Prefecture" in mori.where.split(" / ")
    assert_same_as_cold(data_copy, out, tmp_path, None)


def test_extracting_file_by_file_gives_the_whole_extract(real_build: tuple[Path, BuildResult]) -> None:
    """The real data's graph, extracted one data file's fragment at a time and merged, is the extract of
    the whole graph: every file's links are closed, and what crosses files is joined."""
    out, _ = real_build
    cache = FileCache(out)
    state = cache.state()
    assert state is not None and state["disjoint"] and state["open"] == []
    frags = [cache.fragment(d) for d in state["fragments"]]
    files = [f for f in frags if f is not None]
    assert len(files) == len(frags) - 1  # the files' fragments are cached; the ontology's is made each time
    rest = set((out / "dxkg.nt").read_bytes().splitlines()) - {line for f in files for line in f.lines()}
    merged = Extract({}, {}, {}, {}, {}, [], [], [], [])
    for part in [bytes(f.data["nt"]) for f in files] + [b"\n".join(sorted(rest)) + b"\n"]:
        assert links_closed(part, {line.split(b" ", 1)[0].decode() for line in part.splitlines()})
        merged = merge(merged, extract_part(load_store(part)), set())
    assert merged == extract(open_store(out))
    assert len(merged.initiatives) > 40 and any(i.stakeholders for i in merged.initiatives.values())


def test_a_link_out_of_a_part_is_seen() -> None:
    """`links_closed` finds a followed link that leaves its part, so the build extracts the graph whole."""
    practice = f"<{DX_NS}practice>"
    a, b = f"<{ID_NS}initiative/a>", f"<{ID_NS}practice/a-1>"
    inside = f"{a} {practice} {b} .\n{b} <{DX_NS}quote> \"x\" .\n".encode()
    assert links_closed(inside, [a, b])
    assert not links_closed(f"{a} {practice} {b} .\n".encode(), [a])
    # A literal that looks like a link, and a link the extraction does not follow, are no links.
    assert links_closed(f"{a} <{DX_NS}quote> \"{practice} {b} .\" .\n".encode(), [a])
    assert links_closed(f"{a} <{DX_NS}municipality> <{ID_NS}municipality/x> .\n".encode(), [a])


def test_an_open_fragment_makes_the_build_extract_the_graph_whole() -> None:
    """The analysis is updated in parts only while every fragment's links stay inside it."""
    a, b = f"<{ID_NS}initiative/a>", f"<{ID_NS}practice/a-1>"
    closed = make([f"{a} <{DX_NS}practice> {b} .", f"{b} <{DX_NS}quote> \"x\"@ja ."])
    opened = make([f"{a} <{DX_NS}practice> {b} ."])
    delta = Delta("base", set(), set())
    update = Change(delta, [closed], [opened], [opened.digest]).analysis_update()
    assert update is not None and update.gone == {a[1:-1]} and update.came == closed.data["nt"]
    assert Change(delta, [opened], [closed], []).analysis_update() is None  # an open fragment comes
    assert Change(delta, [closed], [], [opened.digest]).analysis_update() is None  # an open one stays
    assert Change(delta, [closed], [opened], [opened.digest]).open_parts([closed]) == []
    assert Change(delta, [opened], [], []).open_parts([closed, opened]) == [opened.digest]


def test_validate_reads_what_a_build_cached_and_writes_nothing(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(data_copy, out, FIXTURE_SOURCES)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def validate(*extra: str) -> tuple[int, str, str]:
        r = CliRunner().invoke(cli, ["validate", "--data", str(data_copy), "--sources", str(FIXTURE_SOURCES),
                                     "--build-dir", str(out), *extra])
        return r.exit_code, r.stdout, r.stderr

    code, stdout, stderr = validate()
    assert code == 0 and stdout.startswith("valid: "), stderr
    assert "0 of 6 files turned into triples, the rest from the cache" in stderr
    assert (code, stdout) == validate("--no-cache")[:2]  # the same verdict and counts from every file read again

    # An edited file is read again, and its problem found as without the cache, the message whole.
    _edit(data_copy / "cases" / "ina.yaml", "municipalities: [ina]", "municipalities: [inaa]")
    code, stdout, stderr = validate()
    assert code == 1 and "inaa" in stderr
    fresh = validate("--no-cache")
    assert (code, stdout) == fresh[:2]
    assert [x for x in stderr.splitlines() if not x.startswith("…")] == \
        [x for x in fresh[2].splitlines() if not x.startswith("…")]
    _edit(data_copy / "cases" / "ina.yaml", "municipalities: [inaa]", "municipalities: [ina]")
    _edit(data_copy / "cases" / "ina.yaml", "value: 66528", "value: 66529")
    code, _, stderr = validate()
    assert code == 0 and "1 of 6 files turned into triples, the rest from the cache" in stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_code_another_file_declares_remakes_the_files_that_use_it(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(data_copy, out, None)
    said: list[str] = []
    # Nagano's code is in sources.yaml; Ina's IRIs and links name it: its fragment must be made again.
    _edit(data_copy / "sources.yaml", 'code: "200000"', 'code: "210005"')
    build(data_copy, out, None, progress=said.append)
    assert "2 of 6 files turned into triples, the rest from the cache" in said  # sources.yaml and ina.yaml
    assert_same_as_cold(data_copy, out, tmp_path, None)
    assert b"prefecture/210005" in (out / "dxkg.nt").read_bytes()


def test_a_failed_build_writes_nothing_and_the_next_good_one_catches_up(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(data_copy, out, None)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    _edit(data_copy / "cases" / "ina.yaml", "kind: city", "kind: metropolis")
    collecting: list[bool] = []
    with pytest.raises(Exception, match="metropolis"):
        build(data_copy, out, None, progress=lambda _msg: collecting.append(gc.isenabled()))
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # the cache included
    # The cyclic collector is paused while a build runs, and back on after one that failed.
    assert collecting and not any(collecting) and gc.isenabled()
    _edit(data_copy / "cases" / "ina.yaml", "kind: metropolis", "kind: town")
    build(data_copy, out, None)
    assert_same_as_cold(data_copy, out, tmp_path, None)


def test_a_cache_in_another_format_version_is_ignored(data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(data_copy, out, None)
    cache = FileCache(out)
    other = out / CACHE_DIR / "v-0-0000000000000000"
    shutil.copytree(cache.root, other)  # what an older dxkg left
    entries = list((cache.root / "files").glob("*.json"))
    assert entries
    for path in entries:  # entries that say another version, in this version's folder
        entry = json.loads(path.read_bytes())
        entry["version"], entry["problems"] = "0-0000000000000000", [[1, "", "stale"]]
        path.write_bytes(json.dumps(entry).encode())
    said: list[str] = []
    _edit(data_copy / "cases" / "ina.yaml", "value: 66528", "value: 66530")
    build(data_copy, out, None, progress=said.append)
    assert "6 of 6 files turned into triples, the rest from the cache" in said  # none of them trusted
    assert not other.exists() and version().startswith("1-")
    assert_same_as_cold(data_copy, out, tmp_path, None)


def test_synthetic_edits_are_validated_on_the_nodes_they_touch(tmp_path: Path) -> None:
    data, out = tmp_path / "synth", tmp_path / "build"
    write_synthetic(data, 6, seed=3, real_data=REAL_DATA)
    build(data, out, None, shacl_engine="sparql")
    case = sorted((data / "cases").glob("*.yaml"))[2]
    said: list[str] = []
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("  kind: town", "  kind: village", 1).replace("  kind: city", "  kind: town", 1),
                    encoding="utf-8")
    build(data, out, None, progress=said.append, shacl_engine="sparql")
    assert any("focus nodes the change can affect" in s for s in said), said
    assert any(s.startswith("updating the store") for s in said)
    assert_same_as_cold(data, out, tmp_path, None, "sparql")
    # A municipality added (a copy under another id and code), then gone again, with its initiatives.
    first = sorted((data / "cases").glob("*.yaml"))[0]
    mid = first.stem  # m<code>
    added = data / "cases" / "added.yaml"
    code = full_code("47999")
    added.write_text(first.read_text(encoding="utf-8").replace(mid, "m" + code).replace(mid[1:], code),
                     encoding="utf-8")
    build(data, out, None, shacl_engine="sparql")
    assert_same_as_cold(data, out, tmp_path, None, "sparql")
    added.unlink()
    build(data, out, None, shacl_engine="sparql")
    assert_same_as_cold(data, out, tmp_path, None, "sparql")


@pytest.mark.parametrize("change", ["literal", "label", "type", "link"])
def test_validating_the_affected_nodes_finds_what_validating_all_finds(fixture_build, change: str) -> None:
    """Break the fixture's graph in each way a constraint can see; the focus nodes affected_nodes gives find
    exactly the violations that validating every node finds."""
    out, _ = fixture_build
    nt = (out / "dxkg.nt").read_bytes()
    dx, idns = "https://w3id.org/dxkg/ontology#", "https://w3id.org/dxkg/id/"
    lines = set(nt.decode("utf-8").splitlines())
    if change == "literal":  # a value that is not a number
        old = {line for line in lines if line.startswith(f"<{idns}outcome/mori-h-work-time> <{dx}value>")}
        new = {f'<{idns}outcome/mori-h-work-time> <{dx}value> "twenty" .'}
    elif change == "label":  # a practice without its Japanese label
        old = {line for line in lines if line.startswith(f"<{idns}practice/ina-reuse> "
                                                         "<http://www.w3.org/2000/01/rdf-schema#label>")
               and line.endswith("@ja .")}
        new = set()
    elif change == "type":  # a stakeholder no longer typed: the participations naming it break (sh:class)
        old = {line for line in lines if line.startswith(f"<{idns}stakeholder/")
               and f"<{dx}Stakeholder>" in line and "rdf-syntax-ns#type" in line}
        new = set()
    else:  # a practice linked to a second initiative (^dx:practice maxCount 1)
        old = set()
        new = {f"<{idns}initiative/ina-drone-logistics> <{dx}practice> <{idns}practice/mori-s-visits> ."}
    assert old or new
    after = sorted((lines - old) | new)
    store = pyoxigraph.Store()
    store.bulk_load(("\n".join(after) + "\n").encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    shapes = Graph().parse(shapes_file(), format="turtle")
    everything = validate_store(store, shapes)
    changed = "".join(f"{line}\n" for line in sorted(old ^ new)).encode()
    focus = affected_nodes(changed, store)
    assert focus is not None
    assert everything, change  # each change does break a constraint
    assert validate_store(store, shapes, focus=focus) == everything
    assert affected_nodes(b"<https://x/a> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <https://x/b> .\n",
                          store) is None  # a class hierarchy change: validate everything
