"""Terms of Japanese and English text: SudachiPy's normalised forms of the content words.

One tokeniser serves both languages: Sudachi reads Latin-script words as nouns and normalises
some of them to their Japanese form (`bus` → `バス`), so an English query can meet Japanese text.
The Sudachi dictionary is a Python package (`sudachidict-small`); nothing is downloaded.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Parts of speech that carry content; particles, auxiliaries, symbols and blanks are dropped.
_CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞", "副詞", "接尾辞")
# Normalised forms too common in this genre to tell anything apart (verbs of being and doing,
# formal nouns, the generic words of administrative prose).
JA_STOP = frozenset("""
為る 有る 居る 成る 出来る 行う 言う 思う 見る 来る 行く 呉れる 貰う 置く 頂く 下さる 致す 御座る 付く 持つ
事 物 為 様 所 方 時 中 上 下 等 他 毎 際 点 的 化 性 者 達 側 後 前 度 つ 以上 以下 以外 上記 下記 各種
こと もの ため よう ところ とき なか ほか など とも ない 無い 良い 好い 多い 少ない 又 及び 並びに 若しくは 且つ
これ それ あれ どれ この その ここ そこ 何 等々 かた 所為 みたい そう こう どう いう 言わば 特に 更に 既に 又は
よる 因る 依る 拠る 対する 関する 於く 於ける 通じる 伴う
""".split())
EN_STOP = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
once only or other our ours out over own same she should so some such than that the their theirs them then
there these they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours via per etc e.g i.e
""".split())
_MEMO_MAX = 200_000  # distinct (word, surface) pairs remembered by one Tokeniser
_NUMBER = re.compile(r"[0-9０-９.,，．%％]+")
_LATIN = re.compile(r"[A-Za-z]")


def _fold(text: str) -> str:
    """NFKC: full-width Latin letters and digits become ASCII, half-width kana full-width."""
    return unicodedata.normalize("NFKC", text)


class Tokeniser:
    """SudachiPy with a packaged dictionary; create once and reuse (the dictionary loads in ~20 ms)."""

    def __init__(self, dictionary: str = "small", mode: str = "C"):
        from sudachipy import Dictionary, SplitMode

        self.dictionary = dictionary
        self.mode = mode
        self._tok: Any = Dictionary(dict=dictionary).tokenizer(mode=getattr(SplitMode, mode))
        # A morpheme's term by (word id, surface), which decide it: a dictionary word's id fixes its part of
        # speech and normalised form, an unknown word's id encodes its part of speech and its normalised form
        # is its surface. Texts repeat the same words, and working a term out was half the tokenising time.
        self._memo: dict[tuple[int, str], str | None] = {}

    def terms(self, text: str) -> list[str]:
        """Normalised content words of `text`, in order, stop words and numbers dropped."""
        out: list[str] = []
        memo = self._memo
        if len(memo) > _MEMO_MAX:  # bounded, whatever the texts
            memo.clear()
        # Sudachi's input limit is about 49 k bytes; lines keep each call well below it.
        for line in _fold(text).splitlines():
            if not line.strip():
                continue
            for piece in _chunks(line):
                for mo in self._tok.tokenize(piece):
                    key = (mo.word_id(), mo.surface())
                    try:
                        term = memo[key]
                    except KeyError:
                        term = memo[key] = _term(mo)
                    if term:
                        out.append(term)
        return out

    def reading(self, text: str) -> str:
        """The katakana reading of `text` as the dictionary gives it (幌加内町 → ホロカナイマチ): how a
        name is found when someone types it in kana."""
        return "".join(mo.reading_form() for line in _fold(text).splitlines() for piece in _chunks(line)
                       for mo in self._tok.tokenize(piece))

    def is_action(self, text: str) -> bool:
        """Whether `text` says that something is done or planned: it has a verb of substance or a
        verbal noun (導入, 活用, 実施 …), not only names, figures and headings."""
        for line in _fold(text).splitlines():
            for piece in _chunks(line):
                for mo in self._tok.tokenize(piece):
                    pos = mo.part_of_speech()
                    if mo.normalized_form() in JA_STOP:
                        continue
                    if pos[0] == "動詞" and pos[1] == "一般" or pos[0] == "名詞" and pos[2] == "サ変可能":
                        return True
        return False


