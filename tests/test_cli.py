"""The command line over the fixture build: query, show, export, help."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import cli
from kg.query import saved_queries
from tests.conftest import FIXTURE_DATA, FX_INITIATIVES, FX_MUNICIPALITIES, INA, MORI_HOKKAIDO, MORI_SHIZUOKA


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_saved_queries_have_summaries_and_run(fixture_build) -> None:
    out, _ = fixture_build
    queries = saved_queries()
    assert len(queries) >= 10
    for q in queries:
        assert q.summary, q.name
        result = _run("query", q.name, "--build-dir", str(out), "--format", "json")
        assert result.exit_code == 0, (q.name, result.output)
        assert "results" in json.loads(result.stdout)
    assert all(q.summary_ja for q in queries)  # every summary in both languages
    listing = _run("query", "--list")
    assert listing.exit_code == 0
    assert "drivers-with-factor-e" in listing.stdout and "成功要因E（割り切り力・頼る力）と同じ取組" in listing.stdout
    english = _run("query", "--list", "--lang", "en")
    assert "Which drivers appear" in english.stdout and "成功要因E" not in english.stdout
    typo = _run("query", "cases-per-facter", "--build-dir", str(out))
    assert typo.exit_code == 1 and "did you mean cases-per-factor" in typo.stderr
    usage = _run("query", "--build-dir", str(out))
    assert usage.exit_code == 2 and "give a query" in usage.stderr


def test_cases_per_factor_on_the_fixture(fixture_build) -> None:
    out, _ = fixture_build
    result = _run("query", "cases-per-factor", "--build-dir", str(out), "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    counts = {r["factor"]: (int(r["municipalities"]), int(r["initiatives"]), int(r["practices"])) for r in rows}
    # By hand: A on mori-h-hearing, mori-s-visits, ina-reuse;
    # B on mori-h-planning-dept, ina-mayor-lead; C on ina-speakers.
    assert counts == {"A": (3, 3, 3), "B": (2, 2, 2), "C": (1, 1, 1)}


def test_inline_query_in_every_format(fixture_build) -> None:
    out, _ = fixture_build
    q = "SELECT ?code WHERE { ?m a dx:Municipality ; dx:localGovernmentCode ?code } ORDER BY ?code"
    table = _run("query", q, "--build-dir", str(out))
    assert table.exit_code == 0 and "(3 rows)" in table.stdout
    tsv = _run("query", q, "--build-dir", str(out), "-f", "tsv").stdout.splitlines()
    assert tsv == ["?code", f'"{MORI_HOKKAIDO}"', f'"{INA}"', f'"{MORI_SHIZUOKA}"']
    doc = json.loads(_run("query", q, "--build-dir", str(out), "-f", "json").stdout)
    assert [b["code"]["value"] for b in doc["results"]["bindings"]] == [MORI_HOKKAIDO, INA, MORI_SHIZUOKA]
    ask = _run("query", "ASK { ?i a dx:Initiative }", "--build-dir", str(out))
    assert ask.stdout.strip() == "true"
    count = _run("query", "SELECT (COUNT(*) AS ?n) WHERE { ?i a dx:Initiative }", "--build-dir", str(out), "-f", "csv")
    assert count.stdout.splitlines()[1] == str(FX_INITIATIVES)


def test_graph_answers_in_rdf_syntaxes_and_formats_that_do_not_fit_refused(fixture_build, tmp_path: Path) -> None:
    out, _ = fixture_build
    q = "CONSTRUCT { ?m rdfs:label ?l } WHERE { ?m a dx:Municipality ; rdfs:label ?l }"
    graphs = {fmt: _run("query", q, "--build-dir", str(out), "-f", fmt) for fmt in ("ttl", "nt", "jsonld")}
    for fmt, result in graphs.items():
        assert result.exit_code == 0, (fmt, result.output)
        parsed = Graph().parse(data=result.stdout, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
        assert len(parsed) == 2 * FX_MUNICIPALITIES, fmt  # a Japanese and an English label each
        assert any(str(o) == "森町" for o in parsed.objects()), fmt
    for fmt in ("csv", "tsv", "json"):  # rows formats: a graph is not silently written as N-Triples instead
        refused = _run("query", q, "--build-dir", str(out), "-f", fmt, "-o", str(tmp_path / f"answer.{fmt}"))
        assert refused.exit_code == 1 and refused.stdout == "", fmt
        assert "answers with a graph" in refused.stderr and "--format ttl, nt or jsonld" in refused.stderr
        assert not (tmp_path / f"answer.{fmt}").exists()
    select = _run("query", "SELECT ?m WHERE { ?m a dx:Municipality }", "--build-dir", str(out), "-f", "ttl")
    assert select.exit_code == 1 and "answers with rows" in select.stderr and select.stdout == ""


def test_query_file_and_output_file(fixture_build, tmp_path: Path) -> None:
    out, _ = fixture_build
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?s WHERE { ?s a dx:Plan }", encoding="utf-8")
    target = tmp_path / "answer.csv"
    result = _run("query", str(rq), "--build-dir", str(out), "-f", "csv", "-o", str(target))
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").splitlines() == ["s", "https://w3id.org/dxkg/id/plan/mori-s-plan"]


def test_query_refusals_and_errors(fixture_build, tmp_path: Path) -> None:
    out, _ = fixture_build
    for q in ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
              "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
              "SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }"):
        result = _run("query", q, "--build-dir", str(out))
        assert result.exit_code == 1 and "is refused" in result.stderr, q
    # A keyword inside a string or IRI is not a clause.
    ok = _run("query", 'SELECT ("SERVICE FROM" AS ?x) WHERE { }', "--build-dir", str(out), "-f", "csv")
    assert ok.exit_code == 0 and ok.stdout.splitlines()[1] == "SERVICE FROM"
    bad = _run("query", "SELECT ?x WHERE { ?x }", "--build-dir", str(out))
    assert bad.exit_code == 1 and "syntax error" in bad.stderr
    unknown = _run("query", "no-such-query", "--build-dir", str(out))
    assert unknown.exit_code == 1 and "no saved query named" in unknown.stderr
    missing = _run("query", "cases-per-factor", "--build-dir", str(tmp_path / "none"))
    assert missing.exit_code == 2 and "dxkg build" in missing.stderr  # a missing build is an error, not bad input


def test_show_resolves_names_and_reports_ambiguity(fixture_build) -> None:
    out, _ = fixture_build
    ambiguous = _run("show", "森町", "--build-dir", str(out))
    assert ambiguous.exit_code == 1
    assert f"municipality/{MORI_HOKKAIDO}" in ambiguous.stderr and f"municipality/{MORI_SHIZUOKA}" in ambiguous.stderr
    candidates = [line for line in ambiguous.stderr.splitlines() if line.startswith("  ")]
    assert len(candidates) == 2 and "北海道" in candidates[0] and "静岡県" in candidates[1]  # what tells them apart
    town = _run("show", f"municipality/{MORI_SHIZUOKA}", "--build-dir", str(out))
    assert town.exit_code == 0
    assert "都道府県 → 静岡県" in town.stdout and "人口: 18,000人 (2023-04)" in town.stdout
    assert "「静岡県森町 人口 18,000名（2023年4月）」 — fx_report" in town.stdout
    uni = _run("show", "Hokushin", "University", "--build-dir", str(out), "--lang", "en")
    assert uni.exit_code == 0
    assert uni.stdout.startswith("Hokushin University / 北信大学")
    assert "「北信大学が技術動向の助言を担当した。」 — fx_report [advice on technology trends]" in uni.stdout
    tag = _run("show", "ina-reuse", "--build-dir", str(out), "--lang", "en")
    assert "[explicit]" in tag.stdout and "→ Deep understanding of issues / 深い課題理解" in tag.stdout
    nothing = _run("show", "no such thing", "--build-dir", str(out))
    assert nothing.exit_code == 1 and "nothing in the graph" in nothing.stderr


@pytest.mark.parametrize(("typed", "name"), [
    ("ＨＯＫＵＳＨＩＮ　University", "Hokushin University"),  # full-width letters and space
    ("hokushin  university", "Hokushin University"),  # case and spaces
    ("ほくしん", "ホクシン"),  # hiragana for katakana
    ("Kumakōgen", "Kumakogen"), ("KUMAKŌGEN", "kumakogen"),  # diacritics
    ("がっこう", "かっこう"),  # the voicing marks too: a loose match, exact ones win first
    ("ｶﾞｲﾄﾞ", "がいど"),  # half-width katakana
])
def test_names_are_matched_however_they_are_typed(typed: str, name: str) -> None:
    from kg.names import normalise

    assert normalise(typed) == normalise(name)
    assert normalise(typed) == normalise(normalise(typed))  # a normalised name stays as it is


def test_export(fixture_build, tmp_path: Path) -> None:
    out, _ = fixture_build
    target = tmp_path / "g.nt"
    assert _run("export", "-f", "nt", "-o", str(target), "--build-dir", str(out)).exit_code == 0
    assert target.read_bytes() == (out / "dxkg.nt").read_bytes()
    ttl = _run("export", "--build-dir", str(out))
    assert len(Graph().parse(data=ttl.stdout_bytes, format="turtle")) > 0
    missing = _run("export", "--build-dir", str(tmp_path / "none"))
    assert missing.exit_code == 2 and "dxkg build" in missing.stderr


def test_python_dash_m_kg_help() -> None:
    result = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for name in ("build", "validate", "query", "export", "show"):
        assert name in result.stdout


def test_what_no_command_expected_exits_2_with_a_message_not_1(tmp_path: Path,
                                                               fixture_build: tuple[Path, object]) -> None:
    """Exit status 1 says the data or input is invalid; a folder where a file should be, or an output that
    refuses writes, is an error (2), told in a line rather than a traceback."""
    def dxkg(*args: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kg", *args], stdout=stdout, stderr=subprocess.PIPE,
                              text=True, check=False)  # type: ignore[call-overload, no-any-return]

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = dxkg("build", "-q", "--data", str(FIXTURE_DATA), "--no-sources", "--build-dir", str(blocker / "out"))
    assert result.returncode == 2 and "dxkg: error:" in result.stderr and "Traceback" not in result.stderr
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:  # noqa: PTH123 - a device, not a path we own
            result = dxkg("export", "--build-dir", str(fixture_build[0]), stdout=full)
        assert result.returncode == 2 and "No space left" in result.stderr and "Traceback" not in result.stderr
    assert dxkg("no-such-command").returncode == 2


@pytest.mark.parametrize(("args", "status", "said"), [
    (("similar", "initiative/no-such"), 1, "no initiative or measure in the graph has the id"),
    (("similar", "initiative/nonexistent"), 1, "no initiative or measure in the graph has the id"),
    (("similar", f"municipality/{'013439'}"), 1, "names a municipality"),
    (("similar", "higumap", "-w", "words=1e308"), 2, "a weight is a number from 0 to 1000"),
    (("query", "cases-per-factor", "--endpoint", "file:///etc/passwd"), 2, "is not an http:// or https:// URL"),
    (("query", "cases-per-factor", "--endpoint", "notaurl"), 2, "is not an http:// or https:// URL"),
])
def test_inputs_that_name_nothing_or_cannot_be_used_are_refused(fixture_build, args: tuple[str, ...], status: int,
                                                                said: str) -> None:
    """An id path that names nothing ranked on its words with a confident score; a file:// endpoint was read."""
    result = _run(*args, "--build-dir", str(fixture_build[0]))
    assert result.exit_code == status and said in result.output + result.stderr, result.output
    assert "Traceback" not in result.output + result.stderr


