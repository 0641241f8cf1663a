"""The vocabulary module and ontology/dxkg.ttl define the same terms; a typo fails loudly."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.codes import check_digit, code_error, full_code
from kg.paths import ontology_file
from kg.terms import DX


def test_namespace_and_ontology_agree() -> None:
    g = Graph().parse(ontology_file(), format="turtle")
    ns = str(DX._NS)
    in_ontology = {str(s)[len(ns):] for s in g.subjects() if str(s).startswith(ns)}
    assert in_ontology == set(DX.__annotations__)
    for term in in_ontology:
        iri = DX[term]
        kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, DX.TagBasis, DX.ValueQualifier}
        assert set(g.objects(iri, RDF.type)) & kinds, term
        langs = {lbl.language for lbl in g.objects(iri, RDFS.label) if isinstance(lbl, Literal)}
        assert langs == {"ja", "en"}, term
        assert g.value(iri, SKOS.definition) is not None, term


def test_misspelt_term_fails() -> None:
    with pytest.raises(AttributeError):
        DX.Municipalty  # noqa: B018


def test_check_digit() -> None:
    assert full_code("01100") == "011002"  # 札幌市
    assert full_code("26100") == "261009"  # 京都市
    assert check_digit("01343") == 9  # 森町 (北海道)
    assert code_error("013439") is None
    assert "expected 9" in (code_error("013438") or "")
    assert "six digits" in (code_error("13439") or "")
