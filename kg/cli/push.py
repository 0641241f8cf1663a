"""dxkg push"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import EXIT_ERROR, EXIT_INVALID, build_option, fail, open_graph, progress, reported

DEFAULT_GRAPH = "https://w3id.org/dxkg/graph"


@click.command("push")
@click.option("--endpoint", required=True, metavar="URL",
              help="SPARQL 1.1 Graph Store Protocol URL (Virtuoso: http://HOST:8890/sparql-graph-crud-auth).")
@click.option("--graph", "graph_iri", default=DEFAULT_GRAPH, show_default=True, metavar="IRI",
              help="Named graph to write.")
@click.option("--query-endpoint", metavar="URL",
              help="SPARQL query URL for the count check [default: beside --endpoint, e.g. /sparql for Virtuoso].")
@click.option("--format", "fmt", type=click.Choice(["nt", "ttl"]), default="nt", show_default=True,
              help="What to send: N-Triples (sent in chunks) or Turtle (sent whole).")
@click.option("--replace/--append", default=True, show_default=True,
              help="Replace the graph's content (PUT) or add to it (POST).")
@click.option("--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True,
              help="Seconds to wait for each HTTP answer.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@build_option
def command(endpoint: str, graph_iri: str, query_endpoint: str | None, fmt: str, replace: bool, timeout: float,
            quiet: bool, build_dir: Path | None) -> None:
    """Send the built graph to an external triple store and check it arrived by counting the triples back.

    Credentials come from the environment: DXKG_USER and DXKG_PASSWORD, with DXKG_AUTH=basic or
    digest to fix the scheme (otherwise it follows the server's challenge).

    \b
    Examples:
      DXKG_USER=dxloader DXKG_PASSWORD=... dxkg push \\
          --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth --graph https://w3id.org/dxkg/graph
      dxkg query cases-per-factor --endpoint http://127.0.0.1:8890/sparql --graph https://w3id.org/dxkg/graph

    Exit status: 0 pushed and counted, 1 refused, incomplete or partial answer, 2 store unreachable.
    """
    from kg.query import QueryError
    from kg.remote import RemoteError, RemoteUnreachable, auth_from_env, push

    with reported():
        generation = open_graph(build_dir).generation
    assert generation is not None
    path = generation.file(fmt)
    say = progress(quiet)
    try:
        result = push(path.read_bytes(), endpoint, graph_iri, auth_from_env(), fmt=fmt, replace=replace,
                      query_endpoint=query_endpoint, timeout=timeout, progress=say)
    except RemoteUnreachable as exc:
        fail(str(exc), EXIT_ERROR)
        return
    except (RemoteError, QueryError) as exc:
        fail(str(exc), EXIT_INVALID)
        return
    click.echo(f"pushed {result.sent} triples to <{graph_iri}> at {endpoint} in {result.requests} "
               f"request{'s' if result.requests != 1 else ''}; the store counts {result.counted}")
