"""What the curated data says, checked against the sources: counts, figures, stakeholders, tags."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from kg.build import check
from kg.terms import DX, ID, OA
from tests.conftest import NO_SHARED, REAL_DATA, SHARED_SEEDS

SOURCE_002 = ID["source/002_eb5fe9d3246b009a"]


@pytest.fixture(scope="module")
def g(real_build) -> Graph:
    out, _ = real_build
    return Graph().parse(out / "dxkg.nt", format="nt")


def _instances(g: Graph, cls) -> set:
    return set(g.subjects(RDF.type, cls))


def test_framework_counts_match_the_source(g: Graph) -> None:
    # 002 states six success factors, twelve drivers, seven principles; its principle pages list
    # 13 pitfalls (2+1+2+2+2+2+2) and 20 countermeasures (2+3+3+3+3+3+3).
    assert {str(g.value(f, SKOS.notation)) for f in _instances(g, DX.SuccessFactor)} == set("ABCDEF")
    assert {int(g.value(d, SKOS.notation)) for d in _instances(g, DX.Driver)} == set(range(1, 13))
    assert {int(g.value(p, SKOS.notation)) for p in _instances(g, DX.Principle)} == set(range(1, 8))
    assert len(_instances(g, DX.ValueCategory)) == 6
    assert len(_instances(g, DX.Pitfall)) == 13
    assert len(_instances(g, DX.Countermeasure)) == 20
    assert (ID["factor/E"], SKOS.prefLabel, Literal("割り切り力・頼る力（合理性）", lang="ja")) in g
    assert (ID["principle/4"], SKOS.prefLabel, Literal("迅速な意思決定・PDCAの仕組み構築", lang="ja")) in g
    assert g.value(ID["driver/2"], DX.valueCategory) == ID["value-category/asset-roi"]
    for d in _instances(g, DX.Driver) | _instances(g, DX.SuccessFactor) | _instances(g, DX.Principle):
        assert g.value(d, DX.quote) is not None and g.value(d, SKOS.prefLabel) is not None


def test_each_pitfall_belongs_to_one_principle(g: Graph) -> None:
    per_principle: dict[str, int] = {}
    for pit in _instances(g, DX.Pitfall):
        principles = list(g.objects(pit, DX.principle))
        assert len(principles) == 1
        code = str(g.value(principles[0], SKOS.notation))
        per_principle[code] = per_principle.get(code, 0) + 1
    assert per_principle == {"1": 2, "2": 1, "3": 2, "4": 2, "5": 2, "6": 2, "7": 2}


def test_the_nine_cases_of_002(g: Graph) -> None:
    codes = {"013439", "012106", "102016", "192058", "202096", "212032", "363421", "383864", "442038"}
    cases = {str(g.value(i, DX.localGovernmentCode)) for i in _instances(g, DX.Municipality)
             if any(g.value(x, RDF.type) == DX.Initiative and (x, DX.municipality, i) in g
                    and (x, PROV.wasDerivedFrom, SOURCE_002) in g for x in g.subjects(DX.municipality, i))}
    assert cases == codes
    mori = ID["municipality/013439"]
    assert g.value(mori, DX.population).toPython() == 14456
    assert str(g.value(mori, DX.populationDate)) == "2022-01"
    assert g.value(mori, DX.prefecture) == ID["prefecture/010006"]


def test_higumap_outcome_and_stakeholders(g: Graph) -> None:
    higumap = ID["initiative/higumap"]
    outcome = ID["outcome/mori-higumap-cost-reduction"]
    assert (higumap, DX.outcome, outcome) in g
    assert g.value(outcome, DX.value).toPython() == 66
    assert str(g.value(outcome, DX.unit)) == "%"
    hro = ID["stakeholder/hro"]
    assert (higumap, DX.stakeholder, hro) in g
    assert g.value(hro, DX.stakeholderType) == ID["stakeholder-type/research-institute"]
    assert (hro, RDFS.label, Literal("道総研", lang="ja")) in g


def test_explicit_tag_from_the_slide_marks(g: Graph) -> None:
    # 002 prints "5" beside 中津市's 「DXスクール」 practice.
    practices = set(g.subjects(RDFS.label, Literal("「DXスクール」によるデジタル人材の創出", lang="ja")))
    assert len(practices) == 1
    practice = practices.pop()
    assert (practice, DX.driver, ID["driver/5"]) in g
    tags = [t for t in g.subjects(DX.basis, DX.explicit) if (t, OA.hasTarget, practice) in g]
    assert any((t, OA.hasBody, ID["driver/5"]) in g for t in tags)


def test_iwamizawa_letters_are_not_factors(g: Graph) -> None:
    # In the 岩見沢市 case the letters A–G are list markers: no tag of it may be explicit.
    iwamizawa = ID["municipality/012106"]
    practices = {p for i in g.subjects(DX.municipality, iwamizawa) for p in g.objects(i, DX.practice)}
    assert len(practices) >= 7
    tags = {t for p in practices for t in g.subjects(OA.hasTarget, p)}
    assert tags and all(g.value(t, DX.basis) == DX.inferred for t in tags)


def test_inspection_reports_give_both_fan_club_figures(g: Graph) -> None:
    newer, older = ID["outcome/hida-fanclub-members-2023-09"], ID["outcome/hida-fanclub-members-fy2022"]
    assert g.value(newer, DX.value).toPython() == 12377
    assert g.value(newer, PROV.wasDerivedFrom) == ID["source/000_196c1823fd6daab6"]
    assert g.value(older, DX.value).toPython() == 11239
    assert g.value(older, PROV.wasDerivedFrom) == ID["source/001_8579e8eaffbd2307"]


def test_one_node_for_a_platform_both_reports_describe(g: Graph) -> None:
    platform = [i for i in _instances(g, DX.Initiative)
                if (i, SKOS.altLabel, Literal("プラッとものづくり", lang="ja")) in g]
    assert len(platform) == 1
    assert (platform[0], DX.municipality, ID["municipality/131113"]) in g


def test_article_claims_are_marked_as_claims(g: Graph) -> None:
    article = ID["source/003_3adaf2d03fc83caa"]
    assert str(g.value(article, DX.reliability)) == "secondary"
    initiatives = [i for i in g.subjects(PROV.wasDerivedFrom, article) if g.value(i, RDF.type) == DX.Initiative]
    assert len(initiatives) >= 4
    for i in initiatives:
        en = [d for d in g.objects(i, DCTERMS.description) if d.language == "en"]
        assert en and str(en[0]).startswith("According to an unattributed article")
    assert (ID["stakeholder/sakai-shotengai-federation"], RDFS.label, Literal("堺市の商店街連合会", lang="ja")) in g


def test_horokanai_plan(g: Graph) -> None:
    plan = ID["plan/horokanai-digital-plan"]
    assert g.value(plan, DX.municipality) == ID["municipality/014729"]
    measures = set(g.objects(plan, DX.measure))
    assert len(measures) == 48
    served = {int(g.value(p, SKOS.notation)) for m in measures for p in g.objects(m, DX.principle)}
    assert served == set(range(1, 8))
    drivers = {int(g.value(d, SKOS.notation)) for m in measures for d in g.objects(m, DX.driver)}
    assert 6 not in drivers and 8 not in drivers  # no measure uses local "speakers" or staff awards
    assert g.value(ID["municipality/014729"], DX.population).toPython() == 1196


def test_every_fact_has_a_source_and_quote(g: Graph) -> None:
    for cls in (DX.Initiative, DX.Practice, DX.Outcome, DX.Participation, DX.Pitfall, DX.Countermeasure,
                DX.Tag, DX.PlannedMeasure, DX.ProfileFigure):
        for s in _instances(g, cls):
            assert g.value(s, PROV.wasDerivedFrom) is not None, s
            assert g.value(s, DX.quote) is not None, s


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason=NO_SHARED)
def test_every_quote_is_verbatim_in_its_source() -> None:
    result = check(REAL_DATA, SHARED_SEEDS, shacl=False)
    assert result.quotes_checked
    assert result.problems == []
