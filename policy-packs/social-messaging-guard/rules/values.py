"""Property values as the engine sends them: plain data, unknowns and the pack's own model.

pulumi-policy wraps properties in proxies that raise as soon as a rule touches an unknown
value, which aborts the whole rule. The rules here unwrap the proxies first and look for
unknowns themselves, so one unknown property never hides the findings about the others,
and the "could not judge" message names exactly what was unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_STRING_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
    }
)


def is_unknown(value: Any) -> bool:
    """True for the engine's "not known until the update runs" sentinels."""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def contains_unknown(text: str) -> bool:
    """Whether a text (a JSON policy, say) holds one of the sentinels anywhere inside."""
    return any(sentinel in text for sentinel in UNKNOWN_SENTINELS)


_SCALAR_TYPES = frozenset({bytes, bool, int, float, type(None)})
# How each container type met so far is unwrapped: pulumi-policy's proxies are a Mapping
# and a Sequence; looking the answer up by type is much cheaper than asking the ABCs.
_CONTAINER_KINDS: dict[type, str] = {dict: "dict", list: "list"}


def plain(value: Any) -> Any:
    """Strip pulumi-policy's unknown-checking proxies, keeping unknown sentinels as data."""
    return _Unwrapping().plain(value)


class _Unwrapping:
    """One unwrapping pass, which also notes whether it met an unknown sentinel."""

    def __init__(self) -> None:
        self.met_unknown = False

    def plain(self, value: Any) -> Any:
        kind_of = type(value)
        if kind_of is str:
            if value in UNKNOWN_SENTINELS:
                self.met_unknown = True
            return value
        if kind_of in _SCALAR_TYPES:
            return value
        kind = _CONTAINER_KINDS.get(kind_of)
        if kind is None:
            kind = (
                "mapping"
                if isinstance(value, Mapping)
                else "sequence"
                if isinstance(value, Sequence)
                else "other"
            )
            _CONTAINER_KINDS[kind_of] = kind
        if kind == "dict":
            return {key: self.plain(item) for key, item in value.items()}
        if kind == "list":
            return [self.plain(item) for item in value]
        if kind == "mapping":
            try:
                return self.plain(value["__target"])
            except KeyError:
                return {key: self.plain(value[key]) for key in value}
        if kind == "sequence":
            try:
                return self.plain(value["__target"])
            except (KeyError, TypeError, IndexError):
                return [self.plain(item) for item in value]
        return value


def plain_properties(props: Any, names: Iterable[str]) -> tuple[dict[str, Any], frozenset[str]]:
    """Only the named top-level properties, unwrapped (the rest is never read), and which of
    them hold no unknown value anywhere inside (so no one searches them again)."""
    target = plain_target(props)
    values: dict[str, Any] = {}
    unknown: set[str] = set()
    for name in names:
        if name in target:
            unwrapping = _Unwrapping()
            values[name] = unwrapping.plain(target[name])
            if unwrapping.met_unknown:
                unknown.add(name)
    return values, frozenset(values) - unknown


def plain_target(props: Any) -> Mapping[str, Any]:
    """The mapping a proxy wraps (its values may still be proxies), or the mapping itself."""
    if type(props) is dict:
        return props
    try:
        target = props["__target"]
    except KeyError:
        return props
    return target if isinstance(target, Mapping) else props


def holds_unknown(value: Any) -> bool:
    """Whether an unknown sentinel is anywhere inside plain data (cheap: no paths built)."""
    kind = type(value)
    if kind is str:
        return value in UNKNOWN_SENTINELS
    if kind is dict:
        return any(holds_unknown(item) for item in value.values())
    if kind is list:
        return any(holds_unknown(item) for item in value)
    return False


def first_unknown_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first unknown inside a value, so a message can point at it."""
    if type(value) in (dict, list, str) and not holds_unknown(value):
        return None
    if is_unknown(value):
        return path or "."
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = first_unknown_path(item, f"{path}.{key}")
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = first_unknown_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


@dataclass(frozen=True)
class Resource:
    """A resource as the rules see it: plain properties and dependencies by URN."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The properties known to hold no unknown value anywhere inside (None: not known).
    unknown_free: frozenset[str] | None = None

    @cached_property
    def label(self) -> str:
        """How messages name a resource: its Pulumi name and type, as `pulumi preview` shows."""
        return f"'{self.name}' ({self.type})"

    def get(self, prop: str) -> Any:
        return self.props.get(prop)


@dataclass(frozen=True)
class Finding:
    """One violation: what is wrong, with the value seen and how to fix it."""

    message: str
    urn: str | None = None


@dataclass
class Outcome:
    """What a rule decided, plus what it could not judge because a value was unknown."""

    findings: list[Finding] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)

    def add(self, message: str, urn: str | None = None) -> None:
        self.findings.append(Finding(message, urn))

    def unknown(self, note: str) -> None:
        if note not in self.undecided:
            self.undecided.append(note)

    def extend(self, other: Outcome) -> None:
        for finding in other.findings:
            if finding not in self.findings:
                self.findings.append(finding)
        for note in other.undecided:
            self.unknown(note)


class UndecidedAtPreview(UnknownValueError):
    """Raised after a rule reported what it could decide, listing what it could not.

    pulumi-policy turns an UnknownValueError into the engine's advisory "can't run policy
    ... during preview" diagnostic; the message here says which property of which resource
    was unknown, so the author knows what `pulumi up` will check once it is known.
    """

    def __init__(self, notes: Sequence[str]) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])
        self.message = "; ".join(notes)
