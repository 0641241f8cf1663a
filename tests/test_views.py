"""The HTML views as files: what `dxkg view` and `dxkg site` write, counts, labels, quotes, escaping, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import (
    FX_INITIATIVES,
    FX_MUNICIPALITIES,
    FX_PRACTICES,
    FX_VIEW_ASSESSMENT,
    FX_VIEW_DRIVERS,
    FX_VIEW_MORI_DEPTH2,
    FX_VIEW_OVERVIEW,
    FX_VIEW_SMART_FARM,
    HOSTILE_LABEL,
    MORI_HOKKAIDO,
)

# Nodes shown when a fixture page opens, counted by hand from tests/fixtures/data.
FX_OPEN_OVERVIEW = 11  # 3 factors, 4 drivers around them, then 3 municipalities and the plan
FX_OPEN_FRAMEWORK = 10  # 3 factors, 3 principles, 4 drivers; pitfalls and countermeasures folded
FX_OPEN_ASSESSMENT = 12  # the plan, 3 principles, 4 drivers, the pitfall of principle 3, 3 cases; 2 measures folded
FX_PITFALLS = FX_COUNTERMEASURES = 3
FX_FACTORS, FX_DRIVERS, FX_PRINCIPLES, FX_PLANS = 3, 4, 3, 1


def view(build_dir: Path, out: Path, *args: str) -> tuple[int, str, dict]:
    """Run `dxkg view`; the exit code, the messages, and the page's embedded data (empty when none)."""
    result = CliRunner().invoke(cli, ["view", *args, "-o", str(out), "--build-dir", str(build_dir)])
    data = {}
    if result.exit_code == 0:
        page = out.read_text(encoding="utf-8")
        match = re.search(r'<script type="application/json" id="dxkg-data">(.*?)</script>', page, re.S)
        assert match, "the page carries its data"
        data = json.loads(match.group(1))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else ""), data


def shown(data: dict) -> list[str]:
    start = data["view"]["start"]
    return [n["id"] for n in data["nodes"]] if start is None else start


@pytest.mark.parametrize(("args", "carried", "on_open"), [
    (["overview"], FX_VIEW_OVERVIEW, FX_OPEN_OVERVIEW),
    (["framework"], FX_VIEW_OVERVIEW, FX_OPEN_FRAMEWORK),
    (["municipality", MORI_HOKKAIDO, "--depth", "2"], FX_VIEW_OVERVIEW, FX_VIEW_MORI_DEPTH2),
    (["initiative", "mori-h-smart-farm"], FX_VIEW_OVERVIEW, FX_VIEW_SMART_FARM),
    (["cooccurrence"], FX_VIEW_DRIVERS, FX_VIEW_DRIVERS),
    (["assessment"], FX_VIEW_ASSESSMENT, FX_OPEN_ASSESSMENT),
])
def test_view_carries_the_graph_and_opens_on_a_bounded_part(fixture_build, tmp_path: Path, args: list[str],
                                                            carried: int, on_open: int) -> None:
    code, out, data = view(fixture_build[0], tmp_path / "v.html", *args)
    assert code == 0, out
    assert len(data["nodes"]) == carried
    assert len(shown(data)) == on_open
    ids = {n["id"] for n in data["nodes"]}
    assert set(shown(data)) <= ids
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert all(n.get("parent") in ids for n in data["nodes"] if n.get("parent"))
    if data["view"]["positions"]:  # a fixed starting layout places every node shown on open
        assert set(shown(data)) <= set(data["view"]["positions"])
    assert f"{on_open} nodes on open, {carried} nodes" in out


