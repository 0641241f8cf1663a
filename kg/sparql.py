"""Our own SELECTs on a store: the predefined prefixes, and the answer typed as solutions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.namespace import PREFIXES

if TYPE_CHECKING:
    import pyoxigraph


def select(store: pyoxigraph.Store, query: str) -> pyoxigraph.QuerySolutions:
    """The solutions of a SELECT that dxkg itself wrote (user queries go through kg.query.run)."""
    import pyoxigraph

    answer = store.query(query, prefixes=PREFIXES)
    if not isinstance(answer, pyoxigraph.QuerySolutions):
        raise TypeError("not a SELECT query")
    return answer