def test_a_query_file_that_is_not_utf8_is_named_with_its_line(fixture_build, tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_bytes(b"SELECT * WHERE { ?s ?p ?o }\n# \xff\n")
    result = _run("query", str(bad), "--build-dir", str(fixture_build[0]))
    assert result.exit_code == 1 and f"{bad}:2: not UTF-8 text" in result.stderr


def test_a_municipality_code_names_its_municipality(fixture_build) -> None:
    result = _run("show", "013439", "--build-dir", str(fixture_build[0]))
    assert result.exit_code == 0 and "森町" in result.stdout


def test_an_update_is_told_that_the_graph_is_read_only(fixture_build) -> None:
    for update in ("INSERT DATA { <x:a> <x:b> <x:c> }", "PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ?p ?o }"):
        result = _run("query", update, "--build-dir", str(fixture_build[0]))
        assert result.exit_code == 1 and "the graph is read-only" in result.stderr
    result = _run("query", "hello world", "--build-dir", str(fixture_build[0]))
    assert result.exit_code == 1 and "SPARQL syntax error" in result.stderr


def test_saved_queries_answer_in_the_language_asked(fixture_build) -> None:
    """A saved query's labels follow --lang (they were fixed in the .rq: English domains in a Japanese
    answer, Japanese names in an English one), and both languages give the same rows."""
    ja = _run("query", "outcomes-by-domain", "-f", "csv", "--build-dir", str(fixture_build[0]))
    en = _run("query", "outcomes-by-domain", "-f", "csv", "--lang", "en", "--build-dir", str(fixture_build[0]))
    rows_ja, rows_en = list(csv.DictReader(io.StringIO(ja.stdout))), list(csv.DictReader(io.StringIO(en.stdout)))
    assert rows_ja and len(rows_ja) == len(rows_en)
    assert all(not r["domain"].isascii() for r in rows_ja) and all(r["domain"].isascii() for r in rows_en)
    assert all(r["municipality"].isascii() for r in rows_en if r["municipality"])
