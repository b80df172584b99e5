"""Read a YAML file as the Pulumi CLI reads stack and project files, in bounded time and
memory.

The CLI reads them with Go's yaml.v3, which refuses what this module refuses, with the
same bounds: a mapping key written twice (`mapping key "x" already defined at line N`),
an alias inside its own anchor, nesting deeper than 10,000 levels, and aliases that
expand the document beyond yaml.v3's ratio (`document contains excessive aliasing`: once
over 1,000 nodes of which over 100 come from aliases, at most 99% may come from aliases,
falling to 10% over 400,000 to 4,000,000 nodes). Composing reads PyYAML's event stream
without recursion and keeps each anchor once; aliases are expanded while counting, so a
small alias bomb stops after a few thousand nodes. Scalars are typed as the CLI's config
keeps them (destination_review.yaml_scalars); a mapping key that is not a string is
refused as the CLI refuses it (`expected only string keys`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from destination_review.yaml_scalars import (
    MERGE_KEY,
    ScalarError,
    go_key_text,
    resolve_scalar,
    short_tag,
)

MAX_DEPTH = 10_000  # yaml.v3's max_flow_level and max_indents
MAX_PROBLEMS = 20  # lines of a report; the rest are counted
_LINE = re.compile(r": line (\d+)")
_RATIO_LOW, _RATIO_HIGH = 400_000, 4_000_000
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(ValueError):
    """Why the file cannot be read as the CLI reads it: one line per problem."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


@dataclass(eq=False)
class _Node:
    kind: str  # "scalar", "seq" or "map"
    line: int
    tag: str = ""
    text: str = ""
    quoted: bool = False
    anchor: str = ""
    items: list[_Node] = field(default_factory=list)  # a map's keys and values, in turn
    open: bool = True


def _events(text: str) -> Iterator[Any]:
    try:
        yield from yaml.parse(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise YamlError(f"malformed YAML{where}: {problem}") from error


def _alias(event: Any, anchors: dict[str, _Node], path: str) -> _Node:
    where = f"{path or '<document>'}: line {event.start_mark.line + 1}"
    node = anchors.get(event.anchor)
    if node is None:
        raise YamlError(f"{where}: unknown anchor '{event.anchor}' referenced")
    if node.open:
        raise YamlError(f"{where}: anchor '{event.anchor}' value contains itself")
    return node


def _child_path(parent: _Node | None, paths: dict[int, str]) -> str:
    """The key path of the next node inside `parent` (a list index or a map's key)."""
    if parent is None:
        return ""
    base = paths[id(parent)]
    if parent.kind == "seq":
        return path_of(base, len(parent.items))
    if len(parent.items) % 2 == 0:
        return base  # a key: named by its mapping
    return path_of(base, parent.items[-1].text or "?")


def compose(text: str) -> _Node | None:
    """The first document's node graph (an alias is its anchor's node, shared)."""
    anchors: dict[str, _Node] = {}
    stack: list[_Node] = []
    paths: dict[int, str] = {}
    root: _Node | None = None
    for event in _events(text):
        line = event.start_mark.line + 1
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop().open = False
            continue
        if isinstance(event, yaml.DocumentEndEvent):
            break
        parent = stack[-1] if stack else None
        path = _child_path(parent, paths)
        if isinstance(event, yaml.AliasEvent):
            node = _alias(event, anchors, path)
        elif isinstance(event, yaml.ScalarEvent):
            quoted = (event.style or "") in ("'", '"', "|", ">")
            node = _Node("scalar", line, short_tag(event.tag), event.value, quoted, open=False)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            kind = "map" if isinstance(event, yaml.MappingStartEvent) else "seq"
            node = _Node(kind, line, short_tag(event.tag))
            if len(stack) >= MAX_DEPTH:
                raise YamlError(f"{path}: line {line}: exceeded max depth of {MAX_DEPTH}")
            paths[id(node)] = path
            stack.append(node)
        else:
            continue
        if getattr(event, "anchor", None) and not isinstance(event, yaml.AliasEvent):
            anchors[event.anchor] = node
        if parent is not None:
            parent.items.append(node)
        elif root is None:
            root = node
    return root


class Budget:
    """yaml.v3's bound on alias expansion: every decoded node counts, and those under an
    alias count as expanded; too high a share of expanded nodes stops the read."""

    def __init__(self) -> None:
        self.decoded = 0
        self.expanded = 0

    def count(self, expanded: bool) -> None:
        self.decoded += 1
        self.expanded += expanded
        if (
            self.expanded > 100
            and self.decoded > 1000
            and (self.expanded / self.decoded > _allowed_ratio(self.decoded))
        ):
            raise YamlError("document contains excessive aliasing")


def _allowed_ratio(decoded: int) -> float:
    if decoded <= _RATIO_LOW:
        return 0.99
    if decoded >= _RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decoded - _RATIO_LOW) / (_RATIO_HIGH - _RATIO_LOW)