def test_overview_opens_on_the_framework_and_the_places(fixture_build, tmp_path: Path) -> None:
    _, _, data = view(fixture_build[0], tmp_path / "o.html", "overview")
    kinds = {n["id"]: n["kind"] for n in data["nodes"]}
    opened = [kinds[i] for i in shown(data)]
    assert opened.count("SuccessFactor") == FX_FACTORS and opened.count("Driver") == FX_DRIVERS
    assert opened.count("Municipality") == FX_MUNICIPALITIES and opened.count("Plan") == FX_PLANS
    assert data["view"]["focus"] == "plan/mori-s-plan", "the plan is the node in focus"
    # What is not shown folds into what is: practices into initiatives, initiatives into municipalities.
    parent = {n["id"]: n.get("parent") for n in data["nodes"]}
    assert parent["practice/mori-h-planning-dept"] == "initiative/mori-h-smart-farm"
    assert parent["initiative/mori-h-smart-farm"] == f"municipality/{MORI_HOKKAIDO}"
    assert sum(kinds[i] == "Initiative" for i, p in parent.items() if p and kinds[p] == "Municipality") \
        == FX_INITIATIVES
    assert "opens on the framework and the places" in data["view"]["notes"][0]["en"]


def test_the_cooccurrence_view_names_what_it_counted(fixture_build, tmp_path: Path) -> None:
    """Counted per initiative (as `dxkg cooccur` by default), and the page says so in both languages."""
    _, _, data = view(fixture_build[0], tmp_path / "c.html", "cooccurrence")
    note = data["view"]["notes"][0]
    assert note == {"ja": f"ドライバーのタグがある{FX_INITIATIVES}件の施策で集計",
                    "en": f"{FX_INITIATIVES} initiatives carrying a driver tag counted"}
    assert "initiatives carrying the driver" in data["view"]["encoding"][0]["en"]


def test_the_cooccurrence_view_opens_on_one_ring_with_room_for_each_label(fixture_build, tmp_path: Path) -> None:
    """Laid out by force, the drivers' long names were drawn over one another; on one fixed ring each
    label has its neighbours at least a two-line label's width away, each community's drivers together."""
    import math

    _, _, data = view(fixture_build[0], tmp_path / "c.html", "cooccurrence")
    pos = data["view"]["positions"]
    drivers = [n["id"] for n in data["nodes"] if n["kind"] == "Driver"]
    assert drivers and set(pos) == set(drivers)
    gaps = [math.dist(pos[a], pos[b]) for a in pos for b in pos if a < b]
    assert min(gaps) > 150
    radii = {round(math.hypot(x / 1.75, y)) for x, y in pos.values()}  # one ellipse (a = 1.75 b)
    assert len(radii) == 1


def test_page_is_self_contained_and_escapes_hostile_text(fixture_build, tmp_path: Path) -> None:
    out = tmp_path / "mori.html"
    code, _, data = view(fixture_build[0], out, "municipality", MORI_HOKKAIDO, "--depth", "2")
    assert code == 0
    page = out.read_text(encoding="utf-8")
    # No external resources: no src/href to a network address, no stylesheet links, no CDN.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "<link" not in page and "<script src" not in page and "jsdelivr" not in page and "cdnjs" not in page
    assert "vis.Network" in page and len(page) > 400_000, "vis-network is inlined"
    assert "default-src 'none'" in page
    # The hostile label is in the data but never as markup in the page.
    assert HOSTILE_LABEL not in page
    assert "<img" not in page
    assert any(n["l"]["ja"] == HOSTILE_LABEL for n in data["nodes"])
    assert "innerHTML" not in page.split("<script>")[-1], "our own script never uses innerHTML"


def test_nodes_carry_both_languages_quotes_sources_and_towns(fixture_build, tmp_path: Path) -> None:
    _, _, data = view(fixture_build[0], tmp_path / "o.html", "overview", "--lang", "en")
    assert data["view"]["lang"] == "en"
    nodes = {n["id"]: n for n in data["nodes"]}
    farm = nodes["initiative/mori-h-smart-farm"]
    assert farm["l"] == {"ja": "スマート農業", "en": "Smart agriculture"}
    assert farm["quotes"][0]["q"] == "ハウスにIoTセンサーを設置し、農作業時間を20%削減した。"
    source = farm["quotes"][0]["src"]
    assert source.startswith("source/") and data["names"][source]["ja"], "a quote names its source by title"
    assert "href=javascript" in farm["d"]["en"], "the description is kept, as text"
    practice = nodes["practice/mori-h-planning-dept"]
    assert practice["town"] == f"municipality/{MORI_HOKKAIDO}", "a practice says which town it belongs to"
    edge = next(e for e in data["edges"] if e["from"] == "practice/mori-h-planning-dept" and e["to"] == "factor/B")
    assert edge["basis"] == "inferred" and edge["note"]["en"] == "Cross-department cooperation is internal unity."
    assert edge["q"] == "企画部門と進めることで複数部署から協力を獲得した。"
    assert farm["facets"]["prefecture"] == ["prefecture/010006"]
    assert set(farm["facets"]["factor"]) == {"factor/A", "factor/B"}
    assert data["names"]["factor/A"]["en"] == "A Deep understanding of issues"
    assert data["rels"]["factor"] == {"ja": "成功要因", "en": "factor"}


