"""`dxkg similar` and `dxkg assess` on the real data, read as a domain expert and as the planner of
幌加内町 would; and `assess --text` / `similar --text` with their bad input (issues 11 and 12)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.adapter import get_adapter
from kg.analysis.assessment import assess
from kg.analysis.similarity import similar
from kg.cli import cli
from kg.errors import DxkgError
from tests.conftest import FIXTURE_DATA, FIXTURE_SOURCES

SECONDARY = "003_3adaf2d03fc83caa"  # the unverified article
MOBILITY = {"maebashi-autonomous-bus-trial", "yokosuka-ai-bus", "yokosuka-universal-maas", "maebashi-mytaku"}
AGRICULTURE = {"yamanashi-city-smart-agriculture", "ina-smart-agriculture", "iwamizawa-smart-agriculture",
               "obihiro-agri-iot-visualisation"}


@pytest.fixture(scope="module")
def real(real_build):
    return get_adapter(real_build[0])


@pytest.fixture(scope="module")
def plan(real):
    return assess(real)


def _top(graph, query: str, k: int = 3, **kw) -> list[str]:
    return [m.id for m in similar(graph, query, top=k, **kw).matches]


# Expert expectations: what each initiative or query is, and what a domain expert would call like it.
@pytest.mark.parametrize("query, k, contains, never", [
    # a web map of bear sightings shares its technology with Kanazawa's congestion map; a smart orchard
    # shares only generic factors and drivers with it
    ("higumap", 3, {"kanazawa-tourism-comfort-map"}, {"yamanashi-city-smart-agriculture"}),
    # tourism DX (people flows, signage for visitors) is like Kanazawa's tourism comfort map, not like
    # fund-raising through hometown tax donations
    ("takayama-tourism-dx", 3, {"kanazawa-tourism-comfort-map"}, {"hida-furusato-nozei"}),
    # drone delivery: autonomous delivery robots and self-driving vehicles, not digital administration
    ("ina-drone-logistics", 3, {"yokosuka-delivery-robots", "maebashi-autonomous-bus-trial"},
     {"nakatsu-digital-administration"}),
    # a shared on-demand taxi is like the other mobility services, not like farming
    ("maebashi-mytaku", 3, MOBILITY - {"maebashi-mytaku"}, AGRICULTURE),
    # a smart orchard is first like the other smart agriculture
    ("yamanashi-city-smart-agriculture", 2, {"ina-smart-agriculture", "iwamizawa-smart-agriculture"}, set()),
    # a fan club is like another fan community
    ("hida-fanclub", 3, {"yokosuka-sns-fan-community"}, AGRICULTURE),
    # RPA and AI-OCR in the town office is like RPA for COVID-19 work
    ("kanazawa-rpa-ai-ocr", 3, {"yokosuka-covid-work-rpa"}, AGRICULTURE | MOBILITY - {"yokosuka-ai-bus"}),
    # an AI-operated bus is like a self-driving bus and MaaS
    ("yokosuka-ai-bus", 2, {"maebashi-autonomous-bus-trial", "yokosuka-universal-maas"}, set()),
    # broadband for satellite offices in a mountain town: a town-wide LPWA network in another
    ("kamiyama-satellite-offices", 1, {"kumakogen-lpwa-network"}, set()),
    # free words, in Japanese and in English
    ("「高齢者の見守り」", 1, {"yamanashi-city-elderly-watch"}, set()),
    ("on-demand bus for elderly residents", 3, {"maebashi-mytaku"}, AGRICULTURE),
    ("ドローン 物流", 1, {"ina-drone-logistics"}, set()),
    # plan measures of 幌加内町, including service measures with no tag
    ("horokanai-telemedicine", 1, {"ina-mobile-clinic"}, set()),
    ("horokanai-ar-tourist-guide", 3, {"kanazawa-tourism-comfort-map", "takayama-tourism-dx"}, AGRICULTURE),
])
def test_expert_expectations(real, query, k, contains, never):
    top = _top(real, query, k)
    assert contains <= set(top), (query, top)
    assert not never & set(top), (query, top)


@pytest.mark.parametrize("words, topics, top", [
    # the bear map's text says ヒグマ, never "wildlife" or 鳥獣: its domain's name is what the words meet
    ("wildlife", [("domain", "wildlife")], "higumap"),
    ("鳥獣被害", [("domain", "wildlife")], "higumap"),
    ("防災", [("domain", "disaster-safety")], None),
    # words the initiatives' texts have are scored as words, not read as a topic
    ("drone", [], "ina-drone-logistics"),
    ("on-demand bus for elderly residents", [], None),
    ("management", [], None),
    ("対策", [], None),
])
def test_typed_words_that_name_a_domain_or_technology_ask_for_it(real, words, topics, top):
    result = similar(real, words, top=3)
    assert [(t["scheme"], t["id"]) for t in result.query.topics] == topics
    if top:
        assert result.matches[0].id == top


def test_measure_smart_agriculture_finds_only_agriculture(real):
    assert set(_top(real, "horokanai-smart-agriculture")) <= AGRICULTURE


def test_a_measure_reads_the_same_from_the_index_and_from_the_rows(real):
    from kg.analysis.similarity import measure_row_spec, measure_spec

    plan = next(iter(real.extract.plans.values()))
    town = real.extract.municipalities[plan.municipality]
    for me in plan.measures:
        fast, rows = measure_spec(real, me.id, False), measure_row_spec(real, me, town, False)
        assert (fast.sets, fast.band, fast.ageing, fast.info) == (rows.sets, rows.band, rows.ageing, rows.info), me.id
        assert fast.words.ix.tolist() == rows.words.ix.tolist()


def test_reliability_of_sources(real):
    r = similar(real, "horokanai-joint-system-with-other-municipalities", top=5)
    # by default the unverified article's cases do not count, and the answer says so
    assert r.sources_left_out == [SECONDARY] and SECONDARY not in r.sources_counted and r.excluded == 5
    assert not {m.source for m in r.matches} & {SECONDARY}
    r2 = similar(real, "horokanai-joint-system-with-other-municipalities", top=5, min_reliability="secondary")
    # 003's shared cloud system in Hokkaido is what the plan's joint system is; counted when asked
    assert r2.matches[0].id == "hokkaido-shared-cloud-administrative-system"
    assert r2.sources_left_out == [] and SECONDARY in r2.sources_counted
    # drone image analysis in Obihiro (003) shares drones with drone delivery
    assert "obihiro-agri-iot-visualisation" in _top(real, "ina-drone-logistics", 5, min_reliability="secondary")


def test_unknown_is_not_zero(real):
    r = similar(real, "higumap", top=1)
    m = r.matches[0]  # Kanazawa's map: no curated practices, and its 65+ share is not in the graph
    assert m.id == "kanazawa-tourism-comfort-map"
    assert set(m.unknown) == {"drivers", "factors", "stakeholders", "ageing"}
    assert all(m.parts[p] is None for p in m.unknown)
    assert m.contributions["drivers"] > 0  # counted as the part's average, not as "not similar at all"


def test_similar_explain_and_languages(real_build):
    out = real_build[0]
    res = _run(out, "similar", "higumap", "--explain", "--top", "2")
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert lines[0] == "問い合わせ: 事例 higumap — ひぐまっぷ (森町)"
    assert re.search(r"順位 \| ID .*\| 類似度 \| 語 .*\| 分野 .*\| 高齢化率 \| 一致した語 .*\| 共有", res.output)
    assert "技術: web-mapping" in res.output and "* 不明: " in res.output
    assert f"除外した出典: {SECONDARY} — 除外した事例 5 件" in res.output
    res = _run(out, "similar", "on-demand bus for elderly residents", "--lang", "en", "--top", "1")
    assert "query: words 「on-demand bus for elderly residents」" in res.output
    assert "words used: demand, elderly, resident, バス" in res.output  # bus meets バス
    assert re.search(r"1 +\| maebashi-mytaku +\| MyTaku shared on-demand taxi \| Maebashi", res.output)
    got = json.loads(_run(out, "similar", "higumap", "--format", "json").stdout)
    assert set(got) >= {"query", "matches", "weights", "typical", "left_out", "sources_counted", "sources_left_out"}
    assert 0 < got["left_out"] <= got["candidates"] - 5 and got["matches"][0]["words"][0][0] == "マップ"


def test_typed_words_show_which_each_initiative_says(real_build):
    """Typed words are scored by which of them an initiative says: the table shows them without --explain,
    and says so when a listed initiative says only some (a word most initiatives use could pass for a
    likeness: 住民 alone lifts unrelated initiatives a quarter of the way)."""
    out = real_build[0]
    res = _run(out, "similar", "住民との対話")
    assert res.exit_code == 0 and "使った語: 住民, 対話" in res.output
    rows = [line.split(" | ") for line in res.output.splitlines() if re.match(r"\d+ +\| ", line)]
    assert rows and all(len(r) == 6 for r in rows)  # rank, id, name, municipalities, score, matched words
    said = [set(r[5].strip().split("・")) for r in rows]
    assert said[0] == {"住民", "対話"} and any(s == {"住民"} for s in said[1:])
    assert "一致した語が問い合わせの語の一部だけの事例は、その語だけで似ていると判定されています" in res.output
    en = _run(out, "similar", "resident dialogue", "--lang", "en")
    assert re.search(r"\| score +\| matched words", en.output)
    assert "an initiative whose matched words are only some of the query's is similar by those words alone" in en.output
    whole = _run(out, "similar", "higumap", "--top", "2")  # an initiative is compared whole: no such column
    assert "一致した語" not in whole.output and "一部だけ" not in whole.output


# ---------------------------------------------------------------- the plan of 幌加内町


def test_strength_and_what_serves_it(plan):
    assert plan.measures == 58 and plan.population == 1196 and plan.ageing_qualifier == "more-than"
    assert {i.code: i.strength for i in plan.principles} == {"1": "strong", "2": "strong", "3": "missing",
                                                             "4": "strong", "5": "strong", "6": "strong",
                                                             "7": "strong"}
    assert [i.code for i in plan.drivers if i.strength == "weak"] == ["1", "2", "4", "5", "9", "10"]
    assert [i.code for i in plan.drivers if i.strength == "missing"] == ["6", "8"]
    d2 = plan.drivers[1]
    # one inferred link (1 point) is weak: a risk, not a tick, with the measure as the plan names it
    assert [(s.name_ja, s.section_ja, s.basis) for s in d2.served_by] == [
        ("他自治体とのクラウド等含めた共同システムの導入・運用", "4. 幌加内町デジタル推進計画の位置づけ", "inferred")]


def test_pitfalls_checklist(plan):
    p3 = plan.principles[2]
    checks = {c.name_ja: c for c in p3.checklist}
    assert set(checks) == {"目的意識の不一致", "曖昧な役割分担による手戻り"}
    assert checks["目的意識の不一致"].exposed
    # the plan's own words speak to vague roles (within the town's team): shown, with the words matched
    by = checks["曖昧な役割分担による手戻り"].addressed_by[0]
    assert (by.id, by.words) == ("horokanai-project-team-roles", ["分担", "役割"])
    assert sum(len(i.checklist) for i in plan.principles) == 13  # every principle's pitfalls, not only p3's
    p7 = plan.principles[6]
    assert all(c.exposed for c in p7.checklist)  # nothing keeps motivation up: driver 8 is missing too


def test_cases_for_gaps_prefer_alike_towns(plan):
    d6 = plan.drivers[5]
    assert d6.strength == "missing" and d6.cases[0].municipality_ja == "久万高原町"  # 7,650 people, 49% 65+
    d8 = plan.drivers[7]
    assert {c.municipality_ja for c in d8.cases} == {"中津市"}  # the only town that shows it
    assert d8.cases[0].population == 83110 and d8.cases[0].context_unknown == []  # a real 0, not "unknown"


def test_every_measure_gets_whom_to_call(plan):
    reports = {r.id: r for r in plan.measure_reports}
    assert len(reports) == 58  # service measures with no tag too
    tele = reports["horokanai-telemedicine"]
    assert tele.tags == [] and tele.leads[0].initiative == "ina-mobile-clinic"
    lead = tele.leads[0]
    assert lead.municipalities_ja == ["伊那市"] and lead.quote == "オンライン診療参画医療機関10件（令和4年7月時点）"
    assert [(o.value, o.unit, o.date) for o in lead.outcomes] == [(10.0, "institutions", "2022-07")]
    agri = reports["horokanai-smart-agriculture"]
    assert {x.initiative for x in agri.leads} <= AGRICULTURE
    outcome = next(o for x in agri.leads for o in x.outcomes if o.qualifier)
    assert outcome.qualifier == "approximately"  # 約20%削減: a figure the source bounds
    assert all(x.score >= 0.05 for r in plan.measure_reports for x in r.leads)


def test_peers_and_what_they_did(plan):
    assert [p.municipality for p in plan.peers] == ["kamiyama", "kumakogen", "mori-hokkaido"]
    kumakogen = plan.peers[1]
    reasons = {r["why"]: r["strength"] for x in kumakogen.items for r in x.reasons}
    assert reasons["driver:6"] == "missing" and reasons["domain:forestry"] == "none"
    assert {u["id"] for u in plan.peers_not_ranked} >= {"iwamizawa", "yokosuka"}  # population unknown
    assert plan.peers_left_out == 8  # 11 towns with counted cases and a known population, 3 shown


def test_next_actions(plan, real):
    ex = real.extract
    countermeasures = {c.id: c.principle for c in ex.countermeasures}
    assert 1 <= len(plan.actions) <= 5 and plan.actions_left_out >= 0
    for a in plan.actions:
        assert countermeasures[a.countermeasure] == a.principle  # a countermeasure of 002, of its principle
        assert a.case.source != SECONDARY and a.match >= 0.08
        assert a.gap_strength in ("missing", "weak")
    order = {"missing": 0, "weak": 1}
    keys = [(order[a.gap_strength], -a.exposed_pitfalls) for a in plan.actions]
    assert keys == sorted(keys)  # the stated rule: missing before weak, then more exposed pitfalls
    first = plan.actions[0]
    assert (first.countermeasure, first.case.practice) == ("use-external-media", "kumakogen-media-coverage")
    # a countermeasure the plan already speaks to is not proposed again
    assert "clarify-roles-and-responsibilities" not in {a.countermeasure for a in plan.actions}


def test_assessment_counts_only_what_is_asked(real):
    primary = assess(real)
    assert [s.id for s in primary.sources if not s.counted] == [SECONDARY]
    leads = {x.initiative for r in primary.measure_reports for x in r.leads}
    assert "hokkaido-shared-cloud-administrative-system" not in leads
    both = assess(real, min_reliability="secondary")
    joint = next(r for r in both.measure_reports if r.id == "horokanai-joint-system-with-other-municipalities")
    assert joint.leads[0].initiative == "hokkaido-shared-cloud-administrative-system"
    with pytest.raises(DxkgError, match="--min-reliability must be one of primary, secondary"):
        assess(real, min_reliability="tertiary")


# English words the Japanese report must not show where it has a Japanese label
ENGLISH_LABELS = ("principle", "driver ", "strong", "weak", "missing", "exposed", "addressed", "Pitfalls",
                  "similarity", "measure", "Municipality", "population", "Next actions", "Rules", "unknown")


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_report_in_japanese_has_japanese_labels(real_build, fmt):
    res = _run(real_build[0], "assess", "--format", fmt)
    assert res.exit_code == 0
    text = res.output
    labels = re.sub(r"「[^」]*」|\[[^\]]*\]|\([a-z0-9-]+\)|--[a-z-]+", "", text)  # quotes, ids and options aside
    assert not [w for w in ENGLISH_LABELS if w in labels]
    assert "原則3 目標と役割分担の明確化" in text and "✗ 不足" in text and "⚠ 弱（リスク）" in text
    assert "自治体: 幌加内町（人口 1,196人、65歳以上の割合 50%超）" in text
    assert "強さ: 施策ごとに根拠の点数（明示 2・推定 1・提案 0.5）" in text  # the rule, stated
    if fmt == "md":
        assert "| 原則 | 強さ | 点 | 対応する施策 |" in text
        assert "| 順位 | 対応例 | 理由 | 事例 | 自治体 | 引用 |" in text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_principle_no_measure_serves_but_the_text_addresses_is_not_simply_missing(real_build, lang):
    """Horokanai's plan links no measure to principle 3, yet it says 役割分担を明確にする: the report
    headlined ✗ missing while its own pitfall table said addressed. The gap stays a gap (the score is
    the links'), and both the summary row and the section say the words match and are to be checked."""
    md = _run(real_build[0], "assess", "--format", "md", "--lang", lang).output
    row = next(line for line in md.splitlines() if line.startswith(("| 原則3 ", "| principle 3 ")))
    assert ("✗ 不足（語の一致あり・要確認）" if lang == "ja" else "✗ missing (words match: check)") in row
    section = md[md.index("### 原則3 " if lang == "ja" else "### principle 3 "):]
    section = section[:section.index("\n### ")]
    assert ("注: この原則に結び付いた施策はありませんが" if lang == "ja" else "Note: no measure is linked") in section
    assert "✓ " in section  # the addressed pitfall the note speaks of
    # an item whose text matches nothing gets no such note
    driver8 = md[md.index("### ドライバー8 " if lang == "ja" else "### driver 8 "):]
    driver8 = driver8[:driver8.index("\n### ")]
    assert "✗" in driver8.splitlines()[0] and ("注:" not in driver8 and "Note:" not in driver8)


def test_similar_explain_parts_add_up_to_the_score(real_build):
    """Each part's share of the score, as --explain shows it, adds up to the score (the words' share was
    shown as the matched words), and CSV gives the shares as numbers, the parts counted as unknown apart."""
    res = _run(real_build[0], "similar", "higumap", "--top", "5", "--format", "csv")
    parts = ("words", "domains", "technologies", "drivers", "factors", "stakeholders", "population", "ageing")
    for row in csv.DictReader(io.StringIO(res.stdout)):
        # each share is rounded to 3 places: the sum is the score within half a thousandth per part
        assert sum(float(row[p]) for p in parts) == pytest.approx(float(row["score"]), abs=0.0005 * len(parts))
        assert set(row["unknown"].split()) <= set(parts)


def test_report_in_english_and_json(real_build):
    out = real_build[0]
    text = _run(out, "assess", "--lang", "en", "--format", "md").output
    assert "### principle 3 Clarifying goals and the division of roles — ✗ missing (0 points)" in text
    assert "Municipality: Horokanai (population 1,196, share aged 65+ more than 50%)" in text
    got = json.loads(_run(out, "assess", "--format", "json").stdout)
    assert set(got) >= {"principles", "drivers", "measure_reports", "peers", "actions", "sources", "rules",
                        "labels", "coverage"}
    assert got["coverage"]["principle"] == {"covered": 6, "of": 7, "strong": 6, "weak": 0, "missing": 1}
    assert got["principles"][2]["checklist"][0]["exposed"] is True


# ---------------------------------------------------------------- plans read from a text; bad input


def _run(build: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--build-dir", str(build)])


def test_assess_text(fixture_build, tmp_path):
    out = tmp_path / "report.json"
    res = _run(fixture_build[0], "assess", "--text", str(FIXTURE_SOURCES / "fx_newcase.txt"), "--data",
               str(FIXTURE_DATA), "--format", "json", "-o", str(out), "-q")
    assert res.exit_code == 0, res.output
    got = json.loads(out.read_text(encoding="utf-8"))
    text = (FIXTURE_SOURCES / "fx_newcase.txt").read_text(encoding="utf-8")
    assert got["municipality_ja"] == "伊那市" and got["town_basis"] == "named"  # the one town it names
    assert got["measures"] >= 3 and got["from_text"].endswith("fx_newcase.txt")
    links = [s for i in got["principles"] + got["drivers"] for s in i["served_by"]]
    assert links and all(s["basis"] == "suggested" and s["score"] is not None for s in links)
    assert all(s["quote"].replace(" ", "") in text.replace("\n", "") for s in links)  # verbatim evidence
    res = _run(fixture_build[0], "assess", "--text", str(FIXTURE_SOURCES / "fx_plan.txt"), "--data",
               str(FIXTURE_DATA), "-q", "--lang", "en")
    assert res.exit_code == 0 and "the text names several municipalities equally often (mori-hokkaido ×1, " \
                                  "mori-shizuoka ×1)" in res.output  # two towns called 森町


def _pdf_without_text(path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with path.open("wb") as f:
        writer.write(f)
    return path


@pytest.mark.parametrize("content, status, message", [
    (b"", 1, "the file is empty"),
    (b"\x00\x01\x02binary\x00" * 50, 1, "looks like a binary file"),
    (b"12,345\n67,890\n", 1, "no sentence the engine can use"),
    (None, 1, "no text layer"),
    ("missing", 2, "no such file"),
])
@pytest.mark.parametrize("command", ["assess", "similar"])
def test_text_bad_input(fixture_build, tmp_path, content, status, message, command):
    path = tmp_path / "plan.txt"
    if content is None:
        path = _pdf_without_text(tmp_path / "plan.pdf")
    elif content != "missing":
        path.write_bytes(content)
    if command == "similar" and message == "no sentence the engine can use":
        message = "none of its words is in any initiative's text"  # similar uses every word, not passages
    report = tmp_path / "out.md"
    res = _run(fixture_build[0], command, "--text", str(path), "-o", str(report),
               *(("--data", str(FIXTURE_DATA), "-q") if command == "assess" else ()))
    assert res.exit_code == status, res.output
    assert message in res.output and "Traceback" not in res.output
    assert not report.exists()  # nothing written


def test_similar_text(fixture_build):
    res = _run(fixture_build[0], "similar", "--text", str(FIXTURE_SOURCES / "fx_newcase.txt"), "--format", "json")
    got = json.loads(res.stdout)
    assert got["query"]["kind"] == "text" and got["query"]["name_ja"] == "fx_newcase.txt"
    assert got["matches"][0]["id"] == "ina-drone-logistics"  # 買い物支援, ドローン, 配送, 集落の声の大きい人


def test_usage_errors(fixture_build):
    res = _run(fixture_build[0], "similar", "x", "--text", "y.txt")
    assert res.exit_code == 2 and "give QUERY or --text FILE" in res.output
    res = _run(fixture_build[0], "assess", "mori-s-plan", "--municipality", "伊那市")
    assert res.exit_code == 2 and "--municipality goes with --text" in res.output


def test_municipality_profiles_give_the_ageing_rate_a_source_states(real_build):
    """Where a source gives the ageing rate rather than a count (飛騨市 40.17 %, 幌加内町 50 %超), the profile
    shows it, with its qualifier; a researcher read the blank as unknown."""
    res = _run(real_build[0], "query", "municipality-profiles", "--format", "csv")
    rows = {r["municipality"]: r for r in csv.DictReader(io.StringIO(res.stdout))}
    assert (rows["飛騨市"]["share65"], rows["飛騨市"]["share65_qualifier"]) == ("40.17", "")
    assert (rows["幌加内町"]["share65"], rows["幌加内町"]["share65_qualifier"]) == ("50", "超")
    assert (rows["森町"]["share65"], rows["森町"]["share65_qualifier"]) == ("39.1", "")  # counted: 5,649 of 14,456


def test_a_name_several_initiatives_bear_is_a_topic(real_build):
    """スマート農業 is the name of three initiatives: asked for similar ones, a planner means the topic. It is
    ranked as words, those three first, with a note (in the report's language) that names them."""
    res = _run(real_build[0], "similar", "スマート農業", "--top", "3", "--format", "csv")
    assert res.exit_code == 0
    ids = [line.split(",")[1] for line in res.stdout.splitlines()[1:]]
    assert set(ids) == {"ina-smart-agriculture", "iwamizawa-smart-agriculture", "yamanashi-city-smart-agriculture"}
    text = _run(real_build[0], "similar", "スマート農業").stdout
    assert "語として読みました" in text and "ID を指定してください" in text and "read as words" not in text


def test_a_katakana_compound_sudachi_does_not_know_is_read_by_its_parts(real_build):
    """オンデマンドバス is one unknown word to Sudachi, so a Japanese planner got 'no initiative has its
    words' where `on-demand bus` found 前橋市's デマンド乗り合いタクシー: the graph's own words inside it count."""
    res = _run(real_build[0], "similar", "オンデマンドバス", "--top", "3", "--format", "json")
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert set(got["query"]["words"]) == {"デマンド", "バス"} and got["query"]["unknown_words"] == []
    assert got["matches"][0]["id"] == "maebashi-mytaku"
