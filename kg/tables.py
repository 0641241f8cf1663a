"""Aligned text tables for the terminal, where a Japanese character takes two columns."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    """Display width: East Asian wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def clip(text: str, limit: int) -> str:
    """The text cut to `limit` columns, with … where it was cut; newlines become spaces."""
    text = text.replace("\n", " ")
    if width(text) <= limit:
        return text
    out, used = "", 0
    for c in text:
        w = width(c)
        if used + w > limit - 1:
            break
        out, used = out + c, used + w
    return out + "…"


def pad(text: str, limit: int) -> str:
    return text + " " * max(0, limit - width(text))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], max_width: int = 60) -> str:
    """Headers, a rule and the rows, each column as wide as its widest cell (at most `max_width`), and
    the row count."""
    widths = [min(max_width, max([width(h)] + [width(r[i]) for r in rows])) for i, h in enumerate(headers)]
    lines = [" | ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(pad(clip(c, w), w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)
