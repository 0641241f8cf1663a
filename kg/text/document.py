"""Reading a document: plain text or Markdown in any common Japanese encoding, or a PDF's text layer.

Every error a user can cause (an empty, binary, unreadable, image-only or too large file) is a
`DocumentError` naming the file, so the CLI can report it and exit 1 before writing anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024  # a file larger than this is refused (municipal plans run to a few MB as PDF)
MAX_CHARS = 1_000_000  # and so is a text longer than this once read (about 25 reports of 40 KB)
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text", "")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


class DocumentError(Exception):
    """A document that cannot be read as text; the message names the file and says why."""


@dataclass(frozen=True)
class Document:
    """A document's text as read, with what was detected on the way."""

    path: Path
    source_id: str  # the file name without its suffix: the id a sources: entry gives it
    text: str
    encoding: str  # utf-8, cp932, euc-jp …, or "pdf"
    kind: str  # text | markdown | pdf


def read_document(path: Path, max_bytes: int = MAX_BYTES) -> Document:
    """Read `path` as text; raise DocumentError when it is missing, empty, binary, image-only or too large."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not path.is_file():
        raise DocumentError(f"{path}: not a file")
    if size > max_bytes:
        raise DocumentError(f"{path}: {size:,} bytes is too large (the limit is {max_bytes:,} bytes)")
    data = path.read_bytes()
    if not data.strip():
        raise DocumentError(f"{path}: the file is empty")
    if data.startswith(b"%PDF-"):
        text, encoding, kind = _pdf_text(path, data), "pdf", "pdf"
    else:
        text, encoding = decode(data, path)
        kind = "markdown" if path.suffix.lower() in (".md", ".markdown") else "text"
    if not text.strip():
        raise DocumentError(f"{path}: the file has no text")
    if len(text) > MAX_CHARS:
        raise DocumentError(f"{path}: {len(text):,} characters of text is too long (the limit is {MAX_CHARS:,})")
    return Document(path, path.stem, text, encoding, kind)


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Bytes to text: UTF-8 when it decodes strictly, else the encoding charset-normalizer finds
    (Shift_JIS/CP932 and EUC-JP included). Binary data is refused rather than guessed at."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError(f"{path}: this looks like a binary file, not text (try a .txt, .md or .pdf)")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # UTF-8 but for a few stray bytes (a damaged copy): read as UTF-8, the bytes replaced (U+FFFD) and
        # said in the encoding the command reports; a Japanese legacy encoding fails on most of its lines.
        replaced = data.decode("utf-8", errors="replace")
        stray = replaced.count("\ufffd") - data.count("\ufffd".encode())
        multibyte = sum(1 for ch in replaced if ord(ch) > 0x7F) - replaced.count("\ufffd")
        if 0 < stray <= max(8, len(replaced) // 500) and multibyte >= 20 * stray:
            line = data[: exc.start].count(b"\n") + 1
            text, encoding = replaced, f"utf-8, {stray} stray byte(s) replaced, the first at line {line}"
        else:
            from charset_normalizer import from_bytes

            best = from_bytes(data).best()
            if best is None:
                raise DocumentError(f"{path}: this looks like a binary file, not text "
                                    "(no text encoding fits)") from None
            text, encoding = str(best), best.encoding
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(_CONTROL.findall(text)) > max(8, len(text) // 200):
        raise DocumentError(f"{path}: this looks like a binary file, not text ({encoding} decodes it to control codes)")
    return text, encoding


def _pdf_text(path: Path, data: bytes) -> str:
    """The text layer of every page, pages separated by a blank line."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise DocumentError(f"{path}: the PDF is encrypted") from None
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"{path}: not a readable PDF ({exc})") from None
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        raise DocumentError(f"{path}: the PDF has no text layer ({len(pages)} page(s) of images only?); "
                            "run OCR on it first")
    return text
