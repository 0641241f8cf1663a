"""A graph in parts: the triples one data file contributes, grouped by subject, with each subject's text in
every output format, so that a build writes the whole graph from parts it has cached.

The outputs are sorted by line, and all the lines of one subject sort together (a subject term is never
a prefix of another's, since IRIs cannot hold '>' or ' '). So each output is a header, each subject's
block in subject order, and a footer; a subject's block depends on its own triples only (our graphs
have no blank nodes: see kg.writers). A cold build and an incremental one both write their outputs
with `assemble`, from parts made by `make`: the same parts give the same bytes, whichever were cached.

A subject that two parts share (no two data files describe the same node in valid data, but nothing
here relies on it) is merged: its lines are united and its blocks written again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from kg import writers
from kg.namespace import GRAPH_PREFIXES

FORMATS = ("nt", "ttl", "jsonld")
# What follows each subject's block in a document: kept with the block, so that subjects that follow one
# another in a fragment and in the document are copied as one slice (`assemble`).
SEPARATORS = {"nt": b"", "ttl": b"\n\n", "jsonld": b",\n"}
# Instance IRIs stay whole in Turtle: `dxid:municipality\/013439` is legal Turtle but hard to read.
TTL_PREFIXES = {p: ns for p, ns in GRAPH_PREFIXES.items() if p != "dxid"}


@dataclass(frozen=True)
class Fragment:
    """Part of a graph: its subjects in sorted order and, per format, their blocks laid end to end."""

    subjects: list[str]  # N-Triples subject terms, sorted
    data: dict[str, bytes | memoryview]  # format -> the blocks of every subject, each with its separator, end to end
    ends: dict[str, list[int]]  # format -> where each subject's block (and separator) ends in data[format]

    @cached_property
    def digest(self) -> str:
        """The part's identity: the SHA-256 of its N-Triples."""
        return hashlib.sha256(self.data["nt"]).hexdigest()

    @cached_property
    def closed(self) -> bool:
        """Whether every link the analysis follows out of a subject ends at a subject of this part
        (kg.analysis.records.links_closed): then the part's analysis rows can be updated on their own.
        Computed where the part is made (a second process, in a build from scratch) and kept with it."""
        from kg.analysis.records import links_closed

        return links_closed(self.data["nt"], self.subjects)

    def blocks(self, fmt: str, first: int, last: int) -> memoryview:
        """The blocks of subjects first..last (inclusive), with their separators, as one slice."""
        start = self.ends[fmt][first - 1] if first else 0
        return memoryview(self.data[fmt])[start:self.ends[fmt][last]]

    def lines(self) -> list[bytes]:
        """The N-Triples lines (without newlines)."""
        return bytes(self.data["nt"]).split(b"\n")[:-1]


def make(lines: Iterable[str], formats: Sequence[str] = FORMATS) -> Fragment:
    """The fragment of a set of N-Triples lines (deduplicated and sorted here), in `formats` (N-Triples
    always; the Turtle and JSON-LD blocks are most of the time it takes, and a check needs neither)."""
    ordered = sorted(set(line for line in lines if line.strip()))
    if not ordered:
        return Fragment([], {f: b"" for f in FORMATS}, {f: [] for f in FORMATS})
    subjects: list[str] = []
    nt_ends: list[int] = []
    pos = 0
    for line in ordered:
        subject = line[:line.index(" ")]
        if subjects and subjects[-1] == subject:
            nt_ends[-1] += len(line.encode("utf-8")) + 1
        else:
            subjects.append(subject)
            nt_ends.append(pos + len(line.encode("utf-8")) + 1)
        pos = nt_ends[-1]
    nt = ("\n".join(ordered) + "\n").encode("utf-8")
    writers_of = {"ttl": lambda: writers.turtle_blocks(nt, TTL_PREFIXES),
                  "jsonld": lambda: writers.jsonld_nodes(nt, GRAPH_PREFIXES)}
    data: dict[str, bytes | memoryview] = {"nt": nt}
    ends = {"nt": nt_ends}
    for fmt in (f for f in FORMATS if f != "nt" and f in formats):
        texts = writers_of[fmt]()
        if len(texts) != len(subjects):  # a writer that grouped differently would interleave subjects wrongly
            raise ValueError(f"{fmt}: {len(texts)} blocks for {len(subjects)} subjects")
        encoded = [t.encode("utf-8") + SEPARATORS[fmt] for t in texts]
        data[fmt] = b"".join(encoded)
        offsets, total = [], 0
        for e in encoded:
            total += len(e)
            offsets.append(total)
        ends[fmt] = offsets
    return Fragment(subjects, data, ends)


