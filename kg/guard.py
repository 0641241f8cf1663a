"""The first line against queries that reach beyond the store: normalise the text, then check its tokens.

This check gives a clear refusal (SERVICE, LOAD, a FROM naming a graph the store does not hold); it
is not what keeps queries off the network. That is `kg.sandbox`: a check made with one parser never
binds another (rdflib ends a comment only at LF, Oxigraph also at CR), so the processes that evaluate
queries cannot open a connection at all. To keep the check and the engine in step as far as they can
be, both see the same text: `normalise` turns CR LF and lone CR into LF, and that normalised text is
the one evaluated.

The check is a SPARQL 1.1 tokenizer (comments, strings, IRIs, variables, prefixed names, keywords), not
a full parser: it has no limits of its own (nesting, size, grammar extensions such as LATERAL or
RDF-star all pass to Oxigraph unchanged) and runs in microseconds per kilobyte. Oxigraph, as the
specification lets it, reads `\\uXXXX` escapes only inside strings and IRIs, so an escaped keyword is
no keyword there either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

REFUSED_KEYWORDS = ("SERVICE", "LOAD")


class Refused(Exception):
    """A query that reaches beyond the store (HTTP 400, exit status 1)."""


@dataclass(frozen=True)
class Checked:
    text: str  # the normalised text: the one to evaluate
    default_graphs: tuple[str, ...]  # FROM
    named_graphs: tuple[str, ...]  # FROM NAMED


def normalise(text: str) -> str:
    """Line ends as LF only, so every parser agrees where a comment ends."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


# One alternative per SPARQL 1.1 terminal that can hide or be a keyword; anything else is one character.
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    |(?P<var>[?$](?:[^\W]|[\u00B7\u0300-\u036F\u203F\u2040])+)
    |(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<word>(?:[^\W]|:)(?:[^\W]|[\u00B7\u0300-\u036F\u203F\u2040:%\\.-])*)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) for each token but whitespace and comments; kind is string, iri, var, langtag, word, pname
    (a word with a colon: a prefixed name, a blank node label or a prefix declaration) or other."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        value = match.group(0)
        if kind in ("ws", "comment"):
            continue
        if kind == "word":
            value = value.rstrip(".")  # a name never ends with a dot: that dot ends the triple
            if ":" in value:
                kind = "pname"
        yield kind, value


def _iri(token: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token[1:-1])


def check(text: str, known_graphs: Iterable[str] = (), base_iri: str | None = None,
          prefixes: dict[str, str] | None = None) -> Checked:
    """Normalise a query and refuse SERVICE, LOAD and FROM / FROM NAMED outside `known_graphs`."""
    text = normalise(text)
    known = frozenset(known_graphs)
    declared = dict(prefixes or {})
    base = base_iri
    default: list[str] = []
    named: list[str] = []
    toks = list(tokens(text))
    for i, (kind, value) in enumerate(toks):
        if kind != "word":
            continue
        word = value.upper()
        if word in REFUSED_KEYWORDS:
            raise Refused(f"{word} is refused: queries run on the local graph only and never fetch from the network")
        nxt = toks[i + 1] if i + 1 < len(toks) else ("", "")
        if word == "BASE" and nxt[0] == "iri":
            base = urljoin(base or "", _iri(nxt[1]))
        elif word == "PREFIX" and nxt[0] == "pname" and i + 2 < len(toks) and toks[i + 2][0] == "iri":
            declared[nxt[1].rstrip(":")] = urljoin(base or "", _iri(toks[i + 2][1]))
        elif word == "FROM":
            is_named = nxt[0] == "word" and nxt[1].upper() == "NAMED"
            target = toks[i + 2] if is_named and i + 2 < len(toks) else nxt
            graph = _graph_iri(target, declared, base)
            (named if is_named else default).append(graph)
    for graph in default + named:
        if graph not in known:
            raise Refused(f"FROM <{graph}> is refused: it is not a graph in this store, and queries never fetch "
                          "graphs from the network")
    return Checked(text, tuple(default), tuple(named))


def _graph_iri(token: tuple[str, str], declared: dict[str, str], base: str | None) -> str:
    kind, value = token
    if kind == "iri":
        return urljoin(base or "", _iri(value))
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix in declared:
            return declared[prefix] + re.sub(r"\\(.)", r"\1", local)
    raise Refused(f"FROM {value!r} is refused: name a graph of this store by its IRI")


def check_dataset(graphs: Iterable[str], known_graphs: Iterable[str], where: str) -> None:
    """Refuse protocol dataset parameters (default-graph-uri, named-graph-uri) naming graphs outside the store."""
    known = frozenset(known_graphs)
    for iri in graphs:
        if iri not in known:
            raise Refused(f"{where} <{iri}> is refused: it is not a graph in this store, and queries never fetch "
                          "graphs from the network")
