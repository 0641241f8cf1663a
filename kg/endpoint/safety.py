"""Refuse queries that would reach beyond the store, by walking rdflib's parsed algebra.

Oxigraph and rdflib both fetch the IRI of a SERVICE clause, and may fetch FROM / FROM NAMED
IRIs. The lexical check in kg.query is enough for the CLI; the endpoint faces any client, so it
checks the parsed query: a keyword hidden by unusual syntax cannot slip through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kg.namespace import PREFIXES


class Refused(Exception):
    """A query the endpoint will not run (HTTP 400)."""


@dataclass(frozen=True)
class Parsed:
    kind: str  # select | ask | construct | describe
    default_graphs: tuple[str, ...]  # from FROM
    named_graphs: tuple[str, ...]  # from FROM NAMED


_KINDS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe"}


def parse(query: str) -> Parsed:
    """Parse a query with rdflib; raise SyntaxError on bad syntax and Refused on SERVICE anywhere."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(query, initNs=PREFIXES)
    except ParseException as exc:
        raise SyntaxError(f"SPARQL syntax error: {exc}") from exc
    except Exception as exc:  # rdflib raises assorted errors for queries it cannot translate
        raise SyntaxError(f"SPARQL error: {exc}") from exc
    algebra = prepared.algebra
    for node in _walk(algebra):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            raise Refused("SERVICE is refused: this endpoint answers from its own store and never "
                          "fetches from the network")
    default, named = [], []
    for clause in algebra.get("datasetClause") or []:
        # CompValue.get() does not give None for a missing key; test membership instead.
        if "default" in clause:
            default.append(str(clause["default"]))
        if "named" in clause:
            named.append(str(clause["named"]))
    kind = _KINDS.get(algebra.name)
    if kind is None:
        raise SyntaxError(f"not a query: {algebra.name}")
    return Parsed(kind, tuple(default), tuple(named))


def _walk(node: Any, seen: set[int] | None = None) -> Iterable[Any]:
    """Every node of an rdflib algebra tree (CompValue is a dict; patterns hold lists and tuples)."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value, seen)
    elif isinstance(node, (list, tuple, set)):
        for value in node:
            yield from _walk(value, seen)


def check_dataset(graphs: Iterable[str], known: frozenset[str], where: str) -> None:
    """Refuse a dataset naming a graph the store does not hold (an engine would try to fetch it)."""
    for iri in graphs:
        if iri not in known:
            raise Refused(f"{where} <{iri}> is not a graph in this store; the endpoint never fetches "
                          f"graphs from the network")