def test_japanese_by_default(fixture_build, tmp_path: Path) -> None:
    out = tmp_path / "f.html"
    _, _, data = view(fixture_build[0], out, "factor", "A")
    assert data["view"]["lang"] == "ja" and '<html lang="ja">' in out.read_text(encoding="utf-8")
    assert data["view"]["focus"] == "factor/A"
    centre = next(n for n in data["nodes"] if n["id"] == "factor/A")
    assert centre["l"]["ja"] == "A 深い課題理解"


def test_graph_folds_detail_past_the_cap_and_says_so(fixture_build) -> None:
    from kg.store import open_store
    from viz.snapshot import load
    from viz.views import both, graph_view

    snap = load(open_store(fixture_build[0]))
    v = graph_view(snap, "x", both("", ""), "en", embed_max=30)
    assert len(v.nodes) <= 30
    assert f"{FX_PRACTICES} Practice nodes folded into their parents" in [n["en"] for n in v.notes]
    # Folded practices carry their factor tags up to the initiative, and are counted on it.
    assert any(e["from"] == "initiative/mori-h-smart-farm" and e["to"] == "factor/A" for e in v.edges)
    farm = next(n for n in v.nodes if n["id"] == "initiative/mori-h-smart-farm")
    assert farm["more"] >= 2


@pytest.mark.parametrize(("args", "message"), [
    (["driver", "99"], "no driver in the graph is called '99'"),
    (["municipality", "factor/A"], "not a municipality"),
    (["municipality"], "needs a NAME"),
    (["overview", "extra"], "takes no NAME"),
    (["assessment", "nosuch"], "no plan in the graph is called 'nosuch'"),
])
def test_bad_view_input_exits_1_with_a_message(fixture_build, tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["view", *args, "-o", str(tmp_path / "x.html"),
                                      "--build-dir", str(fixture_build[0])])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.html").exists()


def test_view_without_a_build_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["view", "overview", "-o", str(tmp_path / "x.html"),
                                      "--build-dir", str(tmp_path / "none")])
    assert result.exit_code == 2 and "dxkg build" in result.output