def path_of(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


@dataclass
class _Decoder:
    """Expands the node graph into Python values without recursion."""

    budget: Budget = field(default_factory=Budget)
    problems: list[str] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)

    def scalar(self, node: _Node, path: str) -> Any:
        try:
            value = resolve_scalar(node.text, node.tag, node.quoted)
        except ScalarError as error:
            self.problems.append(f"{path or '<document>'}: line {node.line}: {error}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.problems.append(
                f"{path or '<document>'}: line {node.line}: got {node.text!r}; expected a "
                "finite number (the Pulumi CLI cannot keep NaN or infinity in config)"
            )
        return value

    def key(self, node: _Node, path: str, expanded: bool) -> str | None:
        """A mapping key as the CLI names it: a number, boolean, null or time key becomes
        its Go text (`1`, `true`, `<nil>`); a list or map key is refused. A key of
        `config:` must be a string (`<namespace>:<name>`)."""
        self.budget.count(expanded)
        if node.kind != "scalar":
            where = f"{path or '<document>'}: line {node.line}"
            self.problems.append(f"{where}: invalid map key (a {node.kind}); use a string")
            return None
        value = self.scalar(node, path)
        if isinstance(value, str):
            return value
        if path == "config":
            self.problems.append(
                f"config.{node.text}: line {node.line}: could not parse {node.text} as a "
                "configuration key (configuration keys should be of the form "
                "`<namespace>:<name>`); quote it"
            )
            return None
        return go_key_text(value)

    def decode(self, root: _Node, path: str = "") -> Any:
        holder: list[Any] = [None]
        # Each task: the node, where its value goes (container, key), its key path, and
        # whether it is reached through an alias.
        tasks: list[tuple[_Node, Any, Any, str, bool]] = [(root, holder, 0, path, False)]
        while tasks:
            node, into, slot, path, expanded = tasks.pop()
            expanded = expanded or id(node) in self.seen
            self.seen.add(id(node))
            try:
                self.budget.count(expanded)
            except YamlError as error:
                raise YamlError(f"{path or '<document>'}: line {node.line}: {error}") from None
            if node.kind == "scalar":
                into[slot] = self.scalar(node, path)
            elif node.kind == "seq":
                into[slot] = [None] * len(node.items)
                tasks += [
                    (item, into[slot], i, path_of(path, i), expanded)
                    for i, item in reversed(list(enumerate(node.items)))
                ]
            else:
                into[slot] = {}
                tasks += reversed(self.entries(node, into[slot], path, expanded))
        return holder[0]

    def entries(
        self, node: _Node, into: dict[str, Any], path: str, expanded: bool
    ) -> list[tuple[_Node, Any, Any, str, bool]]:
        """A mapping's entries as tasks, after its duplicate keys and merges."""
        first: dict[tuple[str, str], int] = {}
        tasks = []
        pairs = list(zip(node.items[0::2], node.items[1::2], strict=False))
        for key_node, value_node in pairs:
            scalar = key_node.kind == "scalar"
            raw = (key_node.kind, key_node.text if scalar else str(id(key_node)))
            if raw in first:
                self.problems.append(
                    f"{path_of(path, key_node.text)}: line {key_node.line}: mapping key "
                    f"{key_node.text!r} already defined at line {first[raw]} (the Pulumi CLI "
                    "refuses duplicate keys; keep one)"
                )
                continue
            first[raw] = key_node.line
            if key_node.kind == "scalar" and key_node.text == MERGE_KEY and not key_node.quoted:
                self.merge(value_node, into, path, key_node.line)
                continue
            key = self.key(key_node, path, expanded)
            if key is not None:
                into[key] = None
                tasks.append((value_node, into, key, path_of(path, key), expanded))
        return tasks

    def merge(self, node: _Node, into: dict[str, Any], path: str, line: int) -> None:
        """`<<: *base` (or a list of them): the merged keys, which this mapping's own
        keys override; expanded through the same budget."""
        sources = node.items if node.kind == "seq" else [node]
        for source in sources:
            if source.kind != "map":
                self.problems.append(
                    f"{path or '<document>'}: line {line}: map merge requires map or "
                    "sequence of maps as the value"
                )
                return
            value = _Decoder(self.budget, self.problems, self.seen).decode(source, path)
            for key, item in value.items():
                into.setdefault(key, item)


def _line_of(problem: str) -> int:
    found = _LINE.search(problem)
    return int(found[1]) if found else 0


def load(text: str, budget: Budget | None = None) -> Any:
    """The first document of `text` as the CLI reads it; a YamlError with every problem.
    `budget` counts the nodes decoded (a fresh one by default)."""
    root = compose(text)
    if root is None:
        return None
    decoder = _Decoder(budget or Budget())
    value = decoder.decode(root)
    if decoder.problems:
        # In the order of the file: a mapping's duplicate keys are found before its values.
        in_order = sorted(decoder.problems, key=_line_of)
        shown = in_order[:MAX_PROBLEMS]
        if len(decoder.problems) > MAX_PROBLEMS:
            shown.append(f"and {len(decoder.problems) - MAX_PROBLEMS} more problems")
        raise YamlError(*shown)
    return value
