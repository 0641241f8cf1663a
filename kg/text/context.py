"""A curated example as a curator reads it in its source: the quote's sentences and their neighbours.

A curated quote is a short excerpt (median about 40 characters); what `dxkg suggest` ranks in real
use is a passage of a document, usually the sentence that says what was done with the heading or
sentence around it. `example_contexts` finds each example's quote in its source text (whitespace
ignored, as the quote check compares) and returns the sentences of the passage that overlap it plus
`window` sentences either side, within that passage: the text the suggester is trained and evaluated
on, so that training, evaluation and use see the same kind of input. Where the source text or the
quote cannot be found, the quote itself stands in.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg.text.passages import Passage, split_passages
from kg.text.records import Example

WINDOW = 1  # neighbouring sentences on each side of the quote, inside its passage


class SourceTexts:
    """Source texts by id, read from a folder as `dxkg suggest` and the quote check read them
    (`<id>.txt`, `.md` or `.pdf`, encoding detected), with their passages; each read once."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._texts: dict[str, tuple[str, list[Passage], Squashed] | None] = {}

    def get(self, source_id: str) -> tuple[str, list[Passage], Squashed] | None:
        if source_id not in self._texts:
            self._texts[source_id] = self._read(source_id)
        return self._texts[source_id]

    def _read(self, source_id: str) -> tuple[str, list[Passage], Squashed] | None:
        from kg.checks import SOURCE_SUFFIXES
        from kg.text.document import DocumentError, read_document

        if self.folder is None:
            return None
        for suffix in SOURCE_SUFFIXES:
            path = self.folder / f"{source_id}{suffix}"
            if path.is_file():
                try:
                    text = read_document(path).text
                except DocumentError:
                    return None
                return text, split_passages(text), Squashed(text)
        return None


class Squashed:
    """A text without whitespace, and where each of its characters sits in the original."""

    def __init__(self, text: str):
        self.keep = [i for i, ch in enumerate(text) if not ch.isspace()]
        self.text = "".join(text[i] for i in self.keep)


def locate(quote: str, text: str | Squashed) -> tuple[int, int] | None:
    """The span `(start, end)` of `quote` in `text`, whitespace ignored on both sides (extraction
    breaks lines anywhere); the first occurrence, or None."""
    sq = text if isinstance(text, Squashed) else Squashed(text)
    keep, squashed = sq.keep, sq.text
    needle = "".join(quote.split())
    if not needle:
        return None
    at = squashed.find(needle)
    if at < 0:
        return None
    return keep[at], keep[at + len(needle) - 1] + 1


def window_text(text: str, passages: list[Passage], start: int, end: int, window: int = WINDOW) -> str | None:
    """The sentences of the passage(s) overlapping `text[start:end]`, with `window` sentences either
    side within them, as one verbatim slice of `text` (None when no passage overlaps)."""
    sentences = [s for p in passages if p.start < end and p.end > start for s in p.sentences]
    inside = [i for i, s in enumerate(sentences) if s.start < end and s.end > start]
    if not inside:
        return None
    lo, hi = max(0, inside[0] - window), min(len(sentences), inside[-1] + 1 + window)
    return text[min(sentences[lo].start, start):max(sentences[hi - 1].end, end)]


def example_context(example: Example, sources: SourceTexts, window: int = WINDOW) -> str:
    """The text a curator sees for `example` in its source (its quote when the source or the quote
    cannot be found)."""
    found = sources.get(example.source)
    if found is None:
        return example.quote
    text, passages, squashed = found
    span = locate(example.quote, squashed)
    if span is None:
        return example.quote
    return window_text(text, passages, *span, window=window) or example.quote


def example_contexts(examples: Iterable[Example], folder: Path | None, window: int = WINDOW) -> dict[Example, str]:
    """`example_context` for every example, reading each source once."""
    sources = SourceTexts(folder)
    return {e: example_context(e, sources, window) for e in examples}
