"""kg.results, the one writer of answers for `dxkg query` and `dxkg serve`: what it writes reads back, through
pyoxigraph's own parser, as the engine's answer; a budget cuts on a row boundary and says so."""

from __future__ import annotations

import json

import pyoxigraph
import pytest

from kg import results
from kg.query import saved_queries
from kg.store import open_read_only, store_path

FORMATS = {"json": pyoxigraph.QueryResultsFormat.JSON, "xml": pyoxigraph.QueryResultsFormat.XML,
           "tsv": pyoxigraph.QueryResultsFormat.TSV}


def _rows(answer) -> list[list[object]]:
    variables = list(answer.variables)
    return [[s[v] for v in variables] for s in answer]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_saved_query_reads_back_as_the_engine_answered(real_build, fmt: str) -> None:
    store = open_read_only(store_path(real_build[0]))
    for q in saved_queries():
        expected = _rows(store.query(q.text))
        written = results.write_answer(store.query(q.text), fmt)
        assert not written.truncated and written.rows == len(expected)
        back = pyoxigraph.parse_query_results(written.body, format=FORMATS[fmt])
        assert _rows(back) == expected, (q.name, fmt)
        # pyoxigraph's own serializer gives the same answer
        theirs = pyoxigraph.parse_query_results(store.query(q.text).serialize(format=FORMATS[fmt]),
                                                format=FORMATS[fmt])
        assert _rows(theirs) == expected


def test_csv_values_match_pyoxigraph(real_build) -> None:
    store = open_read_only(store_path(real_build[0]))
    for q in saved_queries():
        ours = results.write_answer(store.query(q.text), "csv").body
        theirs = store.query(q.text).serialize(format=pyoxigraph.QueryResultsFormat.CSV)
        assert ours.decode() == theirs.decode(), q.name


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_budgets_cut_on_a_row_boundary_and_say_so(real_build, fmt: str) -> None:
    store = open_read_only(store_path(real_build[0]))
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    by_rows = results.write_answer(store.query(query), fmt, max_rows=7)
    assert by_rows.truncated and by_rows.cut_by == "rows" and by_rows.rows == 7
    by_bytes = results.write_answer(store.query(query), fmt, max_bytes=5000)
    assert by_bytes.truncated and by_bytes.cut_by == "bytes" and len(by_bytes.body) <= 5000 and by_bytes.rows > 0
    if fmt in FORMATS:
        back = pyoxigraph.parse_query_results(by_bytes.body, format=FORMATS[fmt])
        assert len(_rows(back)) == by_bytes.rows
    if fmt == "json":
        doc = json.loads(by_bytes.body)
        assert doc["truncated"] is True and doc["maxBytes"] == 5000
        assert json.loads(by_rows.body)["maxRows"] == 7


def test_ask_in_every_format() -> None:
    assert json.loads(results.write_boolean(True, "json").body) == {"head": {}, "boolean": True}
    assert results.write_boolean(False, "csv").body == b"_askResult\r\nfalse\r\n"
    assert results.write_boolean(True, "tsv").body == b"?_askResult\ntrue\n"
    back = pyoxigraph.parse_query_results(results.write_boolean(False, "xml").body,
                                          format=pyoxigraph.QueryResultsFormat.XML)
    assert bool(back) is False
