"""Analysis over the built graph: co-occurrence, similar initiatives, plan assessment.

Every analysis takes a pyoxigraph Store (kg.query.open_store), an Extract, or a build folder (Path)
and returns plain dataclasses or a networkx graph. Given a build folder it reads the analysis cache
that `dxkg build` writes beside the store (kg.analysis.cache) when the store is current, else it
extracts with SPARQL; the answers are the same either way. Heavy imports (numpy, scipy, networkx)
happen inside the functions. Names are resolved lazily so `import kg.analysis` stays cheap.

Public API::

    to_networkx(store) -> networkx.MultiDiGraph                 # typed graph of the whole KG
    cooccurrence(store, kind="driver", level="practice", ...) -> list[Pair]
    driver_network(store, ...) -> networkx.Graph                # nodes carry centrality, community
    similar(store, query, top=5, weights=None) -> SimilarResult
    assess(store, plan="horokanai-digital-plan") -> Assessment
    load_columns(build_dir) -> Columns | None                   # the cached extract, if current
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "AnalysisError": "kg.analysis.data",
    "Extract": "kg.analysis.data",
    "extract": "kg.analysis.data",
    "load_columns": "kg.analysis.cache",
    "Columns": "kg.analysis.columns",
    "to_networkx": "kg.analysis.network",
    "driver_network": "kg.analysis.network",
    "Pair": "kg.analysis.cooccur",
    "cooccurrence": "kg.analysis.cooccur",
    "fisher_exact": "kg.analysis.cooccur",
    "Match": "kg.analysis.similarity",
    "SimilarResult": "kg.analysis.similarity",
    "DEFAULT_WEIGHTS": "kg.analysis.similarity",
    "similar": "kg.analysis.similarity",
    "resolve_initiative": "kg.analysis.similarity",
    "Assessment": "kg.analysis.assessment",
    "assess": "kg.analysis.assessment",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'kg.analysis' has no attribute {name!r}")
