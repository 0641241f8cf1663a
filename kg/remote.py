"""An external triple store: push the graph over the SPARQL 1.1 Graph Store Protocol, query it over HTTP.

Only the standard library's urllib is used, with Basic or Digest credentials from the environment
(DXKG_USER, DXKG_PASSWORD, DXKG_AUTH=basic|digest; without DXKG_AUTH the scheme follows the
server's 401 challenge). Answers come back in the same `kg.query.Result` shape as the embedded
store's, so every output format prints the same. Servers that truncate silently (Virtuoso's
`X-SPARQL-MaxRows`, `X-SQL-State: S1TAT` on a timeout) are treated as errors, never as answers.
"""

from __future__ import annotations

import base64
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kg.namespace import PREFIXES
from kg.query import QueryError, Result, refuse_outbound

CONTENT_TYPES = {"nt": "application/n-triples", "ttl": "text/turtle"}
# SPARQL results media types -> pyoxigraph.QueryResultsFormat, read by pyoxigraph.parse_query_results
_RESULT_FORMATS = {"application/sparql-results+json": "JSON", "application/json": "JSON",
                   "application/sparql-results+xml": "XML", "application/xml": "XML"}
DEFAULT_CHUNK_BYTES = 4_000_000  # below common request-size limits, large enough for few round trips
DEFAULT_TIMEOUT = 120.0
# Graph Store path -> query path, for servers whose layout we know (Virtuoso, Fuseki, Oxigraph).
_QUERY_PATHS = {"sparql-graph-crud-auth": "sparql", "sparql-graph-crud": "sparql", "sparql-auth": "sparql",
                "data": "sparql", "store": "query"}


class RemoteError(Exception):
    """The store refused, failed the check or answered partially (exit status 1)."""


class RemoteUnreachable(RemoteError):
    """The store could not be reached at all (exit status 2)."""


def http_url(url: str) -> str:
    """`url` when it is an http(s) URL with a host; else RemoteUnreachable (exit status 2). urllib would
    also open file:// and other schemes, and a store is reached over HTTP only."""
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteUnreachable(f"{url!r} is not an http:// or https:// URL of a SPARQL store")
    return url


@dataclass(frozen=True)
class Auth:
    user: str
    password: str
    scheme: str | None = None  # basic | digest | None to follow the server's challenge


@dataclass(frozen=True)
class PushResult:
    sent: int  # distinct triples in the data
    counted: int  # triples the store reports in the graph afterwards
    requests: int


def auth_from_env(env: dict[str, str] | None = None) -> Auth | None:
    """Credentials from DXKG_USER / DXKG_PASSWORD, scheme from DXKG_AUTH; None when no user is set."""
    env = dict(os.environ) if env is None else env
    user = env.get("DXKG_USER")
    if not user:
        return None
    scheme = (env.get("DXKG_AUTH") or "").strip().lower() or None
    if scheme not in (None, "basic", "digest"):
        raise RemoteError(f"DXKG_AUTH must be basic or digest, not {scheme!r}")
    return Auth(user, env.get("DXKG_PASSWORD", ""), scheme)


def default_query_endpoint(gsp_endpoint: str) -> str:
    """The query URL beside a Graph Store URL: Virtuoso /sparql-graph-crud-auth -> /sparql, Fuseki /ds/data ->
    /ds/sparql, Oxigraph /store -> /query; otherwise the same URL."""
    parts = urllib.parse.urlsplit(gsp_endpoint)
    head, _, last = parts.path.rstrip("/").rpartition("/")
    if last in _QUERY_PATHS:
        return urllib.parse.urlunsplit(parts._replace(path=f"{head}/{_QUERY_PATHS[last]}", query=""))
    return gsp_endpoint


class _Client:
    """HTTP with credentials sent up front: a server that refuses mid-upload (Virtuoso closes the socket on
    its 401) would otherwise break a large PUT, and each chunk would travel twice."""

    def __init__(self, auth: Auth | None, url: str, timeout: float) -> None:
        http_url(url)
        self.auth, self.timeout = auth, timeout
        self.passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        handlers: list[urllib.request.BaseHandler] = []
        self.digest = urllib.request.HTTPDigestAuthHandler(self.passwords)
        if auth is not None:
            self.passwords.add_password(None, url, auth.user, auth.password)
            if auth.scheme in (None, "digest"):
                handlers.append(self.digest)
            if auth.scheme in (None, "basic"):
                handlers.append(urllib.request.HTTPBasicAuthHandler(self.passwords))
        self.opener = urllib.request.build_opener(*handlers)
        self.scheme = "basic" if auth is not None and auth.scheme == "basic" else None
        self.challenge: dict[str, str] = {}

    def authenticate(self, url: str) -> None:
        """Learn the server's challenge with a bodiless HEAD and check the credentials before any upload."""
        if self.auth is None or self.scheme == "basic":
            return
        try:
            with urllib.request.build_opener().open(urllib.request.Request(url, method="HEAD"), timeout=self.timeout):
                return  # no challenge here: the handlers answer one if a later request meets it
        except urllib.error.HTTPError as exc:
            header = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
        except (urllib.error.URLError, OSError, ValueError):
            return  # _send reports an unreachable server with the real request
        scheme, _, rest = header.partition(" ")
        if scheme.lower() == "basic" and self.auth.scheme != "digest":
            self.scheme = "basic"
        elif scheme.lower() == "digest" and self.auth.scheme != "basic":
            self.scheme = "digest"
            self.challenge = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        else:
            return
        _send(self, urllib.request.Request(url, method="HEAD"), tolerate=True)

    def open(self, request: urllib.request.Request) -> Any:
        assert self.auth is not None or self.scheme is None
        if self.scheme == "basic" and self.auth is not None:
            token = base64.b64encode(f"{self.auth.user}:{self.auth.password}".encode()).decode("ascii")
            request.add_unredirected_header("Authorization", f"Basic {token}")
        elif self.scheme == "digest":
            value = self.digest.get_authorization(request, self.challenge)
            if value:
                request.add_unredirected_header("Authorization", f"Digest {value}")
        return self.opener.open(request, timeout=self.timeout)


