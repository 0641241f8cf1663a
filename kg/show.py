"""One entity with its links and the quotes behind them (kg.names resolves the name first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.namespace import compact, id_path
from kg.query import QueryError
from kg.sparql import select

if TYPE_CHECKING:
    import pyoxigraph

def label_of(store: pyoxigraph.Store, iri: str, lang: str = "ja") -> str:
    """'ja-label / en-label' for an IRI, or its short form when it has none."""
    labels: dict[str, str] = {}
    for row in select(store, f"SELECT ?l WHERE {{ <{iri}> rdfs:label|skos:prefLabel ?l }}"):
        labels.setdefault(row["l"].language or "", row["l"].value)
    other = "en" if lang == "ja" else "ja"
    parts = [labels[k] for k in (lang, other) if k in labels]
    if parts:
        return " / ".join(dict.fromkeys(parts))
    return id_path(iri)


@dataclass
class Link:
    predicate: str  # short name of the property
    target: str  # IRI or literal text
    label: str  # human label of the target
    quotes: list[tuple[str, str, str]] = field(default_factory=list)  # (quote, source, note)


@dataclass
class Entity:
    iri: str
    label: str
    types: list[str]
    literals: list[tuple[str, str]]  # (property, value)
    outgoing: list[Link]
    incoming: list[Link]
    quotes: list[tuple[str, str, str]]


def _qualified_quotes(store: pyoxigraph.Store, subject: str, obj: str) -> list[tuple[str, str, str]]:
    """Quotes of the qualified links (tags, participations) between two nodes."""
    rows = select(store, f"""
        SELECT ?quote ?source ?basis ?why ?role WHERE {{
          {{ ?q oa:hasTarget <{subject}> ; oa:hasBody <{obj}> .
             OPTIONAL {{ ?q dx:basis/rdfs:label ?basis . FILTER(LANG(?basis) = "en") }}
             OPTIONAL {{ ?q rdfs:comment ?why }} }}
          UNION
          {{ <{subject}> dx:participation ?q . ?q dx:participant <{obj}> .
             OPTIONAL {{ ?q dx:role ?role . FILTER(LANG(?role) = "ja") }} }}
          ?q dx:quote ?quote ; prov:wasDerivedFrom/dct:identifier ?source .
        }}""")
    out = []
    for r in rows:
        note = " ".join(x for x in (r["basis"] and r["basis"].value, r["role"] and r["role"].value,
                                    r["why"] and r["why"].value) if x)
        out.append((r["quote"].value, r["source"].value, note))
    return out


def describe(store: pyoxigraph.Store, iri: str, lang: str = "ja") -> Entity:
    """Everything the graph says about one entity, with the evidence for each link."""
    import pyoxigraph

    types, literals, outgoing, incoming, quotes = [], [], [], [], []
    for row in select(store, f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} ORDER BY ?p ?o"):
        p, o = row["p"].value, row["o"]
        short = compact(p)
        if short == "rdf:type":
            types.append(compact(o.value))
        elif short in ("dx:quote", "prov:wasDerivedFrom", "dx:participation", "dx:figure"):
            continue
        elif isinstance(o, pyoxigraph.Literal):
            lang_tag = f"@{o.language}" if o.language else ""
            literals.append((short, f"{o.value}{lang_tag}" if lang_tag else o.value))
        else:
            quotes_ = _qualified_quotes(store, iri, o.value)
            outgoing.append(Link(short, o.value, label_of(store, o.value, lang), quotes_))
    for row in select(store, f"""SELECT ?quote ?source WHERE {{ <{iri}> dx:quote ?quote ;
                                 prov:wasDerivedFrom/dct:identifier ?source }}"""):
        quotes.append((row["quote"].value, row["source"].value, ""))
    for row in select(store, f"""SELECT ?kind ?value ?date ?quote ?source WHERE {{
            <{iri}> dx:figure ?f . ?f dx:figureKind ?kind ; dx:value ?value ; dx:quote ?quote ;
            prov:wasDerivedFrom/dct:identifier ?source . OPTIONAL {{ ?f dx:date ?date }} }}
            ORDER BY ?kind ?date"""):
        date = f" ({row['date'].value})" if row["date"] else ""
        literals.append((f"figure {row['kind'].value}", f"{row['value'].value}{date}"))
        quotes.append((row["quote"].value, row["source"].value, row["kind"].value))
    for row in select(store, f"""SELECT ?s ?p WHERE {{ ?s ?p <{iri}> .
            FILTER(?p NOT IN (oa:hasTarget, oa:hasBody, dx:participant, skos:inScheme, rdf:type)) }}
            ORDER BY ?p ?s"""):
        s = row["s"].value
        incoming.append(Link(compact(row["p"].value), s, label_of(store, s, lang), _qualified_quotes(store, s, iri)))
    if not (types or literals or outgoing or incoming):
        raise QueryError(f"nothing in the graph is described by <{iri}>")
    return Entity(iri, label_of(store, iri, lang), types, literals, outgoing, incoming, quotes)


def render(entity: Entity, max_incoming: int = 40) -> str:
    """A readable text block for the terminal."""
    lines = [f"{entity.label}  [{', '.join(entity.types)}]", f"  {entity.iri}"]
    for prop, value in entity.literals:
        if prop not in ("rdfs:label",):
            lines.append(f"  {prop}: {value}")
    for quote, source, note in entity.quotes:
        lines.append(f"  「{quote}」 — {source}{f' ({note})' if note else ''}")
    if entity.outgoing:
        lines.append("links:")
        for link in entity.outgoing:
            lines.append(f"  {link.predicate} → {link.label}")
            for quote, source, note in link.quotes:
                lines.append(f"      「{quote}」 — {source}{f' [{note}]' if note else ''}")
    if entity.incoming:
        lines.append("linked from:")
        for link in entity.incoming[:max_incoming]:
            lines.append(f"  {link.label} —{link.predicate}→")
            for quote, source, note in link.quotes:
                lines.append(f"      「{quote}」 — {source}{f' [{note}]' if note else ''}")
        if len(entity.incoming) > max_incoming:
            lines.append(f"  … and {len(entity.incoming) - max_incoming} more")
    return "\n".join(lines)
