"""The HTML views as files: what `dxkg view` and `dxkg site` write, counts, labels, escaping, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import (
    FX_VIEW_ASSESSMENT,
    FX_VIEW_DRIVERS,
    FX_VIEW_FRAMEWORK,
    FX_VIEW_MORI_DEPTH2,
    FX_VIEW_OVERVIEW,
    FX_VIEW_SMART_FARM,
    HOSTILE_LABEL,
    MORI_HOKKAIDO,
)


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


@pytest.mark.parametrize(("args", "nodes"), [
    (["overview"], FX_VIEW_OVERVIEW),
    (["framework"], FX_VIEW_FRAMEWORK),
    (["municipality", MORI_HOKKAIDO, "--depth", "2"], FX_VIEW_MORI_DEPTH2),
    (["initiative", "mori-h-smart-farm"], FX_VIEW_SMART_FARM),
    (["cooccurrence"], FX_VIEW_DRIVERS),
    (["assessment"], FX_VIEW_ASSESSMENT),
])
def test_view_draws_the_expected_nodes(fixture_build, tmp_path: Path, args: list[str], nodes: int) -> None:
    code, out, data = view(fixture_build[0], tmp_path / "v.html", *args)
    assert code == 0, out
    assert len(data["nodes"]) == nodes
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert f"{nodes} nodes" in out


def test_page_is_self_contained_and_escapes_hostile_text(fixture_build, tmp_path: Path) -> None:
    out = tmp_path / "mori.html"
    code, _, data = view(fixture_build[0], out, "municipality", MORI_HOKKAIDO, "--depth", "2")
    assert code == 0
    page = out.read_text(encoding="utf-8")
    # No external resources: no src/href to a network address, no stylesheet links, no CDN.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "<link" not in page and "<script src" not in page and "jsdelivr" not in page and "cdnjs" not in page
    assert "vis.Network" in page and len(page) > 400_000, "vis-network is inlined"
    # The hostile label is in the data but never as markup in the page.
    assert HOSTILE_LABEL not in page
    assert "<img" not in page
    assert any(n["full"] == HOSTILE_LABEL for n in data["nodes"])
    assert "innerHTML" not in page.split("<script>")[-1], "our own script never uses innerHTML"


def test_tooltips_carry_description_quote_source_and_basis(fixture_build, tmp_path: Path) -> None:
    _, _, data = view(fixture_build[0], tmp_path / "o.html", "overview", "--lang", "en")
    nodes = {n["id"].rsplit("/", 2)[-2] + "/" + n["id"].rsplit("/", 1)[-1]: n for n in data["nodes"]}
    farm = nodes["initiative/mori-h-smart-farm"]
    assert farm["full"] == "Smart agriculture"
    tip = dict((k, v) for k, v in farm["tip"] if k)
    assert tip["type"] == "Initiative" and tip["quote"] == "「ハウスにIoTセンサーを設置し、農作業時間を20%削減した。」"
    assert any("href=javascript" in v for _, v in farm["tip"]), "the description is kept, as text"
    edge = next(e for e in data["edges"] if e["from"].endswith("practice/mori-h-planning-dept")
                and e["to"].endswith("factor/B"))
    etip = dict(edge["tip"])
    assert etip["basis"] == "inferred" and etip["note"] == "Cross-department cooperation is internal unity."
    assert etip["quote"] == "「企画部門と進めることで複数部署から協力を獲得した。」"
    assert farm["facets"]["prefecture"] == ["Hokkaido"]
    assert set(farm["facets"]["factor"]) == {"A Deep understanding of issues", "B Internal unity"}


def test_japanese_labels_by_default(fixture_build, tmp_path: Path) -> None:
    _, _, data = view(fixture_build[0], tmp_path / "f.html", "factor", "A")
    centre = next(n for n in data["nodes"] if n["id"].endswith("factor/A"))
    assert centre["full"] == "A 深い課題理解"


def test_overview_cap_folds_detail_and_says_so(fixture_build, tmp_path: Path) -> None:
    code, out, data = view(fixture_build[0], tmp_path / "o.html", "overview", "--max-nodes", "30", "--lang", "en")
    assert code == 0
    assert len(data["nodes"]) <= 30
    assert "6 Practice nodes folded into their parents" in out
    # Folded practices carry their factor tags up to the initiative.
    assert any(e["from"].endswith("initiative/mori-h-smart-farm") and e["to"].endswith("factor/A")
               for e in data["edges"])


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


def test_site_writes_views_queries_ontology_and_index(fixture_build, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["site", "-o", str(out), "--build-dir", str(fixture_build[0]), "-q"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.glob("*.html"))
    assert names == sorted(["index.html", "overview.html", "framework.html", "cooccurrence.html", "queries.html",
                            "ontology.html", "assessment-mori-s-plan.html", "municipality-013439.html",
                            "municipality-224618.html",
                            "municipality-202096.html"])
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in names:
        if name != "index.html":
            assert f'href="{name}"' in index
    queries = (out / "queries.html").read_text(encoding="utf-8")
    assert 'id="cases-per-factor"' in queries and "<table>" in queries
    ontology = (out / "ontology.html").read_text(encoding="utf-8")
    assert "市区町村" in ontology and "Municipality" in ontology


def test_assessment_marks_covered_and_missing(fixture_build, tmp_path: Path) -> None:
    code, out, data = view(fixture_build[0], tmp_path / "a.html", "assessment", "Mori digital plan", "--lang", "en")
    assert code == 0, out
    colour = {n["id"].split("/id/")[1]: n["color"] for n in data["nodes"]}
    assert colour["principle/1"] == colour["principle/2"] == colour["driver/1"] == colour["driver/3"] == "#2ca02c"
    assert colour["principle/3"] == colour["driver/2"] == colour["driver/4"] == "#d62728"
    assert "pitfall/fx-vague-roles" in colour and "practice/ina-mayor-lead" in colour
    assert "principles 2/3, drivers 2/4 covered" in out


def test_unwritable_output_exits_2(fixture_build, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["view", "framework", "-o", str(blocker / "v.html"),
                                      "--build-dir", str(fixture_build[0])])
    assert result.exit_code == 2
    assert "cannot write" in result.output and "Traceback" not in result.output
