"""Analysis over a built graph: co-occurrence, similar initiatives, plan assessment.

Every analysis takes a `kg.adapter.Adapter` (open one with `kg.adapter.get_adapter(build_dir)`) and
returns plain dataclasses or a networkx graph. The adapter reads the analysis cache the build wrote
beside the store when it is in this code's format, else extracts with SPARQL; the answers are the
same either way. Heavy imports (numpy, scipy, networkx) happen inside the functions.

Modules::

    records     the rows the analyses read (also the cache's declaration) and the SPARQL extract
    columns     rows <-> cached columns; index: the numeric index; cache: the build's extra writer
    words       the word vectors of initiatives, practices, measures, risks and the framework (build time)
    cooccur     cooccurrence(graph, kind="driver", level="practice", ...) -> list[Pair]
    network     to_networkx(store), driver_network(graph, ...) -> networkx.Graph
    similarity  similar(graph, query, top=5, weights=None, text=None, min_reliability="primary",
                include_suggested=False) -> SimilarResult; Scorer for many queries
    assessment  assess(graph, plan=None, cases=3, min_reliability=..., include_suggested=...) -> Assessment;
                assess_input(graph, PlanInput, ...) for a plan read from a text (plantext.plan_from_text)
    render      tables, CSV, JSON; report: the assessment as text or Markdown, ja or en
"""
