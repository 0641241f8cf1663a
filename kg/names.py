"""Finding an entity by what a person types: the one name resolver and the one text normaliser.

Every command resolves names here: an IRI, an id path (`municipality/013439`), a bare id or code
(`higumap`, `E`, `7`), or a name in Japanese or English, written as the data writes it or read
aloud (ほろかない, ホロカナイ, Horokanai), with or without its administrative word (森町 / 森,
"Mori Town" / Mori) or diacritics (Kumakōgen). Exact matches win over partial ones; several at
the best level raise `Ambiguous` listing what tells them apart; none raise `NotFound` with the
closest names as "did you mean".
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from kg.errors import DxkgError
from kg.namespace import ID_NS, id_path

# Administrative words a person may add or leave out: "Mori Town", "Yamanashi City", 山梨県 / 山梨.
_EN_ADMIN = re.compile(r"\b(town|city|village|ward|prefecture|special ward|cho|machi|mura|son|shi|ku|ken)\b")
_JA_ADMIN = "都府県市区町村"
_SPACE = re.compile(r"[\s\u3000]+")
_PUNCT = re.compile(r"[\s\u3000・･\-‐–—_.,、。'\"“”「」()（）]+")


def normalise(text: str) -> str:
    """NFKC, case-folded, diacritics removed (Kumakōgen → kumakogen; が → か), katakana as hiragana, spaces
    collapsed."""
    if text.isascii():  # Unicode normalisation leaves ASCII as it is, and casefold is lower there
        return _SPACE.sub(" ", text.lower()).strip()
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFKD", text).translate(_unmarked())
    text = unicodedata.normalize("NFKC", text).translate(_KANA)  # recompose what is left of NFKD's splits
    return _SPACE.sub(" ", text).strip()


# Katakana ァ..ヶ to the hiragana 0x60 below.
_KANA = {c: c - 0x60 for c in range(ord("ァ"), ord("ヶ") + 1)}


class _Unmarked(dict[int, int | None]):
    """A str.translate table dropping combining marks (diacritics, the kana voicing marks), filled as
    characters are met, so each character's class is looked up once."""

    def __missing__(self, c: int) -> int | None:
        kept = self[c] = None if unicodedata.combining(chr(c)) else c
        return kept


@cache
def _unmarked() -> _Unmarked:
    return _Unmarked()


def _loose(text: str) -> str:
    """A normalised name without punctuation, spaces and its administrative word (the key of last resort)."""
    t = _EN_ADMIN.sub(" ", text)
    t = _PUNCT.sub("", t)
    if len(t) > 2 and t[-1] in _JA_ADMIN and not t.endswith("北海道"):
        t = t[:-1]
    for suffix in ("ちょう", "まち", "むら", "そん", "し", "く"):  # readings of 町 村 市 区
        if t.endswith(suffix) and len(t) > len(suffix) + 1 and not t.isascii():
            t = t[: -len(suffix)]
            break
    return t


@dataclass
class Name:
    """One entity as the resolver knows it."""

    iri: str
    kind: str  # the dx: class, e.g. "Municipality"
    ja: str = ""
    en: str = ""
    keys: list[str] = field(default_factory=list)  # ids, codes, notations: matched exactly
    alt: list[str] = field(default_factory=list)  # other names and readings
    context: list[str] = field(default_factory=list)  # where it is (prefecture, municipality): matched by words
    where: str = ""  # a short text telling same-named entities apart (e.g. 北海道 / Hokkaido)
    places: list[str] = field(default_factory=list)  # the IRIs of where it is (their labels make `context`)

    def line(self) -> str:
        label = " / ".join(dict.fromkeys(x for x in (self.ja, self.en) if x)) or id_path(self.iri)
        where = f", {self.where}" if self.where else ""
        return f"{id_path(self.iri)}  {label}  [{self.kind}{where}]"


class NotFound(DxkgError):
    """Nothing has the name; `suggestions` are the closest names (for "did you mean")."""

    def __init__(self, message: str, suggestions: Sequence[str] = ()):
        self.suggestions = list(suggestions)
        hint = f" (did you mean: {', '.join(self.suggestions)}?)" if self.suggestions else ""
        super().__init__(message + hint)


class Ambiguous(DxkgError):
    """Several entities have the name at the best level; `candidates` lists them."""

    def __init__(self, name: str, candidates: Sequence[Name], shown: int = 15):
        self.candidates = list(candidates)
        lines = [f"  {c.line()}" for c in self.candidates[:shown]]
        if len(self.candidates) > shown:
            lines.append(f"  … and {len(self.candidates) - shown} more (give the id)")
        super().__init__(f"{name!r} matches {len(self.candidates)} entities; did you mean one of:\n" + "\n".join(lines))


class Resolver:
    """Name lookup over a set of entities (kg.adapter builds one from the graph)."""

    def __init__(self, names: Iterable[Name]):
        self.names = list(names)
        self.by_iri = {n.iri: n for n in self.names}

    def resolve(self, query: str, kinds: Iterable[str] | None = None, what: str = "entity") -> Name:
        """The one entity `query` names, among `kinds` (dx: class names) when given."""
        wanted = set(kinds) if kinds else None
        pool = [n for n in self.names if wanted is None or n.kind in wanted]
        q = query.strip()
        if not q:
            raise NotFound(f"give {'an' if what[:1] in 'aeiou' else 'a'} {what}: an id or a name")
        for iri in (q, ID_NS + q):
            if iri in self.by_iri:
                if wanted is None or self.by_iri[iri].kind in wanted:
                    return self.by_iri[iri]
                raise NotFound(f"{q!r} is a {self.by_iri[iri].kind}, not a {what}")
        nq, lq = normalise(q), _loose(normalise(q))
        words = nq.split()
        levels: list[list[Name]] = [[], [], [], [], []]
        for n in pool:
            names = [normalise(x) for x in (n.ja, n.en, *n.alt) if x]
            if q in n.keys or nq in (normalise(k) for k in n.keys):
                levels[0].append(n)
            elif q == n.iri.rsplit("/", 1)[-1]:  # the last step of its id path: a municipality's code (013439)
                levels[1].append(n)
            elif nq in names:
                levels[2].append(n)
            elif lq and lq in {_loose(x) for x in names}:
                levels[3].append(n)
            elif words and all(any(w in h for h in names + [normalise(c) for c in n.context]) for w in words):
                levels[4].append(n)
        for level in levels:
            if len(level) == 1:
                return level[0]
            if level:
                raise Ambiguous(query, sorted(level, key=lambda n: (n.kind, n.iri)))
        subject = "nothing in the graph" if what == "entity" else f"no {what} in the graph"
        raise NotFound(f"{subject} is called {query!r}", self.suggest(q, pool))

    def suggest(self, query: str, pool: Sequence[Name], n: int = 5) -> list[str]:
        """The closest ids and names to a query that matched nothing."""
        spelled: dict[str, str] = {}
        for x in pool:
            for text in (id_path(x.iri).rsplit("/", 1)[-1], x.ja, x.en, *x.keys):
                if text:
                    spelled.setdefault(normalise(text), text)
        close = difflib.get_close_matches(normalise(query), list(spelled), n=n, cutoff=0.6)
        return [spelled[c] for c in close]
