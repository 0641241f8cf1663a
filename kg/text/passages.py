"""Sentences and passages of a document, as character offsets into its text.

Every sentence and passage is a slice `text[start:end]` of the document, so an evidence sentence
quoted from one is verbatim by construction. Sentences are cut by `ja-sentence-segmenter` (line
breaks, then 。！？ outside 「」 and （）); extraction artefacts end a sentence too: tabs (table cells)
and HTML tags left in slide text. List markers and blanks at either end are not part of a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Pieces that never belong to a sentence: tabs and table bars, HTML tags and entities left by extraction.
_SEPARATOR = re.compile(r"\t|\||<[^<>\n]{0,200}>|&[a-z]+;")
# List markers, blanks and stray punctuation trimmed from the ends of a sentence.
_LEAD = re.compile(r"^[\s\-‐–—・•●○◯■□◆◇▶▷►※*＊>＞→⇒〇✓]+")
_TRAIL = re.compile(r"[\s、，,]+$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*([\-‐・●○◯■□◆◇▶※*＊]|[0-9０-９]+[.)．）]|[（(][0-9０-９]+[)）]|[①-⑳])")
_END = "。．.!?！？"
# A line ending in one of these is cut mid-sentence (particles, commas, an open bracket).
_CONTINUES = frozenset("をにのはがとでへやもり、，,（(「・")
MAX_PASSAGE_CHARS = 600  # a longer block is cut at sentence ends into passages of about this size
HEADING_CHARS = 60  # a lone line this short without an ending stop introduces the block after it


@dataclass(frozen=True)
class Span:
    """A slice of the document: `text == document[start:end]`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Passage:
    """Consecutive sentences that belong together (a paragraph, or a heading with its list).

    `section` is the nearest heading above it (a Markdown heading or a numbered title), or "".
    """

    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]
    section: str
    chapter: str = ""  # the heading above it that the document's contents page lists, when it has one


def split_sentences(text: str) -> list[Span]:
    """The sentences of `text`, in order, each trimmed of list markers and surrounding blanks."""
    from ja_sentence_segmenter.split.simple_splitter import split_punctuation

    out: list[Span] = []
    for line_start, line in _lines(text):
        for piece_start, piece in _pieces(line):
            cursor = 0
            for sentence in split_punctuation(piece):
                at = piece.find(sentence, cursor)
                if at < 0:  # the splitter changed the text (a U+222F in it): keep what can be located
                    continue
                cursor = at + len(sentence)
                span = _trim(text, line_start + piece_start + at, line_start + piece_start + cursor)
                if span:
                    out.append(span)
    return _join_broken(text, out)


def _join_broken(text: str, spans: list[Span]) -> list[Span]:
    """Join a sentence that a line break cut in two (the line ends in a particle or comma and the
    next line is no list item): PDF and slide extraction break lines anywhere."""
    out: list[Span] = []
    for s in spans:
        if out:
            prev = out[-1]
            gap = text[prev.end:s.start]
            line = text[text.rfind("\n", 0, s.start) + 1:s.end]
            if (gap.strip() == "" and "\n" in gap and prev.text[-1] in _CONTINUES
                    and not _BULLET.match(line) and not _SEPARATOR.search(gap)):
                out[-1] = Span(prev.start, s.end, text[prev.start:s.end])
                continue
        out.append(s)
    return out


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    return out


