"""SHACL compiled to SPARQL: validate graphs too large for pyshacl by running one query per constraint on Oxigraph.

pyshacl walks the graph node by node in Python and needs many minutes on the 1.6 M triples of a
national-scale graph; the same constraints as SPARQL SELECTs run inside Oxigraph in seconds. Only
the SHACL Core features that ontology/shapes.ttl uses are compiled (targetClass, predicate and
inverse paths, min/maxCount, datatype, class, pattern, in, hasValue, languageIn inside a
qualifiedValueShape, qualifiedMin/MaxCount, minLength, minInclusive, sh:or of simple shapes); any
other feature raises `UnsupportedShape`, so no constraint is ever skipped silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Keys each kind of shape may carry; anything else is a feature this compiler does not implement.
_NODE_KEYS = {"targetClass", "property", "or", "message"}
_PROPERTY_KEYS = {"path", "minCount", "maxCount", "datatype", "class", "pattern", "flags", "in", "hasValue",
                  "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "minLength", "minInclusive",
                  "or", "message", "name", "description"}
_VALUE_KEYS = {"datatype", "class", "pattern", "flags", "in", "languageIn", "minLength", "minInclusive"}
_IGNORED = {RDF_TYPE}  # sh:NodeShape / sh:PropertyShape typing carries no constraint


class UnsupportedShape(ValueError):
    """A shape uses a SHACL feature the compiler does not implement."""


@dataclass(frozen=True)
class Violation:
    """One SHACL violation: the focus node, the path ('' for node-level constraints) and why."""

    focus: str
    path: str
    message: str
    value: str = ""


@dataclass
class CompiledQuery:
    """One SPARQL SELECT over ?this (and ?v) whose every row is a violation."""

    sparql: str
    path: str
    message: str
    kind: str  # the constraint component, e.g. "minCount"
    counts: tuple[int | None, int | None] | None = None  # (min, max) for count queries, checked on ?n


@dataclass
class _Shape:
    node: Any
    props: dict[str, list[Any]] = field(default_factory=dict)

    def one(self, key: str) -> Any:
        values = self.props.get(key, [])
        if len(values) > 1:
            raise UnsupportedShape(f"shape {self.node} has {len(values)} values for sh:{key}; one expected")
        return values[0] if values else None


def _term(t: Any) -> str:
    """An rdflib term as SPARQL/N-Triples text."""
    return t.n3()


def _path_text(path: Any, shapes: Any) -> str:
    """The path as compact text for reports: dx:practice or ^dx:practice."""
    from rdflib import BNode, URIRef

    if isinstance(path, URIRef):
        return path.n3(shapes.namespace_manager)
    if isinstance(path, BNode):
        inv = shapes.value(path, URIRef(SH + "inversePath"))
        if isinstance(inv, URIRef) and len(list(shapes.predicate_objects(path))) == 1:
            return "^" + inv.n3(shapes.namespace_manager)
    raise UnsupportedShape(f"unsupported sh:path {path!r}: only a predicate or [sh:inversePath predicate]")


def _path_pattern(path: Any, shapes: Any, subject: str, obj: str) -> str:
    """The triple pattern linking `subject` to `obj` along the path."""
    from rdflib import URIRef

    if isinstance(path, URIRef):
        return f"{subject} {_term(path)} {obj} ."
    _path_text(path, shapes)  # raises on anything but a simple inverse path
    return f"{obj} {_term(shapes.value(path, URIRef(SH + 'inversePath')))} {subject} ."


class Compiler:
    """Compiles a shapes graph (rdflib) into SPARQL queries; class hierarchies come from the data graph."""

    def __init__(self, shapes: Any, subclasses: dict[str, list[str]] | None = None):
        self.shapes = shapes
        self.subclasses = subclasses or {}

    def _shape(self, node: Any, allowed: set[str], what: str) -> _Shape:
        shape = _Shape(node)
        for p, o in self.shapes.predicate_objects(node):
            key = str(p)
            if key in _IGNORED:
                continue
            if not key.startswith(SH) or key[len(SH):] not in allowed:
                raise UnsupportedShape(f"{what} {node} uses {p.n3(self.shapes.namespace_manager)}, "
                                       "which the SPARQL validator does not implement")
            shape.props.setdefault(key[len(SH):], []).append(o)
        return shape

    def _list(self, head: Any) -> list[Any]:
        from rdflib.collection import Collection

        return list(Collection(self.shapes, head))

    def classes(self, cls: Any) -> str:
        """The class and its subclasses (from the data graph) as a SPARQL IN list."""
        names = self.subclasses.get(str(cls), [str(cls)])
        return ", ".join(f"<{c}>" for c in sorted(set(names) | {str(cls)}))

    def conforms(self, shape: _Shape, var: str) -> str:
        """A SPARQL expression true when the value in `var` meets every value constraint of the shape."""
        parts = []
        for key, values in shape.props.items():
            for value in values:
                parts.append(self._value_condition(key, value, shape, var))
        return "(" + " && ".join(p for p in parts if p) + ")" if parts else "true"

    def _value_condition(self, key: str, value: Any, shape: _Shape, var: str) -> str | None:
        if key == "datatype":
            cond = f"(isLiteral({var}) && sameTerm(datatype({var}), {_term(value)})"
            lexical = {"integer": "^[+-]?[0-9]+$", "decimal": "^[+-]?([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)$"}
            local = str(value)[len(XSD):] if str(value).startswith(XSD) else ""
            if local in lexical:  # an ill-typed literal (e.g. "x"^^xsd:integer) does not conform either
                cond += f' && REGEX(STR({var}), "{lexical[local]}")'
            return cond + ")"
        if key == "class":
            return f"EXISTS {{ {var} <{RDF_TYPE}> ?_k . FILTER(?_k IN ({self.classes(value)})) }}"
        if key == "pattern":
            flags = shape.one("flags")
            pattern = _term(value) if value.language is None and value.datatype is None else f'"{value}"'
            flag_arg = f", {_term(flags)}" if flags is not None else ""
            return f"(!isBlank({var}) && REGEX(STR({var}), {pattern}{flag_arg}))"
        if key == "flags":
            return None  # read together with sh:pattern
        if key == "in":
            members = self._list(value)
            return "(" + " || ".join(f"sameTerm({var}, {_term(t)})" for t in members) + ")" if members else "false"
        if key == "languageIn":
            langs = self._list(value)
            tests = " || ".join(f'langMatches(lang({var}), "{lang}")' for lang in langs)
            return f"(isLiteral({var}) && ({tests or 'false'}))"
        if key == "minLength":
            return f"(!isBlank({var}) && STRLEN(STR({var})) >= {int(value)})"
        if key == "minInclusive":
            return f"COALESCE({var} >= {_term(value)}, false)"
        if key == "or":
            members = [self.conforms(self._shape(m, _VALUE_KEYS, "sh:or member"), var) for m in self._list(value)]
            return "(" + " || ".join(members) + ")"
        raise UnsupportedShape(f"sh:{key} is not supported in a value shape")

    def _member_condition(self, node: Any) -> str:
        """sh:or member of a node shape: a property shape (minCount 1, hasValue, value constraints) or a value shape."""
        if (node, None, None) not in self.shapes:
            raise UnsupportedShape(f"empty sh:or member {node}")
        shape = self._shape(node, _PROPERTY_KEYS | _VALUE_KEYS, "sh:or member")
        path = shape.one("path")
        if path is None:
            return self.conforms(shape, "?this")
        parts = []
        for key, values in shape.props.items():
            for value in values:
                if key in ("path", "message", "name", "description"):
                    continue
                if key == "minCount" and int(value) == 1:
                    parts.append(f"EXISTS {{ {_path_pattern(path, self.shapes, '?this', '?_o')} }}")
                elif key == "minCount" and int(value) == 0:
                    continue
                elif key == "hasValue":
                    parts.append(f"EXISTS {{ {_path_pattern(path, self.shapes, '?this', _term(value))} }}")
                elif key in _VALUE_KEYS:
                    cond = self._value_condition(key, value, shape, "?_o")
                    if cond:
                        parts.append(f"NOT EXISTS {{ {_path_pattern(path, self.shapes, '?this', '?_o')} "
                                     f"FILTER(!{cond}) }}")
                else:
                    raise UnsupportedShape(f"sh:{key} {value} inside a node-level sh:or is not supported")
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def compile(self) -> list[CompiledQuery]:
        """Every constraint of every node shape with a sh:targetClass, as queries."""
        from rdflib import URIRef

        out: list[CompiledQuery] = []
        shape_nodes = set(self.shapes.subjects(URIRef(SH + "targetClass"), None))
        for node in sorted(shape_nodes, key=str):
            out += self._node_shape(node)
        # Shapes that select their focus nodes some other way would be skipped: refuse them.
        for target in ("targetNode", "targetSubjectsOf", "targetObjectsOf", "target"):
            for s in self.shapes.subjects(URIRef(SH + target), None):
                raise UnsupportedShape(f"shape {s} uses sh:{target}; only sh:targetClass is supported")
        return out

    def _node_shape(self, node: Any) -> list[CompiledQuery]:
        shape = self._shape(node, _NODE_KEYS, "node shape")
        classes = ", ".join(self.classes(c) for c in sorted(shape.props["targetClass"], key=str))
        # A sub-select, so a node typed with two target classes is one focus node and counts stay right.
        target = f"{{ SELECT DISTINCT ?this WHERE {{ ?this <{RDF_TYPE}> ?_t . FILTER(?_t IN ({classes})) }} }}"
        out = []
        message = str(shape.one("message") or "")
        for or_list in shape.props.get("or", []):
            members = [self._member_condition(m) for m in self._list(or_list)]
            sparql = f"SELECT DISTINCT ?this WHERE {{ {target} FILTER(!({' || '.join(members)})) }}"
            out.append(CompiledQuery(sparql, "", message or "conforms to none of the sh:or shapes", "or"))
        for prop in shape.props.get("property", []):
            out += self._property_shape(prop, target)
        return out

    def _property_shape(self, node: Any, target: str) -> list[CompiledQuery]:
        shape = self._shape(node, _PROPERTY_KEYS, "property shape")
        path = shape.one("path")
        if path is None:
            raise UnsupportedShape(f"property shape {node} has no sh:path")
        path_txt = _path_text(path, self.shapes)
        edge = _path_pattern(path, self.shapes, "?this", "?v")
        msg = str(shape.one("message") or "")
        out = []
        lo, hi = shape.one("minCount"), shape.one("maxCount")
        if lo is not None or hi is not None:
            out.append(self._count_query(target, edge, "true", lo, hi, path_txt,
                                         msg or f"expects {_bounds(lo, hi)} value(s)", "count"))
        qshape = shape.one("qualifiedValueShape")
        qlo, qhi = shape.one("qualifiedMinCount"), shape.one("qualifiedMaxCount")
        if qshape is not None:
            cond = self.conforms(self._shape(qshape, _VALUE_KEYS, "qualified value shape"), "?v")
            out.append(self._count_query(target, edge, cond, qlo, qhi, path_txt,
                                         msg or f"expects {_bounds(qlo, qhi)} qualified value(s)", "qualified"))
        elif qlo is not None or qhi is not None:
            raise UnsupportedShape(f"property shape {node} has a qualified count without sh:qualifiedValueShape")
        for value in shape.props.get("hasValue", []):
            has = _path_pattern(path, self.shapes, "?this", _term(value))
            out.append(CompiledQuery(f"SELECT DISTINCT ?this WHERE {{ {target} FILTER NOT EXISTS {{ {has} }} }}",
                                     path_txt, msg or f"needs the value {value}", "hasValue"))
        for key in ("datatype", "class", "pattern", "in", "minLength", "minInclusive", "or"):
            for value in shape.props.get(key, []):
                cond = self._value_condition(key, value, shape, "?v")
                sparql = f"SELECT DISTINCT ?this ?v WHERE {{ {target} {edge} FILTER(!{cond}) }}"
                out.append(CompiledQuery(sparql, path_txt, msg or f"value does not meet sh:{key} {value}", key))
        return out

    def _count_query(self, target: str, edge: str, cond: str, lo: Any, hi: Any, path: str, msg: str,
                     kind: str) -> CompiledQuery:
        lo_i = int(lo) if lo is not None else None
        hi_i = int(hi) if hi is not None else None
        if hi_i is None and lo_i == 1 and cond == "true":  # the common case, without grouping
            sparql = f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ {edge} }} }}"
            return CompiledQuery(sparql, path, msg, kind, (lo_i, hi_i))
        having = []
        if lo_i is not None:
            having.append(f"COUNT(?v) < {lo_i}")
        if hi_i is not None:
            having.append(f"COUNT(?v) > {hi_i}")
        inner = edge if cond == "true" else f"{edge} FILTER({cond})"
        sparql = (f"SELECT ?this (COUNT(?v) AS ?n) WHERE {{ {target} OPTIONAL {{ {inner} }} }} "
                  f"GROUP BY ?this HAVING ({' || '.join(having)})")
        return CompiledQuery(sparql, path, msg, kind, (lo_i, hi_i))


def _bounds(lo: Any, hi: Any) -> str:
    if lo is not None and hi is not None:
        return f"{lo}" if lo == hi else f"{lo}–{hi}"
    return f"at least {lo}" if lo is not None else f"at most {hi}"


def subclass_closure(store: Any) -> dict[str, list[str]]:
    """Every class with all its (transitive) subclasses, read from the data graph as SHACL requires."""
    q = f"SELECT ?sup ?sub WHERE {{ ?sub <{RDFS_SUBCLASS}>+ ?sup }}"
    out: dict[str, list[str]] = {}
    for row in store.query(q):
        out.setdefault(row["sup"].value, []).append(row["sub"].value)
    return out


def compile_shapes(shapes: Any, store: Any) -> list[CompiledQuery]:
    """The shapes graph (rdflib) as SPARQL queries for the data in `store` (pyoxigraph)."""
    return Compiler(shapes, subclass_closure(store)).compile()


def load_store(ntriples: bytes) -> Any:
    """An in-memory Oxigraph store holding the N-Triples."""
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.bulk_load(ntriples, format=RdfFormat.N_TRIPLES)
    return store


def run(queries: list[CompiledQuery], store: Any) -> Iterator[Violation]:
    """The violations each query finds, in a stable order."""
    for cq in queries:
        rows = []
        for row in store.query(cq.sparql):
            focus = row["this"]
            focus_txt = focus.value if hasattr(focus, "value") else str(focus)
            value = ""
            if cq.counts is not None:
                value = f"{int(row['n'].value) if _has(row, 'n') else 0} found"
            elif _has(row, "v"):
                value = str(row["v"])
            rows.append(Violation(focus_txt, cq.path, cq.message, value))
        yield from sorted(rows, key=lambda v: (v.focus, v.value))


def _has(row: Any, var: str) -> bool:
    try:
        return row[var] is not None
    except (KeyError, IndexError):
        return False


def validate(ntriples: bytes, shapes: Any) -> list[Violation]:
    """Validate N-Triples against a shapes graph (rdflib Graph): every violation, sorted by focus node and path."""
    store = load_store(ntriples)
    return sorted(run(compile_shapes(shapes, store), store), key=lambda v: (v.focus, v.path, v.message, v.value))