def _with_param(url: str, name: str, value: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True) + [(name, value)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _send(client: _Client, request: urllib.request.Request,
          tolerate: bool = False) -> tuple[int, dict[str, str], bytes]:
    """One HTTP exchange; failures become RemoteError / RemoteUnreachable with the server's own words.

    With `tolerate`, any refusal but 401 counts as an answer (a HEAD that a server does not implement)."""
    url = request.full_url
    try:
        with client.open(request) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        if tolerate and exc.code != 401:
            return exc.code, {}, b""
        body = exc.read().decode("utf-8", "replace").strip() if exc.fp else ""
        detail = " ".join(body.split())[:300]
        hint = ""
        if exc.code == 401 and client.auth is None:
            hint = " (set DXKG_USER and DXKG_PASSWORD, and DXKG_AUTH=basic|digest if the server needs one)"
        elif exc.code == 401 and client.auth is not None:
            hint = f" (the server refused the credentials of user {client.auth.user!r} from DXKG_USER/DXKG_PASSWORD)"
        elif exc.code == 403:
            hint = " (the user lacks write permission on the graph)"
        raise RemoteError(f"{request.get_method()} {url}: HTTP {exc.code} {exc.reason}{hint}"
                          + (f": {detail}" if detail else "")) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RemoteUnreachable(f"cannot reach {url}: {reason}") from exc
    except ValueError as exc:  # a malformed URL, e.g. no scheme
        raise RemoteUnreachable(f"bad endpoint URL {url!r}: {exc}") from exc


def _refuse_partial(headers: dict[str, str], url: str) -> None:
    """Virtuoso answers HTTP 200 with a cut-short result; such an answer must never pass for a whole one."""
    if headers.get("x-sql-state", "").strip().upper() == "S1TAT":
        raise RemoteError(f"{url} returned a partial result (X-SQL-State: S1TAT, the query hit the server's "
                          "time limit); raise MaxQueryExecutionTime or simplify the query")
    if "x-sparql-maxrows" in headers:
        raise RemoteError(f"{url} cut the result at {headers['x-sparql-maxrows']} rows (X-SPARQL-MaxRows); "
                          "raise ResultSetMaxRows on the server or add LIMIT/OFFSET")


def _triples(data: bytes, fmt: str) -> list[Any]:
    """The distinct triples in the data, parsed so that a broken file fails here and not half-way through."""
    import pyoxigraph

    rdf_format = pyoxigraph.RdfFormat.N_TRIPLES if fmt == "nt" else pyoxigraph.RdfFormat.TURTLE
    try:
        return list(dict.fromkeys(pyoxigraph.parse(data, format=rdf_format)))
    except SyntaxError as exc:
        raise QueryError(f"the graph to push does not parse as {fmt}: {exc}") from exc


def _chunks(triples: list[Any], limit: int) -> list[bytes]:
    """N-Triples bodies of at most about `limit` bytes; one body when blank nodes would be split apart."""
    import pyoxigraph

    lines = [pyoxigraph.serialize([t], format=pyoxigraph.RdfFormat.N_TRIPLES) or b"" for t in triples]
    if any(isinstance(t.subject, pyoxigraph.BlankNode) or isinstance(t.object, pyoxigraph.BlankNode)
           for t in triples):
        return [b"".join(lines)]  # a label means one node only within one request
    bodies: list[bytes] = []
    current: list[bytes] = []
    size = 0
    for line in lines:
        if current and size + len(line) > limit:
            bodies.append(b"".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line)
    bodies.append(b"".join(current))
    return bodies


def count_triples(query_endpoint: str, graph_iri: str, auth: Auth | None = None,
                  timeout: float = DEFAULT_TIMEOUT) -> int:
    """How many triples the store holds in one named graph."""
    result = query(query_endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}",
                   auth=auth, timeout=timeout)
    try:
        return int(result.rows[0][0].value)
    except (IndexError, AttributeError, ValueError) as exc:
        raise RemoteError(f"{query_endpoint} gave no triple count for <{graph_iri}>") from exc