def test_site_has_a_linked_page_for_every_entity_a_search_and_the_ontology(fixture_build, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["site", "-o", str(out), "--build-dir", str(fixture_build[0]), "-q"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.glob("*.html")}
    per_kind = {kind: sum(n.startswith(kind + "-") for n in names)
                for kind in ("municipality", "initiative", "practice", "factor", "driver", "principle", "plan")}
    assert per_kind == {"municipality": FX_MUNICIPALITIES, "initiative": FX_INITIATIVES, "practice": FX_PRACTICES,
                        "factor": FX_FACTORS, "driver": FX_DRIVERS, "principle": FX_PRINCIPLES, "plan": FX_PLANS}
    assert {"index.html", "overview.html", "framework.html", "cooccurrence.html", "assessment-mori-s-plan.html",
            "queries.html", "search.html", "ontology-ja.html", "ontology-en.html"} <= names
    # Every link between the site's pages leads to a page that exists.
    for name in names:
        for href in re.findall(r'href="([^"#?]+)', (out / name).read_text(encoding="utf-8")):
            assert href in names, f"{name} links to missing {href}"
    farm = (out / "initiative-mori-h-smart-farm.html").read_text(encoding="utf-8")
    assert 'href="municipality-013439.html"' in farm and 'href="practice-mori-h-planning-dept.html"' in farm
    assert "ハウスにIoTセンサーを設置し、農作業時間を20%削減した。" in farm
    assert "overview.html#lang=ja&amp;sel=initiative/mori-h-smart-farm" in farm, "the page opens it in the graph"
    assert HOSTILE_LABEL not in "".join((out / n).read_text(encoding="utf-8") for n in names)
    factor = (out / "factor-B.html").read_text(encoding="utf-8")
    assert "企画部門と進めることで複数部署から協力を獲得した。" in factor, "a factor's page quotes its practices"
    # The search page carries every entity page in its index.
    search = (out / "search.html").read_text(encoding="utf-8")
    index = json.loads(re.search(r'<script type="application/json" id="index">(.*?)</script>', search, re.S).group(1))
    assert sorted(e["u"] for e in index) == sorted(n for n in names if n.split("-")[0] in per_kind)
    queries = (out / "queries.html").read_text(encoding="utf-8")
    assert 'id="cases-per-factor"' in queries and "<table>" in queries
    home = (out / "index.html").read_text(encoding="utf-8")  # the Japanese site says its views' sizes in Japanese
    assert re.search(r'cooccurrence\.html">[^<]+</a> <span class="muted">全\d+件</span>', home)
    assert " nodes" not in home


def test_ontology_pages_define_every_term_in_each_language(fixture_build, tmp_path: Path) -> None:
    from kg.adapter import get_adapter
    from viz.snapshot import ontology_terms

    terms = ontology_terms(get_adapter(fixture_build[0]))
    assert len(terms) > 50
    missing = [(t.local, lang) for t in terms for lang in ("ja", "en") if not t.definitions.get(lang)]
    assert missing == [], "every term has a definition in Japanese and in English"
    out = tmp_path / "site"
    CliRunner().invoke(cli, ["site", "-o", str(out), "--build-dir", str(fixture_build[0]), "-q"])
    ja = (out / "ontology-ja.html").read_text(encoding="utf-8")
    en = (out / "ontology-en.html").read_text(encoding="utf-8")
    municipality = next(t for t in terms if t.local == "Municipality")
    assert municipality.definitions["ja"] in ja and municipality.definitions["en"] in en
    assert ja.count("<tr id=") == en.count("<tr id=") == len(terms)


def test_assessment_marks_covered_and_missing(fixture_build, tmp_path: Path) -> None:
    code, out, data = view(fixture_build[0], tmp_path / "a.html", "assessment", "Mori digital plan", "--lang", "en")
    assert code == 0, out
    colour = {n["id"]: n.get("color") for n in data["nodes"]}
    # The fixture's plan serves principles 1–2 and drivers 1 and 3 by inferred links only: weak (orange),
    # not covered; nothing serves principle 3 or drivers 2 and 4 (red).
    assert colour["principle/1"] == colour["principle/2"] == colour["driver/1"] == colour["driver/3"] == "#ff7f0e"
    assert colour["principle/3"] == colour["driver/2"] == colour["driver/4"] == "#d62728"
    assert "#2ca02c" not in colour.values()
    assert "pitfall/fx-vague-roles" in colour and "practice/ina-mayor-lead" in colour
    assert "principles: 0 covered, 2 weak, 1 missing; drivers: 0 covered, 2 weak, 2 missing" in out
    # The measures fold into the plan: an item's line from the plan counts the measures serving it.
    measures = [n for n in data["nodes"] if n["kind"] == "PlannedMeasure"]
    assert measures and all(n["parent"] == "plan/mori-s-plan" for n in measures)
    assert not set(n["id"] for n in measures) & set(shown(data))


def test_unwritable_output_exits_2(fixture_build, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["view", "framework", "-o", str(blocker / "v.html"),
                                      "--build-dir", str(fixture_build[0])])
    assert result.exit_code == 2
    assert "cannot write" in result.output and "Traceback" not in result.output