def _chunks(line: str, size: int = 4000) -> list[str]:
    return [line[i:i + size] for i in range(0, len(line), size)] if len(line) > size else [line]


def _term(mo: Any) -> str | None:
    pos = mo.part_of_speech()
    if pos[0] not in _CONTENT_POS or pos[1] == "数詞":
        return None
    surface = mo.surface()
    if _LATIN.search(surface):
        low = surface.lower()
        if low in EN_STOP or len(low) < 2:
            return None
        norm = mo.normalized_form().lower()
        # Sudachi transliterates some English words (for → フォー); keep only a normalisation
        # that stays in Latin script or is a real Japanese word for the same thing (bus → バス).
        term = norm if (_LATIN.search(norm) or pos[1] == "普通名詞" and norm != low) else low
        return _english_stem(term) if _LATIN.search(term) else term
    norm = mo.normalized_form()
    if norm in JA_STOP or _NUMBER.fullmatch(norm) or len(norm.strip()) == 0:
        return None
    if pos[0] == "接尾辞" and len(norm) < 2:
        return None
    return norm


def _english_stem(word: str) -> str:
    """A light plural fold (residents → resident), enough to match singular and plural."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str, tokeniser: Tokeniser | None = None) -> list[str]:
    """Normalised content words of Japanese or English `text` (creates a Tokeniser when none is given)."""
    return (tokeniser or Tokeniser()).terms(text)


def terms_version() -> str:
    """What a text's terms depend on besides the text: this module and the Sudachi dictionary."""
    import hashlib
    import inspect
    import sys
    from importlib import metadata

    parts = [inspect.getsource(sys.modules[__name__])]
    for dist in ("sudachipy", "sudachidict-small"):
        try:
            parts.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist}=?")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def _key(text: str) -> str:
    import hashlib

    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class TermMemo:
    """Terms of texts, remembered by each text's digest: a rebuild after an edit tokenises only the texts
    that are new (tokenising is most of the time the analysis index takes at national scale).

    Seeded from what a previous build saved (`known`, valid for one `terms_version`); `used` is what this
    run asked for, which is what to save for the next run. The tokeniser loads on the first text not known.
    """

    def __init__(self, known: dict[str, list[str]] | None = None, tokeniser: Tokeniser | None = None):
        self.known = known or {}
        self.used: dict[str, list[str]] = {}
        self.made = 0  # texts tokenised in this run
        self._tokeniser = tokeniser

    def learn(self, texts: list[str]) -> None:
        """Tokenise beforehand those of `texts` not known yet, split over the cores when there are many
        (kg.parallel.split_map): `terms` then finds them, as if it had made them itself.
        kg.analysis.words.build_words calls it with every text it is about to ask for."""
        from kg.parallel import split_map

        todo = {key: text for key, text in ((_key(t), t) for t in texts)
                if key not in self.used and key not in self.known}
        if not todo:
            return
        if self._tokeniser is None:
            self._tokeniser = Tokeniser()
        made = split_map(self._tokeniser.terms, list(todo.values()))
        self.known.update(zip(todo, made, strict=True))
        self.made += len(made)

    def terms(self, text: str) -> list[str]:
        key = _key(text)
        found = self.used.get(key)
        if found is None:
            found = self.known.get(key)
            if found is None:
                if self._tokeniser is None:
                    self._tokeniser = Tokeniser()
                found = self._tokeniser.terms(text)
                self.made += 1
            self.used[key] = found
        return list(found)

    def dump(self) -> bytes:
        """What to save for the next run: the terms of the texts this run used, in a stable order."""
        import json

        body = {"version": terms_version(), "terms": dict(sorted(self.used.items()))}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def load(cls, data: bytes | None) -> TermMemo:
        """A memo seeded from dump()'s bytes; empty when they are missing, damaged or of another version."""
        import json

        try:
            body = json.loads(data) if data else None
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("version") != terms_version() or \
                not isinstance(body.get("terms"), dict):
            return cls()
        known = {k: v for k, v in body["terms"].items()
                 if isinstance(v, list) and all(isinstance(t, str) for t in v)}
        return cls(known)
