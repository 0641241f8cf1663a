"""A read-only SPARQL 1.1 Protocol endpoint over the build's Oxigraph store (`dxkg serve`).

- `server`: uvicorn (httptools) and the ASGI application: protocol, answer cache, hand-off to the pool.
- `protocol`: turning an HTTP request into a query and a dataset; content negotiation.
- `pool`: admission control (deadlines, long-running quota, bounded queue) over the workers.
- `workers`: the sandboxed store host and the workers it forks, which check, run and write queries.
- `page`: the offline query page.
The check (kg.guard), the sandbox (kg.sandbox) and the answer writer (kg.results) are shared with `dxkg query`.
"""
