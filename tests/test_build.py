"""Building the graph: golden snapshot, determinism, formats, SHACL and the atomic write."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from kg.build import build, serialize
from kg.load import parse_data
from kg.rdf import data_graph
from kg.terms import DX, ID
from tests.conftest import (
    FIXTURE_DATA,
    FIXTURE_SOURCES,
    FX_INITIATIVES,
    FX_MUNICIPALITIES,
    FX_OUTCOMES,
    FX_PRACTICES,
    GOLDEN_TTL,
    MORI_HOKKAIDO,
    MORI_SHIZUOKA,
)


def test_fixture_graph_matches_golden_turtle() -> None:
    ds, problems = parse_data(FIXTURE_DATA)
    assert problems == []
    golden = Graph().parse(GOLDEN_TTL, format="turtle")
    assert isomorphic(data_graph(ds), golden)


def test_build_writes_three_formats_with_the_same_graph(fixture_build) -> None:
    out, result = fixture_build
    # One generation, `current` pointing at it, the graph files where people look for them, and the cache of
    # what each data file gave (outside every generation: kg.filecache).
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["cache", "current", "dxkg.jsonld", "dxkg.nt", "dxkg.ttl", "gen-1"]
    assert (out / "dxkg.ttl").resolve() == (out / "gen-1" / "dxkg.ttl").resolve()
    ttl = Graph().parse(out / "dxkg.ttl", format="turtle")
    assert len(ttl) == result.triples
    assert isomorphic(ttl, Graph().parse(out / "dxkg.nt", format="nt"))
    assert isomorphic(ttl, Graph().parse(out / "dxkg.jsonld", format="json-ld"))
    assert result.quotes_checked


def test_build_is_byte_identical(tmp_path: Path, fixture_build) -> None:
    out, _ = fixture_build
    build(FIXTURE_DATA, tmp_path, FIXTURE_SOURCES)
    for name in ("dxkg.ttl", "dxkg.nt", "dxkg.jsonld"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_graph_counts_and_links(fixture_build) -> None:
    out, _ = fixture_build
    g = Graph().parse(out / "dxkg.nt", format="nt")
    count = lambda cls: len(set(g.subjects(RDF.type, cls)))  # noqa: E731
    assert count(DX.Municipality) == FX_MUNICIPALITIES
    assert count(DX.Initiative) == FX_INITIATIVES
    assert count(DX.Practice) == FX_PRACTICES
    assert count(DX.Outcome) == FX_OUTCOMES
    practice = ID["practice/mori-h-hearing"]
    assert (practice, DX.factor, ID["factor/A"]) in g
    tag = ID["tag/practice/mori-h-hearing/factor-A"]
    assert (tag, DX.basis, DX.explicit) in g
    assert g.value(ID["outcome/mori-h-work-time"], DX.value).toPython() == 20


def test_two_towns_with_one_name_stay_apart(fixture_build) -> None:
    out, _ = fixture_build
    g = Graph().parse(out / "dxkg.nt", format="nt")
    moris = set(g.subjects(RDFS.label, Literal("森町", lang="ja")))
    assert moris == {ID[f"municipality/{MORI_HOKKAIDO}"], ID[f"municipality/{MORI_SHIZUOKA}"]}
    assert g.value(ID[f"municipality/{MORI_SHIZUOKA}"], DX.population).toPython() == 18000
    assert g.value(ID[f"municipality/{MORI_HOKKAIDO}"], DX.prefecture) == ID["prefecture/010006"]


def test_jsonld_is_compact_with_our_context(fixture_build) -> None:
    out, _ = fixture_build
    doc = json.loads((out / "dxkg.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"]["dx"] == str(DX._NS)
    assert any(node.get("@id") == str(ID["municipality/224618"]) for node in doc["@graph"])


def test_serialize_rejects_unknown_format() -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown format"):
        serialize(Graph(), "rdfxml")


def test_shacl_rejects_outcome_without_number() -> None:
    from kg.build import shacl_problems

    ds, _ = parse_data(FIXTURE_DATA)
    g = data_graph(ds)
    outcome = ID["outcome/mori-h-work-time"]
    g.remove((outcome, DX.value, None))
    g.add((outcome, DX.value, Literal("twenty")))
    problems = shacl_problems(g)
    assert any(str(outcome) in str(p) and "dx:value" in str(p) for p in problems)
    g.remove((URIRef(ID["practice/ina-reuse"]), RDFS.label, None))
    assert any("Japanese rdfs:label" in str(p) for p in shacl_problems(g))


# Literals that break naive writers: quotes, backslashes, line breaks, tabs, control characters, " ." at a line end.
AWKWARD = ['say "hi"', "C:\\dx\\", "two\nlines .\nthree", "tab\there", "bell\x07", "末尾 .", "ends with .\n"]


def test_writers_keep_awkward_literals_in_every_format() -> None:
    from decimal import Decimal

    from kg.namespace import GRAPH_PREFIXES as PREFIXES
    from kg.rdf import nt_literal, number_literal

    subject = ID["initiative/awkward"]
    lines = [f"<{subject}> <{DX.quote}> {nt_literal(text, 'ja')} ." for text in AWKWARD]
    lines += [f"<{subject}> <{DX.value}> {number_literal(v)} ." for v in (1e-05, 20.0, 3, 123456789.123)]
    nt = ("\n".join(sorted(lines)) + "\n").encode("utf-8")
    graphs = {fmt: Graph().parse(data=serialize(nt, fmt), format=fmt_name)
              for fmt, fmt_name in (("nt", "nt"), ("ttl", "turtle"), ("jsonld", "json-ld"))}
    assert {str(o) for o in graphs["ttl"].objects(subject, DX.quote)} == set(AWKWARD)
    assert {o.toPython() for o in graphs["jsonld"].objects(subject, DX.value)} == {
        Decimal("0.00001"), Decimal("20.0"), 3, Decimal("123456789.123")}
    assert isomorphic(graphs["nt"], graphs["ttl"]) and isomorphic(graphs["nt"], graphs["jsonld"])
    assert len(graphs["nt"]) == len(AWKWARD) + 4
    assert serialize(nt, "jsonld").startswith(b'{"@context": ' + json.dumps(
        {p: str(ns) for p, ns in sorted(PREFIXES.items())}, ensure_ascii=False).encode("utf-8"))


def test_an_iri_with_a_space_is_refused() -> None:
    import pytest

    from kg.rdf import nt_iri

    with pytest.raises(ValueError, match="not a valid IRI"):
        nt_iri("https://w3id.org/dxkg/id/initiative/a b")
