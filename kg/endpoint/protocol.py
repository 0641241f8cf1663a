"""SPARQL 1.1 Protocol requests: where the query and dataset come from, and which format to answer in."""

from __future__ import annotations

from urllib.parse import parse_qs


class ProtocolError(Exception):
    """A request the protocol does not allow; carries the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def media_type(header: str | None) -> tuple[str, dict[str, str]]:
    """`type/subtype` in lower case and its parameters."""
    if not header:
        return "", {}
    parts = header.split(";")
    params = {}
    for p in parts[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"')
    return parts[0].strip().lower(), params


def query_params(url_query: str, body: bytes | None, content_type: str | None) -> dict[str, list[str]]:
    """The protocol parameters of a request: URL parameters, plus the form or the direct query body."""
    params = parse_qs(url_query, keep_blank_values=True)
    if body is None:
        return params
    mtype, mparams = media_type(content_type)
    charset = mparams.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"charset {charset} is not supported: send UTF-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, "the request body is not valid UTF-8") from exc
    if mtype == "application/sparql-update":
        raise ProtocolError(403, "this endpoint is read-only: updates are refused")
    if mtype == "application/x-www-form-urlencoded":
        for key, values in parse_qs(text, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
        return params
    if mtype == "application/sparql-query":
        if "query" in params:
            raise ProtocolError(400, "give the query either in the body or as a parameter, not both")
        params["query"] = [text]
        return params
    if not mtype:
        raise ProtocolError(415, "a POST needs a Content-Type: application/sparql-query or "
                                 "application/x-www-form-urlencoded")
    raise ProtocolError(415, f"unsupported Content-Type {mtype}: use application/sparql-query or "
                             "application/x-www-form-urlencoded")


def the_query(params: dict[str, list[str]], max_bytes: int) -> str:
    """The one query of a request (updates are refused, size capped)."""
    if "update" in params:
        raise ProtocolError(403, "this endpoint is read-only: updates are refused")
    queries = params.get("query", [])
    if not queries:
        raise ProtocolError(400, "missing the `query` parameter")
    if len(queries) > 1:
        raise ProtocolError(400, "more than one `query` parameter")
    if len(queries[0].encode("utf-8")) > max_bytes:
        raise ProtocolError(413, f"the query is longer than the {max_bytes}-byte limit")
    return queries[0]


def negotiate(accept: str | None, offered: dict[str, str]) -> str | None:
    """The format of the offered media type the client prefers (RFC 9110: the most specific matching
    range gives an offer its q); the server's order breaks ties. None when nothing offered is acceptable."""
    types = list(offered)
    if not accept or not accept.strip():
        return offered[types[0]]
    ranges = []
    for item in accept.split(","):
        mtype, params = media_type(item)
        if mtype:
            try:
                q = float(params.get("q", "1"))
            except ValueError:
                q = 0.0
            ranges.append((mtype, q))
    best, choice = 0.0, None
    for offer in types:
        major = offer.split("/")[0]
        matches = [(2 if r == offer else 1 if r == f"{major}/*" else 0, q)
                   for r, q in ranges if r in (offer, f"{major}/*", "*/*")]
        if matches:
            q = max(matches)[1]
            if q > best:
                best, choice = q, offered[offer]
    return choice


# Media type -> format name (kg.results), per kind of answer; the first entry of each is the default.
TABULAR = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "text/plain": "ntriples",
}


def media_types(kind: str) -> dict[str, str]:
    """The media types offered for a kind of answer (select, ask, graph): ASK in every results format."""
    return TABULAR if kind in ("select", "ask") else GRAPH
