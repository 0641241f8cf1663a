"""Reading, checking and turning a data folder into triples file by file, each file once per content.

A curator changes one file at a time. Each data file's result depends on its bytes (and on this code:
kg.filecache's version), except for two things other files declare: the ids a file refers to (checked
across files) and the municipality and prefecture codes its IRIs are made of. So the cache keeps, per
file content:

- its problems, or a summary: the ids it defines and refers to, the codes it declares, its counts;
- the fragment of triples it gave (kg.fragments), with the codes it looked up: the fragment is reused
  only while the whole folder still gives those ids those codes;
- its quote check, keyed by the digests of the source texts it cites or defines.

The checks across files run on the summaries. When they find a problem (a duplicate id, a reference to
nothing), the files involved are read again and the ordinary checks (kg.checks) run on them with the
whole folder's ids, so the messages are exactly those of a check of the whole folder.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from kg import model as m
from kg.checks import (
    PLAN_MEASURE,
    REFERENCE_KINDS,
    check_quotes,
    check_references,
    check_unique,
    definitions,
    source_digest,
    source_texts,
)
from kg.checks import references as reference_list
from kg.filecache import FileCache
from kg.fragments import FORMATS, Fragment, make
from kg.load import Problem, data_files, declared_ids, display_path, merge, parse_file
from kg.parallel import split_map
from kg.rdf import Codes, record_lines, used_schemes
from kg.yamlio import Limits, Loc, YamlError, check_file_size


@dataclass
class FileResult:
    """One data file: its content key, problems, summary, and its records when read in this run."""

    path: Path
    display: str
    key: str
    problems: list[Problem]
    summary: dict[str, Any]
    entry: dict[str, Any]
    dataset: m.Dataset | None = None
    from_cache: bool = False


@dataclass
class Counts:
    """What a data folder holds, for the build's and validate's closing line."""

    municipalities: int = 0
    initiatives: int = 0
    practices: int = 0
    plans: int = 0
    evidence: int = 0


@dataclass
class Folder:
    """A data folder read file by file."""

    files: list[FileResult]
    problems: list[Problem] = field(default_factory=list)
    cache: FileCache | None = None
    limits: Limits = field(default_factory=Limits)
    # Cache writes held back until the data is known to be good: a failed build writes nothing at all.
    pending: list[Callable[[], None]] = field(default_factory=list)
    quote_keys: set[str] = field(default_factory=set)  # the quote checks this run used

    def save(self) -> None:
        """Write what this run learnt into the cache (the caller holds the build folder's lock)."""
        for write in self.pending:
            write()
        self.pending.clear()

    @property
    def counts(self) -> Counts:
        out = Counts()
        for r in self.files:
            for k, v in r.summary.get("counts", {}).items():
                setattr(out, k, getattr(out, k) + int(v))
        return out

    def dataset(self, r: FileResult) -> m.Dataset:
        """The records of one file: those read in this run, else read again."""
        if r.dataset is None:
            r.dataset, _ = parse_file(r.path, r.display, self.limits)
        return r.dataset


def _problems_out(problems: list[Problem]) -> list[list[Any]]:
    return [[p.loc.line, p.loc.field, p.message] for p in problems]


def _problems_in(rows: list[list[Any]], display: str) -> list[Problem]:
    return [Problem(Loc(display, int(line), str(fld)), str(msg)) for line, fld, msg in rows]


def summarise(ds: m.Dataset) -> dict[str, Any]:
    """What the checks across files need of one file's records (see the module's docstring)."""
    defines: dict[str, list[str]] = {}
    for kind, key, _ in definitions(ds):
        defines.setdefault(kind, []).append(key)
    refs: dict[str, set[str]] = {}
    for kind, ref, _, _ in reference_list(ds):
        refs.setdefault(kind, set()).add(ref)
    evidence = ds.evidence()
    return {
        "defines": defines,
        "refs": {k: sorted(v) for k, v in refs.items()},
        "plan_measures": [f"{plan.id}/{me.id}" for plan in ds.plans for me in plan.measures],
        "codes": {"municipality": {x.id: x.code for x in ds.municipalities},
                  "prefecture": {p.id: p.code for p in ds.prefectures}},
        "schemes": sorted(used_schemes(ds)),
        "sources": [s.id for s in ds.sources],
        "cited": sorted({ev.source for ev in evidence}),
        "counts": {"municipalities": len(ds.municipalities), "initiatives": len(ds.initiatives),
                   "practices": sum(len(i.practices) for i in ds.initiatives), "plans": len(ds.plans),
                   "evidence": len(evidence)},
    }


def read_folder(data_dir: Path, cache: FileCache | None = None, limits: Limits | None = None) -> Folder:
    """Every data file read and checked on its own (from the cache where its content is known)."""
    limits = limits or Limits()
    folder = Folder([], cache=cache, limits=limits)
    if not data_dir.is_dir():
        folder.problems.append(Problem(Loc(str(data_dir), 0), "data folder not found"))
        return folder
    paths = data_files(data_dir)
    if not paths:
        folder.problems.append(Problem(Loc(str(data_dir), 0), "no .yaml files in the data folder"))
        return folder
    todo: list[tuple[Path, str, bytes]] = []  # the files the cache does not know, parsed below
    for path in paths:
        display = display_path(path)
        try:
            check_file_size(path.stat().st_size, display, limits)
            data = path.read_bytes()
        except YamlError as exc:
            folder.files.append(FileResult(path, display, "", [Problem(exc.loc, exc.message)], {}, {}))
            continue
        except OSError as exc:
            folder.files.append(FileResult(path, display, "", [Problem(Loc(display, 1), f"cannot read: {exc}")],
                                           {}, {}))
            continue
        key = hashlib.sha256(data).hexdigest()
        entry = cache.entry(key) if cache is not None else None
        if entry is not None:
            folder.files.append(FileResult(path, display, key, _problems_in(entry["problems"], display),
                                           entry["summary"], entry, from_cache=True))
            continue
        folder.files.append(FileResult(path, display, key, [], {}, {}))
        todo.append((path, display, data))
    parsed = iter(split_map(partial(_parse, limits), todo))
    for r in folder.files:
        if r.key and not r.from_cache:
            r.dataset, r.problems, r.summary = next(parsed)
            r.entry = {"problems": _problems_out(r.problems), "summary": r.summary}
            if cache is not None:
                folder.pending.append(partial(cache.put_entry, r.key, r.entry))
    return folder


def _parse(limits: Limits, todo: tuple[Path, str, bytes]) -> tuple[m.Dataset | None, list[Problem], dict[str, Any]]:
    """One file's records (None when it has problems), problems and summary."""
    path, display, data = todo
    ds, problems = parse_file(path, display, limits, data)
    if problems:
        return None, problems, {"declares": declared_ids(data, display, limits)}
    return ds, problems, summarise(ds)


def file_problems(folder: Folder) -> list[Problem]:
    return folder.problems + [p for r in folder.files for p in r.problems]


def known_ids(folder: Folder) -> dict[str, set[str]]:
    """The ids a reference may name, by kind, over the whole folder (kg.checks.known_ids from the summaries)."""
    known: dict[str, set[str]] = {kind: set() for kind in (*REFERENCE_KINDS, PLAN_MEASURE)}
    for r in folder.files:
        for kind, ids in r.summary.get("defines", {}).items():
            if kind in known:
                known[kind].update(ids)
        known[PLAN_MEASURE].update(r.summary.get("plan_measures", []))
    return known


def cross_checks(folder: Folder) -> list[Problem]:
    """Unique ids and resolved references across files: kg.checks' messages, from the summaries.

    An id a refused file declares counts as known here: that file's own problem is what to fix."""
    known = known_ids(folder)
    declared = {i for r in folder.files for i in r.summary.get("declares", [])}
    known = {kind: ids | declared for kind, ids in known.items()}
    where: dict[tuple[str, str], list[int]] = {}
    involved: set[int] = set()
    for n, r in enumerate(folder.files):
        for kind, ids in r.summary.get("defines", {}).items():
            for key in ids:
                where.setdefault((kind, key), []).append(n)
        for kind, refs in r.summary.get("refs", {}).items():
            if any(ref not in known.get(kind, ()) for ref in refs):
                involved.add(n)
    for files in where.values():
        if len(files) > 1:
            involved.update(files)
    if not involved:
        return []
    part = m.Dataset()
    for n in sorted(involved):
        merge(part, folder.dataset(folder.files[n]))
    return check_unique(part) + check_references(part, known)


def quote_checks(folder: Folder, sources_dir: Path) -> list[Problem]:
    """Every quote against its source text (kg.checks.check_quotes), file by file, cached by the texts' digests."""
    defined = known_ids(folder)["source"]
    digests: dict[str, str] = {}
    texts: dict[str, str] = {}
    out: list[Problem] = []
    for r in folder.files:
        if r.problems:
            continue
        relevant = sorted((set(r.summary["cited"]) | set(r.summary["sources"])) & defined)
        for sid in relevant:
            if sid not in digests:
                digests[sid] = source_digest(sources_dir, sid)
        key = hashlib.sha256(json.dumps([r.key, str(sources_dir), [(s, digests[s]) for s in relevant]])
                             .encode("utf-8")).hexdigest()
        folder.quote_keys.add(key)
        cached = folder.cache.quotes(key) if folder.cache is not None else None
        if cached is not None:
            out += _problems_in(cached, r.display)
            continue
        missing = [s for s in relevant if s not in texts]
        texts.update(source_texts(sources_dir, missing))
        found = check_quotes(folder.dataset(r), sources_dir, {s: texts[s] for s in relevant if s in texts})
        if folder.cache is not None:
            folder.pending.append(partial(folder.cache.put_quotes, key, _problems_out(found)))
        out += found
    return out


def codes(folder: Folder) -> Codes:
    table = Codes({}, {})
    for r in folder.files:
        table.municipalities.update(r.summary["codes"]["municipality"])
        table.prefectures.update(r.summary["codes"]["prefecture"])
    return table


def fragments(folder: Folder, say: Callable[[str], None] = lambda _msg: None, *, write: bool = True,
              formats: Sequence[str] = FORMATS) -> list[Fragment]:
    """Each file's fragment of the graph: cached when its content and the codes it used are unchanged.

    The fragments made here go into the cache when `write` (the build, under its lock); a check reads the
    cache and writes nothing, and asks only for the formats it needs (N-Triples)."""
    table = codes(folder)
    out: list[Fragment | None] = []
    for r in folder.files:
        meta = r.entry.get("fragment")
        frag = None
        if meta is not None and folder.cache is not None and all(
                getattr(table, "municipalities" if kind == "municipality" else "prefectures").get(k) == v
                for kind, used in meta["deps"].items() for k, v in used.items()):
            frag = folder.cache.fragment(str(meta["digest"]))
        out.append(frag)
    todo = [n for n, frag in enumerate(out) if frag is None]
    store = write and folder.cache is not None
    made = split_map(partial(_make, folder, table, formats if not write else FORMATS, store), todo)
    for n, (frag, used) in zip(todo, made, strict=True):
        r = folder.files[n]
        if store:
            assert folder.cache is not None
            r.entry["fragment"] = {"digest": frag.digest, "deps": used}
            if r.from_cache:  # a file read in this run has its entry's write pending already (this same dict)
                folder.pending.append(partial(folder.cache.put_entry, r.key, r.entry))
        out[n] = frag
    for r in folder.files:
        r.dataset = None  # the records are no longer needed
    say(f"{len(todo)} of {len(folder.files)} files turned into triples, the rest from the cache"
        if folder.cache is not None else f"{len(todo)} files turned into triples")
    return [frag for frag in out if frag is not None]


def _make(folder: Folder, table: Codes, formats: Sequence[str], store: bool,
          n: int) -> tuple[Fragment, dict[str, dict[str, str]]]:
    """The fragment of the folder's n-th file, with the codes it looked up; with `store`, written into the
    cache here (by whichever process made it: a build's second process writes its half)."""
    r = folder.files[n]
    lookups = Codes(table.municipalities, table.prefectures)
    frag = make(record_lines(folder.dataset(r), lookups), formats)
    frag.closed, frag.digest  # noqa: B018 - known now, in the process that made it (pickled with the fragment)
    if store:
        assert folder.cache is not None
        folder.cache.put_fragment(frag)
    r.dataset = None  # free the records as we go
    return frag, lookups.used


def used(folder: Folder) -> set[str]:
    return {s for r in folder.files for s in r.summary.get("schemes", [])}
