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
              help="Seconds a query may run before it is stopped (answered 503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Most rows (or triples) in one answer; a cut answer says so in X-DXKG-Truncated.")
@click.option("--max-query-bytes", type=click.IntRange(min=256), default=65_536, show_default=True,
              help="Longest query text accepted (longer gets 413).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Query worker processes (queries running at once).")
@click.option("--cors", is_flag=True, help="Allow cross-origin requests from any page (never with credentials).")
@click.option("-q", "--quiet", is_flag=True, help="Do not log requests.")
@build_option
def command(host: str, port: int, timeout: float, max_rows: int, max_query_bytes: int, workers: int, cors: bool,
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
    dataset parameters naming graphs outside the store are refused: nothing is ever fetched.
    """
    from kg.endpoint.server import Endpoint, Settings
    from kg.endpoint.workers import WorkerFailed

    say = (lambda _m: None) if quiet else (lambda m: click.echo(m, err=True))
    with reported():
        graph = open_graph(build_dir)
    assert graph.generation is not None
    try:
        click.echo(f"… starting {workers} query worker(s)", err=True)
        server = Endpoint(graph.generation.store_path, host, port,
                          Settings(timeout, max_rows, max_query_bytes, cors, workers), log=say)
    except (OSError, WorkerFailed) as exc:
        fail(f"cannot start the endpoint on {host}:{port}: {exc}", EXIT_ERROR)
        return
    if host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(f"warning: listening on {host}, not loopback: anyone who can reach it can query", err=True)
    click.echo(f"serving {server.url} (SPARQL endpoint at {server.url}sparql); Ctrl-C to stop", err=True)
    _stop_on_signals()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopping", err=True)
    finally:
        server.server_close()
        server.pool.close()


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM both stop the server cleanly (workers included), even when started in the
    background, where a shell leaves SIGINT ignored."""
    import signal

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
