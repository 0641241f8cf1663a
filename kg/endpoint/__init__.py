"""A read-only SPARQL 1.1 Protocol endpoint over the build's Oxigraph store (`dxkg serve`).

- `safety`: what a query may name (no SERVICE, no dataset outside the store), checked on the parsed algebra.
- `protocol`: turning an HTTP request into a query and a dataset; content negotiation.
- `results`: SPARQL JSON / XML / CSV / TSV and RDF serialisations, with the row cap.
- `workers`: a pool of processes that run queries and can be killed on timeout.
- `server`: the HTTP server; `page`: the offline query page.
"""
