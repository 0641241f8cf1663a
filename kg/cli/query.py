"""dxkg query"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import EXIT_INVALID, build_option, emit, fail, lang_option, open_graph, reported


@click.command("query")
@click.argument("query", required=False)
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "ttl", "nt", "jsonld"]),
              default="table", show_default=True,
              help="Output format: csv, tsv and json (the SPARQL 1.1 results formats) for SELECT and ASK; ttl, nt "
                   "and jsonld (Turtle, N-Triples, JSON-LD) for CONSTRUCT and DESCRIBE; table for either.")
@click.option("-l", "--list", "list_saved", is_flag=True, help="List the saved queries and exit.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
@click.option("--endpoint", metavar="URL",
              help="Ask this SPARQL endpoint instead of the built graph (credentials as for `dxkg push`).")
@click.option("--graph", "graph_iri", metavar="IRI", help="With --endpoint: the named graph to use as default graph.")
@click.option("--min-reliability", type=click.Choice(["primary", "secondary"]), default="primary", show_default=True,
              help="For the saved queries that count cases: count only sources this reliable (primary leaves out "
                   "secondary, unverified sources).")
@lang_option
@build_option
def command(query: str | None, fmt: str, list_saved: bool, output: Path | None, endpoint: str | None,
            graph_iri: str | None, min_reliability: str, lang: str, build_dir: Path | None) -> None:
    """Run SPARQL on the built graph: a saved query's NAME, a .rq FILE, or inline text.

    \b
    Examples:
      dxkg query --list
      dxkg query drivers-with-factor-e
      dxkg query my-question.rq --format csv
      dxkg query 'DESCRIBE dxid:initiative\\/higumap' --format ttl
      dxkg query 'SELECT (COUNT(*) AS ?n) WHERE { ?s a dx:Initiative }'
      dxkg query cases-per-factor --endpoint http://127.0.0.1:8890/sparql --graph https://w3id.org/dxkg/graph

    The prefixes dx:, dxid:, skos:, prov:, dct:, oa:, org:, rdfs:, rdf:, xsd: and owl: are
    predefined (the saved queries declare their own, so they run as they are in any SPARQL tool).
    SERVICE, LOAD and FROM naming a graph outside the store are refused, and the query runs in a
    process that cannot open a network connection at all (Linux seccomp).
    """
    from kg.query import resolve_query, saved_queries
    from kg.sandbox import isolated

    if list_saved:
        queries = saved_queries()
        width = max(len(q.name) for q in queries)
        for q in queries:
            counts = (" [出典の信頼度で絞り込み]" if lang == "ja" else " [counts sources by reliability]") \
                if q.reliability else ""
            click.echo(f"{q.name.ljust(width)}  {q.describe(lang)}{counts}")
        return
    if not query:
        raise click.UsageError("give a query (a saved name, a .rq file or SPARQL text), "
                               "or --list to see the saved ones")
    saved = next((q for q in saved_queries() if q.name == query), None)
    headers = saved.columns_ja if saved is not None and lang == "ja" else None
    if saved is not None and saved.reliability:  # say which sources a count counted
        counted = "primary" if min_reliability == "primary" else "primary, secondary"
        click.echo((f"… 計上する出典の信頼度: {counted}" if lang == "ja" else
                    f"… counting sources of reliability: {counted}"), err=True)
    if endpoint:
        _remote(query, fmt, output, endpoint, graph_iri, min_reliability, headers, lang)
        return
    with reported():
        text, _name = resolve_query(query, min_reliability, lang)
        graph = open_graph(build_dir)
        assert graph.generation is not None
        # Evaluated in a child without network, the store opened there too: nothing the query names can reach it.
        rendered = isolated(_evaluate, graph.generation.store_path, text, fmt, headers)
    emit(rendered, output)


def _evaluate(store_path: Path, text: str, fmt: str, headers: dict[str, str] | None = None) -> str:
    from kg.query import format_result, run
    from kg.store import open_read_only

    return format_result(run(open_read_only(store_path), text, fmt), fmt, headers)


def _remote(query: str, fmt: str, output: Path | None, endpoint: str, graph_iri: str | None,
            min_reliability: str = "primary", headers: dict[str, str] | None = None, lang: str = "ja") -> None:
    """The --endpoint branch: the same query and output, answered by an external SPARQL endpoint."""
    from kg.cli.common import EXIT_ERROR
    from kg.query import QueryError, format_result, resolve_query
    from kg.remote import RemoteError, RemoteUnreachable, auth_from_env
    from kg.remote import query as remote_query

    try:
        text, _name = resolve_query(query, min_reliability, lang)
        rendered = format_result(remote_query(endpoint, text, auth=auth_from_env(), graph=graph_iri), fmt, headers)
    except RemoteUnreachable as exc:
        fail(str(exc), EXIT_ERROR)
        return
    except (QueryError, RemoteError) as exc:
        fail(str(exc), EXIT_INVALID)
        return
    emit(rendered, output)