def _pieces(line: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for mo in _SEPARATOR.finditer(line):
        out.append((pos, line[pos:mo.start()]))
        pos = mo.end()
    out.append((pos, line[pos:]))
    return [(s, p) for s, p in out if p.strip()]


def _trim(text: str, start: int, end: int) -> Span | None:
    piece = text[start:end]
    lead = _LEAD.match(piece)
    if lead:
        start += lead.end()
    piece = text[start:end]
    trail = _TRAIL.search(piece)
    if trail:
        end -= len(piece) - trail.start()
    if end <= start or not any(ch.isalnum() for ch in text[start:end]):
        return None
    return Span(start, end, text[start:end])


def _section_title(line: str) -> str | None:
    mo = _MD_HEADING.match(line)
    if mo:
        return mo.group(1).strip()
    stripped = line.strip()
    if stripped.startswith("【") and stripped.endswith("】") and len(stripped) <= HEADING_CHARS:
        return stripped
    return None


def split_passages(text: str) -> list[Passage]:
    """Group the sentences of `text` into passages.

    A passage is a block of non-blank lines. A short line without a closing stop (a heading) starts
    a new block and takes the lines after it, across a blank line; a lead line ending in "：" takes
    the lines after it even when they look like headings.
    Markdown headings and 【…】 titles are not passages: they name the section of those that follow.
    A block longer than MAX_PASSAGE_CHARS is cut at sentence ends.
    """
    sentences = split_sentences(text)
    contents = _contents(text)
    blocks: list[tuple[list[Span], str, str]] = []  # the sentences of each block, its section and chapter
    section = chapter = ""
    current: list[Span] = []
    open_ended = False  # the block ends in a heading or lead line, so the lines after a blank belong to it
    lead_line = False  # the block ends in a line ending "：", which even a heading continues
    si = 0
    covered = 0  # the end of the last sentence: lines before it belong to a sentence already placed
    for line_start, line in _lines(text):
        line_end = line_start + len(line)
        if line_start < covered:
            continue
        here: list[Span] = []
        while si < len(sentences) and sentences[si].start < line_end:
            here.append(sentences[si])
            si += 1
        title = _section_title(line)
        if title is not None or not line.strip():
            if current and (title is not None or not open_ended):
                blocks.append((current, section, chapter))
                current, open_ended = [], False
            if title is not None:
                section = title
                if _title_key(title) in contents:
                    chapter = title
            continue
        if not here:
            continue
        covered = here[-1].end
        heading = _is_heading(line)
        if heading and current and not lead_line:
            blocks.append((current, section, chapter))
            current = []
        current.extend(here)
        last = text[here[-1].start:here[-1].end]
        lead_line = last.endswith(("：", ":"))
        open_ended = heading or lead_line
    if current:
        blocks.append((current, section, chapter))
    out: list[Passage] = []
    for spans, sec, chap in blocks:
        for group in _cut(spans):
            start, end = group[0].start, group[-1].end
            out.append(Passage(start, end, text[start:end], tuple(group), sec, chap))
    return out


_CONTENTS_TITLE = re.compile(r"^\s{0,3}(#{1,6}\s*)?(目次|目 次|contents|table of contents)\s*$", re.IGNORECASE)
_NUMBERING = re.compile(r"^[\s\-‐・●*#]*(第?[0-9０-９]+[章節.．)）]?|[（(][0-9０-９]+[)）]|[①-⑳])?\s*")


def _title_key(title: str) -> str:
    """A heading or a contents line without its numbering, markers and blanks, to match one with the other."""
    return re.sub(r"\s+", "", _NUMBERING.sub("", title.strip().lstrip("#")))


def _contents(text: str) -> set[str]:
    """The titles a contents page (目次) lists, the lines after its heading up to the first blank after them."""
    titles: set[str] = set()
    listing = False
    for _start, line in _lines(text):
        if not listing:
            listing = bool(_CONTENTS_TITLE.match(line))
            continue
        if not line.strip():
            if titles:
                break
            continue
        key = _title_key(line)
        if key:
            titles.add(key)
    return titles


def _is_heading(line: str) -> bool:
    stripped = line.strip()
    return (0 < len(stripped) <= HEADING_CHARS and stripped[-1] not in _END and stripped[-1] not in _CONTINUES
            and not _BULLET.match(line))


def _cut(spans: list[Span]) -> list[list[Span]]:
    groups: list[list[Span]] = [[]]
    size = 0
    for s in spans:
        if groups[-1] and size + len(s.text) > MAX_PASSAGE_CHARS:
            groups.append([])
            size = 0
        groups[-1].append(s)
        size += len(s.text)
    return [g for g in groups if g]