def push(data: bytes, endpoint: str, graph_iri: str, auth: Auth | None = None, *, fmt: str = "nt",
         replace: bool = True, query_endpoint: str | None = None, chunk_bytes: int = DEFAULT_CHUNK_BYTES,
         timeout: float = DEFAULT_TIMEOUT, progress: Callable[[str], None] = lambda _m: None) -> PushResult:
    """Send a graph to a Graph Store Protocol endpoint as `graph_iri`, then count it back.

    N-Triples go in chunks (PUT then POSTs) so a large graph never needs one huge request; Turtle goes whole.
    With `replace` the graph's old content is dropped first; with append the check is that the graph now
    holds at least the triples sent and no more than were there before plus those.
    """
    if fmt not in CONTENT_TYPES:
        raise QueryError(f"unknown push format {fmt!r} (known: {', '.join(CONTENT_TYPES)})")
    if not urllib.parse.urlsplit(graph_iri).scheme:
        raise QueryError(f"the graph name must be an absolute IRI, not {graph_iri!r}")
    query_endpoint = query_endpoint or default_query_endpoint(endpoint)
    triples = _triples(data, fmt)
    bodies = _chunks(triples, chunk_bytes) if fmt == "nt" else [data]
    before = 0 if replace else count_triples(query_endpoint, graph_iri, auth, timeout)
    url = _with_param(endpoint, "graph", graph_iri)
    client = _Client(auth, endpoint, timeout)
    client.authenticate(url)
    for i, body in enumerate(bodies):
        method = "PUT" if replace and i == 0 else "POST"
        progress(f"{method} {len(body):,} bytes ({i + 1}/{len(bodies)}) to {endpoint} graph <{graph_iri}>")
        request = urllib.request.Request(url, data=body, method=method,
                                         headers={"Content-Type": f"{CONTENT_TYPES[fmt]}; charset=utf-8"})
        _send(client, request)
    progress(f"counting the triples back at {query_endpoint}")
    counted = count_triples(query_endpoint, graph_iri, auth, timeout)
    low, high = (len(triples), len(triples)) if replace else (len(triples), before + len(triples))
    if not low <= counted <= high:
        expected = str(low) if low == high else f"{low}–{high}"
        raise RemoteError(f"the store holds {counted} triples in <{graph_iri}> but {expected} were expected: "
                          "the push was incomplete or the graph was changed meanwhile")
    return PushResult(len(triples), counted, len(bodies))


def _graph_result(body: bytes, content_type: str) -> Result:
    import pyoxigraph

    mime = content_type.split(";")[0].strip().lower()
    formats = {"application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES, "text/plain": pyoxigraph.RdfFormat.N_TRIPLES,
               "text/turtle": pyoxigraph.RdfFormat.TURTLE, "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML}
    if mime not in formats:
        raise RemoteError(f"the store answered a graph query as {mime or 'no content type'}, which dxkg cannot read")
    triples = list(pyoxigraph.parse(body, format=formats[mime]))
    return Result("graph", ["subject", "predicate", "object"],
                  [[t.subject, t.predicate, t.object] for t in triples], raw=triples)


def with_prefixes(text: str) -> str:
    """The query with those of dxkg's predefined prefixes it uses but does not declare, since another store
    does not know them (the saved queries declare their own)."""
    from kg.guard import tokens

    declared: set[str] = set()
    used: set[str] = set()
    toks = list(tokens(text))
    for i, (kind, value) in enumerate(toks):
        if kind == "word" and value.upper() == "PREFIX" and i + 1 < len(toks) and toks[i + 1][0] == "pname":
            declared.add(toks[i + 1][1].split(":")[0])
        elif kind == "pname":
            used.add(value.split(":")[0])
    missing = [p for p in PREFIXES if p in used and p not in declared]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing) + text


def query(endpoint: str, text: str, auth: Auth | None = None, graph: str | None = None,
          timeout: float = DEFAULT_TIMEOUT) -> Result:
    """Run a query at a SPARQL 1.1 Protocol endpoint; `graph` sets the default graph (default-graph-uri)."""
    client = _Client(auth, endpoint, timeout)  # refuses a URL that is not http(s) before any request is made
    text = refuse_outbound(text, [graph] if graph else [])
    form = [("query", with_prefixes(text))]
    if graph:
        form.append(("default-graph-uri", graph))
    request = urllib.request.Request(
        endpoint, data=urllib.parse.urlencode(form).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
                           "application/n-triples;q=0.9, text/turtle;q=0.8"})
    _status, headers, body = _send(client, request)
    _refuse_partial(headers, endpoint)
    content_type = headers.get("content-type", "")
    mime = content_type.split(";")[0].strip().lower()
    if mime not in _RESULT_FORMATS:
        return _graph_result(body, content_type)
    import pyoxigraph

    try:
        answer = pyoxigraph.parse_query_results(body, format=getattr(pyoxigraph.QueryResultsFormat,
                                                                     _RESULT_FORMATS[mime]))
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(f"{endpoint} sent a broken {mime} answer: {exc}") from exc
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return Result("ask", [], [], boolean=bool(answer))
    variables = [v.value for v in answer.variables]
    return Result("select", variables, [[s[v] for v in variables] for s in answer])
