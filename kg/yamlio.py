"""YAML reading that remembers where every value came from, so errors can name file and line."""

from __future__ import annotations

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


class LineDict(dict):
    """A mapping that knows the line of itself and of each key."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that knows the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class YamlError(Exception):
    """Malformed YAML, located."""

    def __init__(self, loc: Loc, message: str):
        super().__init__(f"{loc}: {message}")
        self.loc = loc
        self.message = message


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader with libyaml's C parser when present: ~5× faster on national-scale data, same marks."""


def read_yaml(path: Path, display: str | None = None) -> Any:
    """Parse one YAML file into LineDict/LineList values; raise YamlError with its location."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(Loc(name, 1), f"not UTF-8 text ({exc.reason})") from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _Walker(loader).value(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(Loc(name, line), f"malformed YAML: {exc.problem or exc}") from exc
    finally:
        loader.dispose()


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _Walker:
    """Nodes to values, fast: strings, mappings and sequences by hand, other scalars by PyYAML's constructor.

    PyYAML's generic constructor was half the time of reading national-scale data; the result is the
    same LineDict/LineList values. Each mapping or sequence node is built once, so aliases share one
    object (as with PyYAML) and an alias bomb cannot blow up.
    """

    def __init__(self, loader: _Loader):
        self.loader = loader
        self.built: dict[int, Any] = {}

    def value(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if id(node) in self.built:
            return self.built[id(node)]
        if tag not in (_MAP, _SEQ):
            return self.loader.construct_object(node, deep=True)
        if tag == _SEQ:
            seq = self.built[id(node)] = LineList()
            seq.line = node.start_mark.line + 1
            seq.item_lines = [child.start_mark.line + 1 for child in node.value]
            seq.extend(self.value(child) for child in node.value)
            return seq
        self.loader.flatten_mapping(node)  # `<<` merge keys, by PyYAML's rules; the merged keys keep their lines
        mapping = self.built[id(node)] = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = key_node.value if key_node.tag == _STR else self.loader.construct_object(key_node, deep=True)
            try:
                seen = key in mapping
            except TypeError:
                kind = "list" if isinstance(key, list) else "mapping"
                raise yaml.constructor.ConstructorError(
                    None, None, f"a key cannot be a {kind}", key_node.start_mark) from None
            if seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            mapping[key] = self.value(value_node)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping
