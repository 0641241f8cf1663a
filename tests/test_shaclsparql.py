"""The SHACL→SPARQL validator finds what pyshacl finds, one injected violation per constraint kind."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg import shaclsparql
from kg.build import check, serialize
from kg.paths import shapes_file
from tests.conftest import FIXTURE_DATA, INA, MORI_HOKKAIDO, MORI_SHIZUOKA

DX = Namespace("https://w3id.org/dxkg/ontology#")
ID = "https://w3id.org/dxkg/id/"
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")
MORI_H, MORI_S, INA_M = (URIRef(f"{ID}municipality/{c}") for c in (MORI_HOKKAIDO, MORI_SHIZUOKA, INA))
TAG = URIRef(f"{ID}tag/measure/mori-s-m1/driver-1")
OUTCOME = URIRef(f"{ID}outcome/ina-drone-users")
FACTOR_A = URIRef(f"{ID}factor/A")
PRACTICE = URIRef(f"{ID}practice/ina-reuse")
INITIATIVE = URIRef(f"{ID}initiative/mori-h-smart-farm")


def _break(graph: Graph) -> set[tuple[str, str]]:
    """Inject one violation of every constraint kind the shapes use; return the (focus, path) each must give."""
    def replace(s: URIRef, p: URIRef, new: object | None) -> None:
        graph.remove((s, p, None))
        if new is not None:
            graph.add((s, p, new))  # type: ignore[arg-type]

    replace(MORI_H, DCTERMS.identifier, None)                                  # minCount
    graph.add((MORI_S, DX.localGovernmentCode, Literal("224619")))            # maxCount
    replace(INA_M, DCTERMS.identifier, Literal(7))                            # datatype
    replace(MORI_S, DX.prefecture, FACTOR_A)                                  # class
    replace(INA_M, DX.localGovernmentCode, Literal("20209"))                  # pattern
    replace(MORI_H, DX.municipalityKind, Literal("metropolis"))               # in
    replace(FACTOR_A, SKOS.inScheme, None)                                    # hasValue
    graph.add((MORI_H, RDFS.label, Literal("もう一つの森町", lang="ja")))         # qualifiedMaxCount (languageIn)
    graph.remove((INA_M, RDFS.label, Literal("Ina", lang="en")))              # qualifiedMinCount (languageIn)
    replace(OUTCOME, DX.quote, Literal("", lang="ja"))                        # minLength
    replace(MORI_H, DX.population, Literal(-5))                           # minInclusive
    replace(OUTCOME, DX.value, Literal("many"))                               # sh:or of datatypes
    replace(TAG, RDFS.comment, None)                                          # node-level sh:or
    replace(INITIATIVE, DX.municipality, None)                                # node-level sh:or (initiative)
    graph.add((URIRef(f"{ID}initiative/ina-orchard-drones"), DX.practice, PRACTICE))  # inversePath maxCount
    dct, dx, rdfs, skos = "dct:", "dx:", "rdfs:", "skos:"
    return {
        (str(MORI_H), f"{dct}identifier"), (str(MORI_S), f"{dx}localGovernmentCode"),
        (str(INA_M), f"{dct}identifier"), (str(MORI_S), f"{dx}prefecture"), (str(INA_M), f"{dx}localGovernmentCode"),
        (str(MORI_H), f"{dx}municipalityKind"), (str(FACTOR_A), f"{skos}inScheme"), (str(MORI_H), f"{rdfs}label"),
        (str(INA_M), f"{rdfs}label"), (str(OUTCOME), f"{dx}quote"), (str(MORI_H), f"{dx}population"),
        (str(OUTCOME), f"{dx}value"), (str(TAG), ""), (str(INITIATIVE), ""), (str(PRACTICE), f"^{dx}practice"),
    }


def _pyshacl_results(graph: Graph, shapes: Graph) -> list[tuple[str, str]]:
    """(focus, path) of every result pyshacl reports, one per failing constraint."""
    from pyshacl import validate

    _, report, _ = validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        if isinstance(path, BNode):
            path_txt = "^" + report.value(path, SH.inversePath).n3(graph.namespace_manager)
        else:
            path_txt = path.n3(graph.namespace_manager) if path is not None else ""
        out.append((str(focus), path_txt))
    return out


def _pyshacl_pairs(graph: Graph, shapes: Graph) -> set[tuple[str, str]]:
    return set(_pyshacl_results(graph, shapes))


def _pyshacl_counts(graph: Graph, shapes: Graph) -> Counter[tuple[str, str]]:
    return Counter(_pyshacl_results(graph, shapes))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(shapes_file(), format="turtle")


@pytest.fixture(scope="module")
def fixture_graph() -> Graph:
    result = check(FIXTURE_DATA, None, shacl=False)
    assert result.graph is not None
    return result.graph


def test_clean_fixture_has_no_violations(fixture_graph: Graph, shapes: Graph) -> None:
    assert shaclsparql.validate(serialize(fixture_graph, "nt"), shapes) == []


def test_same_violations_as_pyshacl(fixture_graph: Graph, shapes: Graph) -> None:
    broken = Graph()
    for t in fixture_graph:
        broken.add(t)
    for prefix, ns in fixture_graph.namespaces():
        broken.bind(prefix, ns, override=True)
    expected = _break(broken)
    found = Counter((v.focus, v.path) for v in shaclsparql.validate(serialize(broken, "nt"), shapes))
    assert expected <= set(found), f"missed: {sorted(expected - set(found))}"
    assert found == _pyshacl_counts(broken, shapes)  # as many violations per focus and path, too


def test_messages_come_from_the_shapes(fixture_graph: Graph, shapes: Graph) -> None:
    broken = Graph()
    for t in fixture_graph:
        broken.add(t)
    broken.remove((TAG, RDFS.comment, None))
    messages = {v.message for v in shaclsparql.validate(serialize(broken, "nt"), shapes) if v.focus == str(TAG)}
    assert messages == {"an inferred tag needs a rationale (rdfs:comment)"}


def _copy(graph: Graph) -> Graph:
    out = Graph()
    for t in graph:
        out.add(t)
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True)
    return out


TAG_PRINCIPLE = URIRef(f"{ID}tag/measure/mori-s-m1/principle-1")
COUNTERMEASURE = URIRef(f"{ID}countermeasure/fx-clear-scope")
PITFALL = URIRef(f"{ID}pitfall/fx-tech-first")
EX = Namespace("https://example.org/test#")


def test_class_constraints_checked_by_anti_join(fixture_graph: Graph, shapes: Graph) -> None:
    """sh:class and an sh:or of classes run as MINUS: a wrong class or a literal is caught, a subclass is fine."""
    broken = _copy(fixture_graph)
    broken.set((TAG, OA.hasBody, OUTCOME))                                  # sh:or of classes: an outcome is none
    broken.set((TAG_PRINCIPLE, OA.hasTarget, Literal("measure 1")))         # sh:or of classes: a literal
    broken.set((TAG_PRINCIPLE, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), Literal("fx_plan")))  # sh:class
    # FACTOR_A typed only by a subclass of dx:SuccessFactor still is one (for its shape and for dx:factor).
    broken.remove((FACTOR_A, RDF.type, DX.SuccessFactor))
    broken.add((FACTOR_A, RDF.type, EX.SpecialFactor))
    broken.add((EX.SpecialFactor, RDFS.subClassOf, DX.SuccessFactor))
    found = {(v.focus, v.path, v.value) for v in shaclsparql.validate(serialize(broken, "nt"), shapes)}
    assert found == {
        (str(TAG), "oa:hasBody", f"<{OUTCOME}>"),
        (str(TAG_PRINCIPLE), "oa:hasTarget", '"measure 1"'),
        (str(TAG_PRINCIPLE), "prov:wasDerivedFrom", '"fx_plan"'),
    }
    assert {(f, p) for f, p, _ in found} == _pyshacl_pairs(broken, shapes)


def test_node_with_two_target_classes_is_counted_once(fixture_graph: Graph, shapes: Graph) -> None:
    """dxs:Guidance targets dx:Pitfall and dx:Countermeasure: a node with both types and two principles is one
    maxCount violation with 2 values, not two violations or 4 values."""
    broken = _copy(fixture_graph)
    broken.add((COUNTERMEASURE, RDF.type, DX.Pitfall))
    broken.add((COUNTERMEASURE, DX.principle, URIRef(f"{ID}principle/1")))
    found = shaclsparql.validate(serialize(broken, "nt"), shapes)
    assert [(v.focus, v.path, v.value) for v in found] == [(str(COUNTERMEASURE), "dx:principle", "2 found")]
    assert {(v.focus, v.path) for v in found} == _pyshacl_pairs(broken, shapes)


def test_value_checks_sharing_a_query_report_each_failure(fixture_graph: Graph, shapes: Graph) -> None:
    """Value constraints on one path run as one query with a flag each: every failing check is its own violation,
    as many as pyshacl reports."""
    broken = _copy(fixture_graph)
    broken.set((TAG, DX.quote, Literal("")))                    # not a langString and empty: 2 violations
    broken.set((MORI_S, DX.localGovernmentCode, Literal(224618)))  # six digits but not a string: datatype only
    broken.set((INA_M, DX.localGovernmentCode, Literal(20209)))    # neither a string nor six digits: 2
    found = shaclsparql.validate(serialize(broken, "nt"), shapes)
    assert Counter((v.focus, v.path) for v in found) == Counter({
        (str(TAG), "dx:quote"): 2, (str(MORI_S), "dx:localGovernmentCode"): 1,
        (str(INA_M), "dx:localGovernmentCode"): 2,
    })
    assert {v.message for v in found if v.focus == str(TAG)} == {"needs one non-empty dx:quote"}
    assert _pyshacl_counts(broken, shapes) == Counter((v.focus, v.path) for v in found)


def test_validate_store_reuses_a_loaded_store_with_any_number_of_threads(fixture_graph: Graph,
                                                                         shapes: Graph) -> None:
    broken = _copy(fixture_graph)
    _break(broken)
    nt = serialize(broken, "nt")
    store = shaclsparql.load_store(nt)
    serial = shaclsparql.validate_store(store, shapes, workers=1)
    assert len(serial) >= 15
    assert shaclsparql.validate_store(store, shapes, workers=2) == serial
    assert shaclsparql.validate(nt, shapes) == serial
    assert len(store) == len(broken)  # validating only reads the store


@pytest.mark.parametrize("extra", [
    "dxs:X a sh:NodeShape ; sh:targetClass dx:Municipality ; sh:closed true .",
    "dxs:X a sh:NodeShape ; sh:targetNode dx:Municipality ; sh:property [ sh:path dx:a ; sh:minCount 1 ] .",
    "dxs:X a sh:NodeShape ; sh:targetClass dx:Municipality ; sh:property [ sh:path dx:a ; sh:maxLength 3 ] .",
    "dxs:X a sh:NodeShape ; sh:targetClass dx:Municipality ; "
    "sh:property [ sh:path ( dx:a dx:b ) ; sh:minCount 1 ] .",
])
def test_unsupported_features_raise(extra: str, fixture_graph: Graph) -> None:
    shapes = Graph().parse(data=Path(shapes_file()).read_text(encoding="utf-8") + "\n" + extra, format="turtle")
    with pytest.raises(shaclsparql.UnsupportedShape):
        shaclsparql.validate(serialize(fixture_graph, "nt"), shapes)


def test_auto_engine_is_pyshacl_for_small_graphs_and_sparql_for_large() -> None:
    from kg.build import PYSHACL_MAX_TRIPLES, shacl_engine_for

    assert shacl_engine_for(PYSHACL_MAX_TRIPLES) == "pyshacl"
    assert shacl_engine_for(PYSHACL_MAX_TRIPLES + 1) == "sparql"
    assert shacl_engine_for(10, "sparql") == "sparql"
    with pytest.raises(ValueError, match="fast"):
        shacl_engine_for(10, "fast")