@dataclass(frozen=True)
class Assembled:
    files: dict[str, bytes]  # format -> the whole document
    triples: int


class Assembly:
    """The whole graph's documents from its fragments, each made when asked for (`document`): a build makes
    its N-Triples first, which its store and SHACL need, and the other formats while they work."""

    def __init__(self, fragments: Sequence[Fragment], formats: Sequence[str] = FORMATS):
        self.fragments = fragments
        self.formats = [f for f in FORMATS if f in formats or f == "nt"]
        keyed = [(s, f, i) for f, frag in enumerate(fragments) for i, s in enumerate(frag.subjects)]
        keyed.sort(key=lambda k: k[0])
        # The document in pieces: runs of blocks [first, last] that follow one another in fragment f, or a
        # shared subject's blocks written again.
        self.pieces: list[tuple[int, int, int] | Fragment] = []
        pieces = self.pieces
        n = 0
        while n < len(keyed):
            subject, f, i = keyed[n]
            m = n + 1
            while m < len(keyed) and keyed[m][0] == subject:
                m += 1
            if m - n == 1:
                last = pieces[-1] if pieces else None
                if isinstance(last, tuple) and last[0] == f and last[2] == i - 1:
                    pieces[-1] = (f, last[1], i)
                else:
                    pieces.append((f, i, i))
            else:  # shared by several fragments: unite its lines and write its blocks again
                lines = {line for _, f2, i2 in keyed[n:m]
                         for line in bytes(fragments[f2].blocks("nt", i2, i2)).decode("utf-8").split("\n") if line}
                pieces.append(make(lines, self.formats))
            n = m

    def document(self, fmt: str) -> bytes:
        """The whole document in `fmt`, byte for byte what one fragment of all the lines gives."""
        if fmt not in self.formats:
            raise ValueError(f"{fmt}: not a format of these fragments ({', '.join(self.formats)})")
        slices = _slices(self.fragments, self.pieces, fmt)
        if fmt == "nt":
            return b"".join(slices)
        head, tail = {"ttl": lambda: writers.turtle_frame(TTL_PREFIXES),
                      "jsonld": lambda: writers.jsonld_frame(GRAPH_PREFIXES)}[fmt]()
        # Each block carries the separator that follows it but the last one, which the document does not have;
        # joined with the frame in one copy (these documents are 100 MB and more at national scale).
        if slices:
            slices[-1] = slices[-1][:-len(SEPARATORS[fmt])]
        return b"".join([head, *slices, tail])


def assemble(fragments: Sequence[Fragment], formats: Sequence[str] = FORMATS) -> Assembled:
    """The whole graph in `formats` (every one unless told) from its fragments, byte for byte what one fragment
    of all its lines gives; the fragments must hold those formats."""
    made = Assembly(fragments, formats)
    files = {fmt: made.document(fmt) for fmt in made.formats}
    return Assembled(files, files["nt"].count(b"\n"))


def _slices(fragments: Sequence[Fragment], pieces: list[tuple[int, int, int] | Fragment],
            fmt: str) -> list[memoryview]:
    return [memoryview(piece.data[fmt]) if isinstance(piece, Fragment) else fragments[piece[0]].blocks(fmt, *piece[1:])
            for piece in pieces]
