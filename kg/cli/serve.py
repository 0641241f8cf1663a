"""dxkg serve"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import EXIT_ERROR, build_option, fail, open_graph, reported


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback exposes the endpoint to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port to listen on (0 picks a free one).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds a query may take, from its arrival to its answer (past it: 503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Most rows (or triples) in one answer; a cut answer says so in X-DXKG-Truncated.")
@click.option("--max-mb", "max_mb", type=click.FloatRange(min=0.01), default=64.0, show_default=True,
              help="Most megabytes in one answer, cut and signalled like --max-rows.")
@click.option("--max-query-bytes", type=click.IntRange(min=256), default=65_536, show_default=True,
              help="Longest query text accepted (longer gets 413).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Query workers kept for new queries [default: one per core, at least 2].")
@click.option("--memory-mb", type=click.IntRange(min=64), default=2048, show_default=True,
              help="Memory one query may use beyond the shared store (past it: the query is stopped, 503).")
@click.option("--slow-slots", type=click.IntRange(min=1), default=None,
              help="Long-running queries (over 0.5 s) at once; one more is stopped [default: --workers].")
@click.option("--cache-mb", type=click.IntRange(min=0), default=256, show_default=True,
              help="Answers kept in memory (the graph does not change while serving); 0 turns it off.")
@click.option("--on-disk", is_flag=True,
              help="Query the on-disk store instead of a copy in memory (less memory, slower).")
@click.option("--cors", is_flag=True, help="Allow cross-origin requests from any page (never with credentials).")
@click.option("-q", "--quiet", is_flag=True, help="Do not log requests.")
@build_option
def command(host: str, port: int, timeout: float, max_rows: int, max_mb: float, max_query_bytes: int,
            workers: int | None, memory_mb: int, slow_slots: int | None, cache_mb: int, on_disk: bool, cors: bool,
            quiet: bool, build_dir: Path | None) -> None:
    """Serve the built graph as a read-only SPARQL 1.1 endpoint, with a query page.

    \b
    Examples:
      dxkg serve                          # http://127.0.0.1:7878/ (page), /sparql (endpoint)
      dxkg serve --port 8000 --timeout 30 --max-rows 50000
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' \\
           http://127.0.0.1:7878/sparql

    Answers SPARQL JSON, XML, CSV or TSV (SELECT, ASK) and Turtle, N-Triples, JSON-LD or
    RDF/XML (CONSTRUCT, DESCRIBE) by the Accept header. Updates, SERVICE, and FROM or
    dataset parameters naming graphs outside the store are refused, and the query workers
    cannot open a network connection at all (Linux seccomp): nothing is ever fetched.
    Too many waiting or long-running queries get 503 with Retry-After.
    """
    from kg.endpoint.pool import WorkerFailed
    from kg.endpoint.server import Endpoint, Settings

    say = (lambda _m: None) if quiet else (lambda m: click.echo(m, err=True))
    settings = Settings(timeout=timeout, max_rows=max_rows, max_query_bytes=max_query_bytes, cors=cors,
                        workers=workers, max_bytes=int(max_mb * 1024 * 1024), memory_mb=memory_mb,
                        slow_slots=slow_slots, cache_mb=cache_mb, in_memory=not on_disk)
    with reported():
        graph = open_graph(build_dir)
    assert graph.generation is not None
    try:
        click.echo("… starting the query workers" + ("" if on_disk else " (loading the store into memory)"),
                   err=True)
        server = Endpoint(graph.generation.store_path, host, port, settings, log=say)
    except (OSError, WorkerFailed) as exc:
        fail(f"cannot start the endpoint on {host}:{port}: {exc}", EXIT_ERROR)
        return
    if host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(f"warning: listening on {host}, not loopback: anyone who can reach it can query", err=True)
    click.echo(f"serving {server.url} (SPARQL endpoint at {server.url}sparql); Ctrl-C to stop", err=True)
    try:
        server.serve_forever()  # uvicorn stops on SIGINT and SIGTERM
    except KeyboardInterrupt:
        pass
    finally:
        click.echo("stopping", err=True)
        server.server_close()
