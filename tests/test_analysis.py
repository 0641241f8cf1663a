"""Co-occurrence, similarity and plan assessment against values computed by hand on the fixture.

Fixture practices and their drivers (factors): ina-speakers 3 (C), ina-reuse 2 (A), ina-mayor-lead
1*, 4* (B) (* inferred), mori-h-hearing 1 (A), mori-h-planning-dept 2* (B*), mori-s-visits 1, 3 (A).
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.adapter import Adapter, get_adapter
from kg.analysis.assessment import assess
from kg.analysis.cache import AnalysisCache, load_columns
from kg.analysis.columns import decode, encode
from kg.analysis.cooccur import cooccurrence, fisher_exact, odds_ratio
from kg.analysis.network import driver_network, to_networkx
from kg.analysis.records import AnalysisError
from kg.analysis.similarity import similar
from kg.cli import cli
from kg.errors import DxkgError
from kg.store import MANIFEST, current, open_store, publish
from tests.conftest import FX_INITIATIVES, FX_MEASURES, FX_PRACTICES


@pytest.fixture(scope="module")
def fx(fixture_build):
    return get_adapter(fixture_build[0])


def _pair(rows, a, b):
    return next(r for r in rows if (r.a, r.b) == (a, b))


def test_extract_counts(fx):
    ex = fx.extract
    assert len(ex.initiatives) == FX_INITIATIVES
    assert len(ex.practices) == FX_PRACTICES
    assert sum(len(p.measures) for p in ex.plans.values()) == FX_MEASURES
    mori = next(m for m in ex.municipalities.values() if m.id == "mori-hokkaido")
    assert mori.population == 14456 and mori.ageing == pytest.approx(5649 / 14456)


def test_to_networkx_is_typed(fixture_build):
    g = to_networkx(open_store(fixture_build[0]))
    ini = "https://w3id.org/dxkg/id/initiative/mori-h-smart-farm"
    assert g.nodes[ini]["type"] == "dx:Initiative"
    assert g.nodes[ini]["label_ja"] == "スマート農業"
    assert sum(1 for _, d in g.nodes(data=True) if d["type"] == "dx:Practice") == FX_PRACTICES
    assert {k for _, _, k in g.out_edges(ini, keys=True)} >= {"dx:practice", "dx:domain", "dx:municipality"}


def test_driver_pairs_at_practice_level(fx):
    rows = cooccurrence(fx, level="practice", lang="en").pairs
    assert [(r.a, r.b, r.count) for r in rows] == [("driver:1", "driver:4", 1), ("driver:1", "driver:3", 1)]
    r = _pair(rows, "driver:1", "driver:3")  # n=6, driver 1 on 3 practices, driver 3 on 2
    assert (r.n, r.count_a, r.count_b) == (6, 3, 2)
    assert r.jaccard == pytest.approx(1 / 4) and r.lift == pytest.approx(1.0) and r.npmi == pytest.approx(0.0)
    r = _pair(rows, "driver:1", "driver:4")
    assert r.lift == pytest.approx(2.0) and r.npmi == pytest.approx(math.log(2) / math.log(6))
    assert r.p_value == pytest.approx(1.0)
    assert r.note == "too few cases to say"


def test_q_values_are_benjamini_hochberg_over_every_pair_tested(fx):
    result = cooccurrence(fx, level="practice", min_count=0, lang="en")
    assert result.tested == 6 == len(result.pairs)  # 4 drivers: every pair is one hypothesis
    ps = [p.p_value for p in result.pairs]
    order = sorted(range(len(ps)), key=lambda k: ps[k])
    m, q, running = len(ps), [0.0] * len(ps), 1.0
    for rank in range(m, 0, -1):  # by hand: q_(i) = min over j >= i of p_(j) * m / j
        k = order[rank - 1]
        running = min(running, ps[k] * m / rank)
        q[k] = running
    assert [p.q_value for p in result.pairs] == pytest.approx(q)


def test_odds_ratio_and_its_interval():
    # a large table takes the sample odds ratio with Woolf's interval: ad/bc, exp(log OR ± 1.96·√Σ1/cell)
    a, b, c, d = 600, 900, 1400, 2100
    ratio, low, high = odds_ratio(a, b, c, d)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert ratio == pytest.approx(a * d / (b * c))
    assert (low, high) == (pytest.approx(ratio * math.exp(-1.959964 * se), rel=1e-4),
                           pytest.approx(ratio * math.exp(1.959964 * se), rel=1e-4))
    # a small one the conditional estimate with the exact interval, which holds the estimate
    ratio, low, high = odds_ratio(5, 2, 1, 12)
    assert low < ratio < high and low > 1
    assert odds_ratio(3, 0, 0, 3)[:2] == (None, pytest.approx(0.0, abs=1e-6)) or odds_ratio(3, 0, 0, 3)[0] is None
    assert odds_ratio(0, 0, 3, 3) == (None, None, None)  # an empty margin: nothing to compare


def test_explicit_only_drops_inferred_tags(fx):
    result = cooccurrence(fx, level="practice", explicit_only=True)
    rows = result.pairs
    assert [(r.a, r.b) for r in rows] == [("driver:1", "driver:3")]
    # Only the four practices with an explicit driver tag are counted (one carries drivers 1 and 3): the two
    # others were not observed for drivers once inferred tags are set aside, and are not counted as absent.
    assert (result.n, result.untagged) == (4, 2)
    assert (rows[0].count, rows[0].count_a, rows[0].count_b) == (1, 2, 2)
    assert rows[0].lift == pytest.approx(1 * 4 / (2 * 2))


def test_initiative_level_is_the_default_and_factor_driver(fx):
    rows = cooccurrence(fx, lang="en").pairs
    assert cooccurrence(fx).level == "initiative"
    assert {(r.a, r.b) for r in rows} == {("driver:1", "driver:2"), ("driver:1", "driver:3"),
                                          ("driver:1", "driver:4"), ("driver:2", "driver:3")}
    assert _pair(rows, "driver:1", "driver:2").lift == pytest.approx(4 / 6)
    fd = cooccurrence(fx, kind="factor-driver", level="practice").pairs
    a1 = _pair(fd, "factor:A", "driver:1")
    assert (a1.count, a1.count_a, a1.count_b) == (2, 3, 3) and a1.jaccard == pytest.approx(0.5)
    assert fd[0] is a1  # the most frequent pair comes first


def test_pairs_the_source_groups_together_are_marked(fx):
    # the fixture's framework puts drivers 1 and 2 in one value group, 3 and 4 in another
    rows = cooccurrence(fx, lang="en").pairs
    assert _pair(rows, "driver:1", "driver:2").same_group == "Starting and continuing"
    assert _pair(rows, "driver:1", "driver:3").same_group == ""
    assert cooccurrence(fx, lang="ja").pairs[0].note == "事例が少なく判断できない"


def test_filters(fx):
    assert cooccurrence(fx, domain="agriculture").n == 3
    assert cooccurrence(fx, prefecture="北海道", min_count=0).n == 1
    assert cooccurrence(fx, prefecture="Hokkaido", min_count=0).pairs == \
        cooccurrence(fx, prefecture="北海道", min_count=0).pairs
    empty = cooccurrence(fx, min_count=3, lang="en")
    assert empty.pairs == [] and "no pair occurs together 3 or more times among the 4 matching units" in empty.why_empty
    assert len(cooccurrence(fx, top=1).pairs) == 1 and cooccurrence(fx, top=1).shown_of == 4
    with pytest.raises(DxkgError, match="no prefecture in the graph is called 'Atlantis'"):
        cooccurrence(fx, prefecture="Atlantis")
    with pytest.raises(AnalysisError, match="unknown domain"):
        cooccurrence(fx, domain="space")


def test_fisher_by_hand():
    # [[3, 0], [0, 3]]: only this table and its mirror are as extreme: 2 / C(6, 3) = 0.1
    assert fisher_exact(3, 0, 0, 3) == pytest.approx(0.1)


def test_driver_network(fx):
    g = driver_network(fx, level="practice")
    assert set(g.nodes) == {"driver:1", "driver:2", "driver:3", "driver:4"}
    assert g.nodes["driver:1"]["strength"] == 2 and g.nodes["driver:1"]["degree"] == 1.0
    # it lies on the one shortest path (3–4) of the three pairs of other drivers
    assert g.nodes["driver:1"]["betweenness"] == pytest.approx(1 / 3)
    assert g.nodes["driver:2"]["community"] != g.nodes["driver:1"]["community"]  # 2 is isolated
    # Counted as the pair table counts: explicit tags only, two practices carry no driver and are not units.
    explicit = driver_network(fx, level="practice", explicit_only=True)
    assert (explicit.graph["units"], explicit.graph["untagged"]) == (4, 2)


def _set_part(shared: list[float], mine: list[float], query: list[float], floor: float) -> float:
    """The documented set part: idf of what is shared over idf of the union, the union at least `floor`."""
    return sum(shared) / max(sum(mine) + sum(query) - sum(shared), floor)


def test_similar_scores_by_hand(fx):
    # Query mori-h-smart-farm: agriculture; iot-sensors; factors A, B; drivers 1, 2; a company; 14,456 people.
    # Every initiative has a domain and a technology (4 of 4), factors and drivers (4 of 4); only two name a
    # stakeholder type. idf = ln((1 + N) / (1 + n)); the union weighs at least ln((1 + N) / 3).
    idf = {n: math.log(5 / (1 + n)) for n in (1, 2, 3)}
    floor = math.log(5 / 3)
    r = similar(fx, "mori-h-smart-farm", top=3, weights={"words": 0})
    assert [m.id for m in r.matches] == ["mori-s-tea-farm", "ina-orchard-drones"]  # nothing shared with logistics
    tea, orchard = r.matches
    agri, iot, drones = idf[3], idf[3], idf[2]  # agriculture on 3 initiatives, iot-sensors on 3, drones on 2
    assert tea.parts["domains"] == pytest.approx(_set_part([agri], [agri], [agri], floor))
    assert orchard.parts["technologies"] == pytest.approx(_set_part([iot], [drones, iot], [iot], floor))
    fa, fb = idf[3], idf[2]  # factor A on 3 initiatives, B on 2
    assert orchard.parts["factors"] == pytest.approx(_set_part([fb], [fb], [fa, fb], floor))
    d1, d2, d3 = idf[3], idf[2], idf[2]
    assert tea.parts["drivers"] == pytest.approx(_set_part([d1], [d1, d3], [d1, d2], floor))
    ageing = 1 - abs(5649 / 14456 - 6300 / 18000) / 0.15
    assert (tea.parts["population"], tea.parts["ageing"]) == (1.0, pytest.approx(ageing))
    # 森町 (Shizuoka) names no stakeholder: unknown, not 0, and counted as the part's average
    assert tea.parts["stakeholders"] is None and tea.unknown == ["stakeholders"]
    subject = (2 * tea.parts["domains"] + 1.5 * tea.parts["technologies"]) / 3.5
    other = (0.75 * tea.parts["drivers"] + 0.25 * tea.parts["factors"] + 0.5 * r.typical["stakeholders"]
             + 0.25 * 1.0 + 0.25 * ageing) / 2.0
    assert tea.score == pytest.approx(subject * (1 + other) / 2)
    assert sum(tea.contributions.values()) == pytest.approx(tea.score)
    assert tea.shared["technologies"] == ["iot-sensors"] and tea.shared["factors"] == ["A"]


def test_similar_words_and_names(fx):
    r = similar(fx, "ドローン")  # free words: what the texts say
    assert r.query.kind == "words" and r.query.words == ["ドローン"]
    assert {m.id for m in r.matches} == {"ina-orchard-drones", "ina-drone-logistics"}
    assert all(m.words[0][0] == "ドローン" for m in r.matches)
    assert similar(fx, "スマート農業").query.id == "mori-h-smart-farm"  # a whole name is the initiative
    r = similar(fx, "Smart agriculture", top=1)
    assert r.query.kind == "initiative" and r.matches[0].id == "mori-s-tea-farm"
    with pytest.raises(AnalysisError, match="unknown weight"):
        similar(fx, "ina-orchard-drones", weights={"colour": 1})
    with pytest.raises(DxkgError, match="did you mean: ina-drone-logistics"):
        similar(fx, "ina-drone-logistic")  # written as an id: a misspelt one, not words
    # The id path an ambiguous name's candidates are listed by names its entity too, not words.
    r = similar(fx, "initiative/ina-drone-logistics")
    assert (r.query.kind, r.query.id) == ("initiative", "ina-drone-logistics")
    assert "ina-drone-logistics" not in {m.id for m in r.matches}
    assert similar(fx, "measure/mori-s-m2").query.kind == "measure"
    with pytest.raises(DxkgError, match="did you mean: ina-drone-logistics"):
        similar(fx, "initiative/ina-drone-logistic")


def test_similar_a_plan_measure(fx):
    r = similar(fx, "mori-s-m2")
    assert (r.query.kind, r.query.id) == ("measure", "mori-s-m2")
    assert r.query.municipalities == ["森町"] and "drivers" not in r.dropped  # its driver 3 is compared
    assert "domains" in r.dropped  # the measure has no domain: that part is left out, for everyone alike


def test_assess_fixture_plan(fx):
    a = assess(fx, "mori-s-plan")
    assert a.coverage("principle") == (2, 3) and a.coverage("driver") == (2, 4)
    # one inferred link each (1 point, under 3): weak, a risk; principle 3 and drivers 2, 4: missing
    assert [(i.code, i.strength, i.points) for i in a.principles] == [("1", "weak", 1), ("2", "weak", 1),
                                                                      ("3", "missing", 0)]
    assert a.strengths("driver") == {"strong": 0, "weak": 2, "missing": 2}
    p3 = a.principles[2]
    assert [f["id"] for f in p3.pitfalls] == ["fx-vague-roles"]
    # every principle's pitfalls are a checklist; no measure says 曖昧 or 役割分担
    assert [(c.id, c.exposed) for i in a.principles for c in i.checklist] == [
        ("fx-tech-first", True), ("fx-weak-involvement", True), ("fx-vague-roles", True)]
    # Principle 3 is curated as related to driver 4, which only ina-mayor-lead carries.
    assert [c.practice for c in p3.cases] == ["ina-mayor-lead"]
    assert assess(fx).plan == a.plan  # the only plan is the default
    served = a.principles[0].served_by[0]
    assert (served.measure, served.name_ja, served.basis) == ("mori-s-m1", "課題の話し合いの場", "inferred")
    assert served.rationale == "Discussing issues with residents."
    d2 = a.drivers[1]
    # mori-hokkaido: same band, 65+ share 0.391 vs 0.35; ina: next band, 0.317 vs 0.35
    assert [c.practice for c in d2.cases] == ["mori-h-planning-dept", "ina-reuse"]
    assert d2.cases[0].context == pytest.approx((1 + 1 - abs(5649 / 14456 - 0.35) / 0.15) / 2)
    assert d2.cases[0].quote == "企画部門と進めることで複数部署から協力を獲得した。"
    assert (d2.cases[0].population, d2.cases[0].context_unknown) == (14456, [])
    # peers by |log10 population ratio| + |65+ difference| / 0.1 from 森町 (Shizuoka): 18,000, 0.35
    assert [(p.municipality, p.distance) for p in a.peers] == [
        ("mori-hokkaido", pytest.approx(abs(math.log10(14456 / 18000)) + abs(5649 / 14456 - 0.35) / 0.1, abs=1e-4)),
        ("ina", pytest.approx(abs(math.log10(66528 / 18000)) + abs(21089 / 66528 - 0.35) / 0.1, abs=1e-4))]
    first = a.peers[0].items[0]
    assert first.initiative == "mori-h-smart-farm"
    assert first.reasons[0] == {"why": "driver:2", "strength": "missing", "practice": "mori-h-planning-dept"}
    assert {"why": "domain:agriculture", "strength": "none", "practice": ""} in first.reasons  # no measure has it
    assert [r.id for r in a.measure_reports] == ["mori-s-m1", "mori-s-m2"]  # every measure, tagged or not
    assert a.labels["driver:4"] == {"ja": "類似事例の情報取得", "en": "Learning from similar cases"}
    assert set(a.rules) == {"strength", "pitfalls", "leads", "peers", "actions"}


def _run(build: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--build-dir", str(build)])


def test_cli_formats(fixture_build):
    out = fixture_build[0]
    res = _run(out, "cooccur", "--format", "csv", "--level", "practice")
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0].startswith("a,b,a_label,b_label,count")
    assert res.stdout.splitlines()[1].startswith("driver:1,driver:4,")
    assert res.stderr.startswith("集計単位: 取組（ドライバーのタグがある6件）; 計上した出典: fx_report")
    res = _run(out, "similar", "mori-h-smart-farm", "--top", "2", "--format", "json")
    got = json.loads(res.stdout)
    assert [m["id"] for m in got["matches"]] == ["mori-s-tea-farm", "ina-orchard-drones"]
    assert got["query"]["id"] == "mori-h-smart-farm" and got["sources_counted"] == ["fx_report"]
    res = _run(out, "similar", "mori-h-smart-farm", "--top", "2", "--format", "csv")
    assert res.output.splitlines()[0].startswith("rank,id,name,municipalities,score,words,domains")
    res = _run(out, "similar", "mori-h-smart-farm", "--top", "2")
    assert res.output.splitlines()[2].split()[:5] == ["順位", "|", "ID", "|", "名称"]
    res = _run(out, "assess", "mori-s-plan", "--format", "md", "--lang", "en")
    assert res.exit_code == 0 and "| principle 1 Discussing the issues | ⚠ weak (a risk) | 1 |" in res.output
    res = _run(out, "assess", "森町", "--lang", "ja")
    assert "原則3 役割分担 — ✗ 不足（0点）" in res.output
    res = _run(out, "cooccur", "--network", "--format", "json", "--level", "practice")
    net = json.loads(res.stdout)
    assert net["drivers"][0]["driver"] == "1" and (net["level"], net["sources"]) == ("practice", ["fx_report"])
    res = _run(out, "cooccur", "--network", "--format", "json", "--level", "practice", "--explicit-only",
               "--lang", "en")
    assert (json.loads(res.stdout)["units"], json.loads(res.stdout)["untagged"]) == (4, 2)
    assert "counted per practice: the 4 practices carrying a driver tag (2 with none not counted)" in res.stderr
    res = _run(out, "cooccur", "--format", "json")
    counted = json.loads(res.stdout)
    assert (counted["level"], counted["n"], counted["tested"]) == ("initiative", 4, 6)
    assert counted["sources"] == ["fx_report"]


def test_cooccur_says_why_nothing_is_left_and_usage_errors_exit_2(fixture_build):
    res = _run(fixture_build[0], "cooccur", "--domain", "logistics", "--min-count", "2", "--lang", "en")
    assert res.exit_code == 0 and "(0 rows)" in res.stdout
    assert "nothing to show: no pair occurs together 2 or more times among the 1 matching units" in res.stderr
    for args in (("--top", "-1"), ("--kind", "factor", "--network"), ("--min-reliability", "tertiary")):
        res = _run(fixture_build[0], "cooccur", *args)
        assert res.exit_code == 2 and "Traceback" not in res.output, args


@pytest.mark.parametrize("args, message, status", [
    (("similar", "no-such-thing"), "no initiative or measure in the graph has the id 'no-such-thing'", 1),
    (("similar", "まったく無関係"), "no initiative or measure is called 'まったく無関係'", 1),
    (("assess", "no-plan"), "no plan in the graph is called 'no-plan'", 1),
    # a bad option value is a usage error, as click reports it in every command
    (("similar", "mori-h-smart-farm", "--min-reliability", "tertiary"), "'tertiary' is not one of", 2),
    (("assess", "--lang", "fr"), "'fr' is not one of", 2),
    (("assess", "--cases", "-1"), "-1 is not in the range x>=0", 2),
    (("similar", "mori-h-smart-farm", "--top", "0"), "0 is not in the range x>=1", 2),
    (("similar", "mori-h-smart-farm", "-w", "domains"), "PART=NUMBER", 2),
])
def test_cli_bad_input(fixture_build, args, message, status):
    res = _run(fixture_build[0], *args)
    assert res.exit_code == status and message in res.output, res.output
    assert "Traceback" not in res.output


def test_cli_empty_graph(tmp_path):
    publish(tmp_path, {"nt": b""}, extras=[AnalysisCache()])
    for args in (("cooccur",), ("similar", "x"), ("assess",)):
        res = _run(tmp_path, *args)
        assert res.exit_code == 1, args
        assert "no initiatives" in res.output or "no plan" in res.output


def test_plan_without_measures(fixture_build, tmp_path):
    # The loader refuses such a plan in YAML, but a dx:Plan may come from elsewhere in RDF.
    nt = (fixture_build[0] / "dxkg.nt").read_text(encoding="utf-8")
    kept = [line for line in nt.splitlines() if "ontology#measure>" not in line]
    publish(tmp_path, {"nt": ("\n".join(kept) + "\n").encode()}, extras=[AnalysisCache()])
    res = _run(tmp_path, "assess", "mori-s-plan")
    assert res.exit_code == 1 and "has no measures" in res.output


@pytest.mark.parametrize("which", ["fixture_build", "real_build"])
def test_cache_gives_the_sparql_answers(which, request):
    build = request.getfixturevalue(which)[0]
    gen = current(build)
    col = load_columns(gen)
    assert col is not None, "dxkg build writes the analysis cache"
    cached, fresh = get_adapter(build), Adapter.of_store(open_store(build))
    ex = fresh.extract
    assert decode(col) == ex  # lossless: every label, quote, tag and link comes back
    assert encode(ex).core == col.core
    for kind in ("driver", "factor", "factor-driver"):
        for level in ("practice", "initiative"):
            assert cooccurrence(cached, kind, level) == cooccurrence(fresh, kind, level), (kind, level)
    assert cooccurrence(cached, explicit_only=True, lang="ja") == cooccurrence(fresh, explicit_only=True, lang="ja")
    assert dict(driver_network(cached).nodes(data=True)) == dict(driver_network(fresh).nodes(data=True))
    ids = sorted(i.id for i in ex.initiatives.values())
    for ident in ids[:3] + ids[-2:]:
        assert similar(cached, ident, top=10) == similar(fresh, ident, top=10), ident
    for plan in sorted(p.id for p in ex.plans.values()):
        assert assess(cached, plan) == assess(fresh, plan), plan


def _copy_without_cache(fixture_build, tmp_path: Path, version: str | None) -> Path:
    """A copy of the fixture build whose manifest has no analysis cache (None) or one in another format."""
    build = tmp_path / "build"
    shutil.copytree(fixture_build[0], build, symlinks=True)
    gen = current(build)
    manifest = dict(gen.manifest)
    if version is None:
        manifest["extras"] = {}  # as written before the cache existed
    else:
        manifest["extras"] = {"analysis": {**manifest["extras"]["analysis"], "version": version}}
    (gen.path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return build


@pytest.mark.parametrize("version", [None, "an-older-format"])
def test_without_a_cache_in_this_format_the_answers_come_from_sparql(fixture_build, tmp_path, version):
    build = _copy_without_cache(fixture_build, tmp_path, version)
    assert load_columns(current(build)) is None
    res = _run(build, "similar", "mori-h-smart-farm", "--top", "2", "--format", "json")
    assert res.exit_code == 0
    assert [m["id"] for m in json.loads(res.stdout)["matches"]] == ["mori-s-tea-farm", "ina-orchard-drones"]
    assert cooccurrence(get_adapter(build)) == cooccurrence(get_adapter(fixture_build[0]))


def test_cache_files_are_reproducible(fixture_build, tmp_path):
    import pyoxigraph

    memory = pyoxigraph.Store()  # another store, another query order: the same bytes
    memory.bulk_load(path=str(fixture_build[0] / "dxkg.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    entry = AnalysisCache().write(lambda: memory, tmp_path)
    assert (entry["initiatives"], entry["practices"]) == (FX_INITIATIVES, FX_PRACTICES)
    gen = current(fixture_build[0])
    for key in ("core_file", "text_file", "index_file"):
        name = entry[key]
        assert (tmp_path / name).read_bytes() == (gen.path / name).read_bytes(), name
