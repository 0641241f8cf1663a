"""YAML reading that remembers where every value came from, bounded on hostile input.

Errors name file and line. A file larger than `Limits.file_bytes`, nested deeper than
`Limits.depth`, or whose aliases would expand to more than `Limits.expanded_nodes` values is refused
with its location before anything walks it: an alias bomb in a 12 KB file is one such error, not gigabytes.
Invalid UTF-8 is reported at the line of the first bad byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Loc:
    """A place in the data: file, 1-based line and the dotted field path."""

    file: str
    line: int
    field: str = ""

    def at(self, field: str, line: int | None = None) -> Loc:
        path = f"{self.field}.{field}" if self.field and not field.startswith("[") else f"{self.field}{field}"
        return Loc(self.file, line if line is not None else self.line, path)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}" if self.field else where


@dataclass(frozen=True)
class Limits:
    """What one data file may hold; past a limit the file is refused with a located error."""

    file_bytes: int = 16 * 1024 * 1024
    depth: int = 32
    # values after expanding every alias: 58 times the largest curated file (3,427), and refused in 0.1 s
    expanded_nodes: int = 200_000
    expanded_chars: int = 16 * 1024 * 1024  # characters of text after expanding every alias (as many as a file)


class LineDict(dict[Any, Any]):
    """A mapping that knows the line of itself and of each key, and which keys the loader read."""

    line: int = 0
    key_lines: dict[Any, int]
    read: set[Any]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)

    def get(self, key: Any, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def unread(self) -> list[Any]:
        """Keys present that the loader never asked for (a key the schema allows but the loader drops)."""
        return [k for k in self if k not in self.read]


class LineList(list[Any]):
    """A sequence that knows the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def _mappings(value: Any) -> Iterator[LineDict]:
    """Every mapping in `value`, however deep (a walk with no locations made)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, LineDict):
            yield node
            stack.extend(v for v in dict.values(node) if isinstance(v, (LineDict, LineList)))
        elif isinstance(node, LineList):
            stack.extend(v for v in node if isinstance(v, (LineDict, LineList)))


def forget_reads(value: Any) -> None:
    """Clear what every mapping in `value` remembers of its keys being read: a schema validator reads every
    key it checks, and what counts afterwards is which keys the loader read."""
    for mapping in _mappings(value):
        mapping.read.clear()


def all_read(value: Any) -> bool:
    """Whether every key of every mapping in `value` was read (fast: no locations are made)."""
    return all(dict.keys(mapping) <= mapping.read for mapping in _mappings(value))


class YamlError(Exception):
    """Malformed or over-limit YAML, located."""

    def __init__(self, loc: Loc, message: str):
        super().__init__(f"{loc}: {message}")
        self.loc = loc
        self.message = message


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader with libyaml's C parser when present: ~5× faster on national-scale data, same marks."""


_BREAKS = re.compile(rb"\r\n|\r|\n")


def line_of(data: bytes, offset: int) -> int:
    """The 1-based line of a byte offset, lines counted as editors count them (LF, CRLF or CR alone)."""
    return len(_BREAKS.findall(data, 0, offset)) + 1

# Characters YAML counts as line breaks and editors do not (they show none): every later line number would be
# off by one for each.
_HIDDEN_BREAKS = re.compile("[\u0085\u2028\u2029]")


def decode(data: bytes, name: str) -> str:
    """UTF-8 text, or YamlError at the line of the first byte that is not UTF-8, or of a line break only YAML
    sees (U+2028, U+2029, NEL). Lines are counted as editors count them (LF, CRLF or CR alone)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = line_of(data, exc.start)
        raise YamlError(Loc(name, line), f"not UTF-8 text (byte 0x{data[exc.start]:02x}: {exc.reason})") from exc
    hidden = _HIDDEN_BREAKS.search(text)
    if hidden is not None:
        before = text[: hidden.start()].encode("utf-8")
        line = line_of(before, len(before))
        raise YamlError(Loc(name, line), f"character U+{ord(hidden.group()):04X} (a line break YAML counts and "
                                         "editors do not show): remove it")
    return text


def read_yaml(path: Path, display: str | None = None, limits: Limits = Limits()) -> Any:
    """Parse one YAML file into LineDict/LineList values; raise YamlError with its location."""
    name = display or str(path)
    check_file_size(path.stat().st_size, name, limits)
    return parse_yaml(decode(path.read_bytes(), name), name, limits)


def check_file_size(size: int, name: str, limits: Limits = Limits()) -> None:
    """YamlError when a file of `size` bytes is over the limit (checked before the file is read)."""
    if size > limits.file_bytes:
        raise YamlError(Loc(name, 1), f"file of {size:,} bytes is over the {limits.file_bytes:,}-byte limit "
                                      "for one data file; split it")


def parse_yaml(text: str, name: str, limits: Limits = Limits()) -> Any:
    """Parse YAML text (see read_yaml)."""
    if _most_values(text) > limits.expanded_nodes:
        _count_values(text, name, limits)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "&" in text or "<<" in text:  # perhaps aliases or merge keys: check it all before anything walks it
            _check_size(node, name, limits)
            return _Walker(loader, name).value(node)
        # No anchor (so no alias) and no merge key: the nodes form a tree the walk meets one node at a time, and
        # it checks depth and size as it goes (the separate check was a fifth of reading national-scale data).
        return _Walker(loader, name, limits).value(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(Loc(name, line), f"malformed YAML: {exc.problem or exc}") from exc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (a control character)
        # libyaml counts its position in the UTF-8 bytes it was given, PyYAML's reader in characters
        line = 1
        if isinstance(exc.position, int):
            in_bytes = issubclass(_Loader, getattr(yaml, "CSafeLoader", ()))
            before = text.encode("utf-8")[: exc.position] if in_bytes else text[: exc.position].encode("utf-8")
            line = line_of(before, len(before))  # as editors count lines, like `decode`
        char = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "\0")
        raise YamlError(Loc(name, line), f"character U+{char:04X} is not allowed in YAML ({exc.reason})") from exc
    except yaml.YAMLError as exc:  # any other YAML error: located at the file
        raise YamlError(Loc(name, 1), f"malformed YAML: {_short(str(exc), 200)}") from exc
    finally:
        loader.dispose()


def _most_values(text: str) -> int:
    """An upper bound on the values (nodes) YAML text holds, found in milliseconds: every value but the first
    follows a line break or an indicator (`,` `:` `-` `?` `[` `{`), and each of those starts at most two (a
    block collection and its first item)."""
    return 2 * (1 + sum(text.count(c) for c in ",:-?[{\n"))


def _count_values(text: str, name: str, limits: Limits) -> None:
    """Refuse text of more values than the limit before any are built: libyaml composes a whole document
    first, and 8 million values (16 MB) took 26 s and 2.4 GB to be refused after. Its events cost no memory."""
    loader = _Loader(text)
    count = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                count += 1
                if count > limits.expanded_nodes:
                    raise YamlError(Loc(name, event.start_mark.line + 1 if event.start_mark else 1),
                                    f"more than {limits.expanded_nodes:,} values in one file: refused")
    except yaml.YAMLError:
        return  # malformed: parsing it again reports where
    finally:
        loader.dispose()


def _check_size(root: yaml.Node, name: str, limits: Limits) -> None:
    """Refuse deep nesting and alias expansion past the limits, counting each node once (no expansion)."""
    expanded: dict[int, int] = {}
    chars: dict[int, int] = {}  # characters of text under a node, aliases expanded: one long string aliased
    depth_of: dict[int, int] = {}  # a thousand times is a gigabyte to anything that copies the values
    # Post-order over the node graph: an alias is the same node object reached twice, so memoised
    # counts give the expanded size without ever expanding it.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in expanded:
            continue
        children = _children(node)
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in expanded)
            continue
        expanded[key] = 1 + sum(expanded.get(id(c), 0) for c in children)
        chars[key] = sum(chars.get(id(c), 0) for c in children) if children else \
            len(node.value) if isinstance(node.value, str) else 0
        depth_of[key] = 1 + max((depth_of.get(id(c), 0) for c in children), default=0)
        if depth_of[key] > limits.depth:
            raise YamlError(Loc(name, node.start_mark.line + 1), f"nested deeper than {limits.depth} levels")
        if expanded[key] > limits.expanded_nodes:
            raise YamlError(Loc(name, node.start_mark.line + 1),
                            f"aliases here expand to more than {limits.expanded_nodes:,} values: refused")
        if chars[key] > limits.expanded_chars:
            raise YamlError(Loc(name, node.start_mark.line + 1),
                            f"aliases here expand to more than {limits.expanded_chars:,} characters of text: refused")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
# Numbers as a curator writes them. YAML 1.1 also reads 017 as octal 15, 0x56D0 as hex, 6:10:24 as base 60,
# 1_000 as 1000 and .inf as infinity: each a value silently other than the one meant.
_DECIMAL = {_INT: re.compile(r"[-+]?(0|[1-9][0-9]{0,17})"),
            _FLOAT: re.compile(r"[-+]?[0-9]{1,18}\.[0-9]{0,18}([eE][-+]?[0-9]{1,3})?")}


class _Walker:
    """Nodes to values, fast: strings, mappings and sequences by hand, other scalars by PyYAML's constructor.

    PyYAML's generic constructor was half the time of reading national-scale data; the result is the
    same LineDict/LineList values. Each mapping or sequence node is built once, so aliases share one
    object (as with PyYAML).
    """

    def __init__(self, loader: _Loader, name: str, limits: Limits | None = None):
        self.loader = loader
        self.built: dict[int, Any] = {}
        # With limits (a tree: no aliases), refuse depth and size here; else _check_size has done it.
        self.name, self.limits, self.nodes = name, limits, 1  # the root counts, as in _check_size

    def _count(self, node: yaml.Node, depth: int, children: int) -> None:
        assert self.limits is not None
        self.nodes += children
        if depth + (1 if children else 0) > self.limits.depth:  # its children's level, as _check_size counts
            raise YamlError(Loc(self.name, node.start_mark.line + 1), f"nested deeper than {self.limits.depth} levels")
        if self.nodes > self.limits.expanded_nodes:
            raise YamlError(Loc(self.name, node.start_mark.line + 1),
                            f"more than {self.limits.expanded_nodes:,} values in one file: refused")

    def value(self, node: yaml.Node, depth: int = 1) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if id(node) in self.built:
            return self.built[id(node)]
        if tag not in (_MAP, _SEQ):
            return self.scalar(node)
        if self.limits is not None:
            self._count(node, depth, len(node.value) * (2 if tag == _MAP else 1))
        if tag == _SEQ:
            seq = self.built[id(node)] = LineList()
            seq.line = node.start_mark.line + 1
            seq.item_lines = [child.start_mark.line + 1 for child in node.value]
            seq.extend(self.value(child, depth + 1) for child in node.value)
            return seq
        self.loader.flatten_mapping(node)  # `<<` merge keys, by PyYAML's rules; the merged keys keep their lines
        mapping = self.built[id(node)] = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        mapping.read = set()
        for key_node, value_node in node.value:
            key = key_node.value if key_node.tag == _STR else self.scalar(key_node)
            try:
                seen = key in mapping
            except TypeError:
                kind = "list" if isinstance(key, list) else "mapping"
                raise yaml.constructor.ConstructorError(
                    None, None, f"a key cannot be a {kind}", key_node.start_mark) from None
            if seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {_short(key)}",
                                                        key_node.start_mark)
            dict.__setitem__(mapping, key, self.value(value_node, depth + 1))
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping

    def scalar(self, node: yaml.Node) -> Any:
        """A scalar other than text (a number, a date, true/false, null), or YamlError at its line."""
        loc = Loc(self.name, node.start_mark.line + 1)
        written = node.value if isinstance(node.value, str) else ""
        decimal = _DECIMAL.get(node.tag)
        if decimal is not None and not decimal.fullmatch(written):
            raise YamlError(loc, f"write numbers in plain decimal digits (at most 18 of them): {_short(written)} "
                                 "would not be read as the number it looks like; quote it if it is text")
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, TypeError) as exc:  # `!!int abc`, `!!timestamp 2022-13-45` …
            kind = str(node.tag).rsplit(":", 1)[-1]
            raise YamlError(loc, f"not a valid {kind}: {_short(written)}") from exc


def _short(value: Any, limit: int = 60) -> str:
    """A value for an error message: never the whole of a long or nested value."""
    text = repr(value) if isinstance(value, str) else f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 1] + "…"
