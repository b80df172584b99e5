"""Property values as the engine sends them: plain data, unknowns and the pack's own model.

pulumi-policy wraps properties in proxies that raise as soon as a rule touches an unknown
value, which aborts the whole rule. The rules here unwrap the proxies first and look for
unknowns themselves, so one unknown property never hides the findings about the others,
and the "could not judge" message names exactly what was unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
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

from .config import SettingError

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
    """One unwrapping pass, which also notes whether it met an unknown sentinel.

    A loop over an explicit stack, so no nesting depth can exhaust Python's stack.
    """

    def __init__(self) -> None:
        self.met_unknown = False

    def plain(self, value: Any) -> Any:
        holder: list[Any] = [None]
        pending: list[tuple[Any, Any, Any]] = [(value, holder, 0)]
        while pending:
            item, container, key = pending.pop()
            container[key] = self._copy(item, pending)
        return holder[0]

    def _copy(self, value: Any, pending: list[tuple[Any, Any, Any]]) -> Any:
        """The value itself (scalars) or an empty copy whose items are queued."""
        kind_of = type(value)
        if kind_of is str:
            if value in UNKNOWN_SENTINELS:
                self.met_unknown = True
            return value
        if kind_of in _SCALAR_TYPES:
            return value
        kind = _kind(kind_of, value)
        if kind in ("mapping", "sequence"):
            target = _proxy_target(value)
            if target is not None:
                return self._copy(target, pending)
        if kind in ("dict", "mapping"):
            keys = list(value)
            copy: Any = dict.fromkeys(keys)  # the keys in their order, values filled in later
            pending.extend((value[k], copy, k) for k in keys)
            return copy
        if kind in ("list", "sequence"):
            copy = [None] * len(value)
            pending.extend((item, copy, i) for i, item in enumerate(value))
            return copy
        return value


def _kind(kind_of: type, value: Any) -> str:
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
    return kind


def _proxy_target(value: Any) -> Any:
    """What a pulumi-policy proxy wraps (one level), or None for a plain container."""
    try:
        return value["__target"]
    except (KeyError, TypeError, IndexError):
        return None


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
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is str:
            if item in UNKNOWN_SENTINELS:
                return True
        elif kind is dict:
            pending.extend(item.values())
        elif kind is list:
            pending.extend(item)
    return False


def first_unknown_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first unknown inside a value, so a message can point at it.

    Depth first, in order, over an explicit stack (no nesting depth exhausts Python's);
    each step remembers only its parent, and the path is spelt out once, when found.
    """
    if type(value) in (dict, list, str) and not holds_unknown(value):
        return None
    steps: list[tuple[int, str]] = []  # (parent step, "key" or "[index]")
    pending: list[tuple[Any, int, str]] = [(value, -1, path)]
    while pending:
        item, parent, step = pending.pop()
        steps.append((parent, step))
        here = len(steps) - 1
        if is_unknown(item):
            parts = []
            while here >= 0:
                here, part = steps[here]
                parts.append(part)
            return "".join(reversed(parts)) or "."
        if isinstance(item, Mapping):
            pending.extend((v, here, f".{k}") for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            pending.extend((v, here, f"[{i}]") for i, v in reversed(list(enumerate(item))))
    return None


def nesting_depth(value: Any, limit: int) -> int:
    """How deeply containers nest inside a value, counted up to `limit + 1` (no recursion)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if type(item) is dict or isinstance(item, Mapping):
            children: Any = item.values()
        elif type(item) is list:
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        pending.extend((child, depth) for child in children)
    return deepest


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
    fault: bool = False  # "could not judge": mandatory whatever the policy's level


# Findings one resource may yield from one policy, and notes one "can't run" line lists:
# past these, one line says how many more there are (fix the first ones, then run again).
MAX_FINDINGS_PER_RESOURCE = 25
MAX_UNDECIDED_NOTES = 25


@dataclass
class Outcome:
    """What a rule decided, plus what it could not judge because a value was unknown.

    Findings and notes are de-duplicated by set as they arrive, in order.
    """

    findings: list[Finding] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    _seen: set[Finding] = field(default_factory=set, repr=False, compare=False)
    _noted: set[str] = field(default_factory=set, repr=False, compare=False)

    def add(self, message: str, urn: str | None = None) -> None:
        self._add(Finding(message, urn))

    def _add(self, finding: Finding) -> None:
        if finding not in self._seen:
            self._seen.add(finding)
            self.findings.append(finding)

    def unknown(self, note: str) -> None:
        if note not in self._noted:
            self._noted.add(note)
            self.undecided.append(note)

    def extend(self, other: Outcome) -> None:
        for finding in other.findings:
            self._add(finding)
        for note in other.undecided:
            self.unknown(note)

    @contextmanager
    def judging(self, what: str, urn: str | None) -> Iterator[None]:
        """Fail closed on one subject: a fault while judging it becomes a finding on it."""
        try:
            yield
        except (UnknownValueError, SettingError):
            raise
        except Exception as error:  # noqa: BLE001 (fail closed: any fault is a refusal)
            self._add(Finding(could_not_judge(what, error), urn, fault=True))

    def capped(self) -> tuple[list[Finding], list[str]]:
        """The findings, at most `MAX_FINDINGS_PER_RESOURCE` per resource with one line for
        the rest, and the notes, at most `MAX_UNDECIDED_NOTES` with one line for the rest."""
        counts: dict[str | None, int] = {}
        findings: list[Finding] = []
        for finding in self.findings:
            count = counts.get(finding.urn, 0) + 1
            counts[finding.urn] = count
            if count <= MAX_FINDINGS_PER_RESOURCE:
                findings.append(finding)
        for urn, count in counts.items():
            if count > MAX_FINDINGS_PER_RESOURCE:
                more = count - MAX_FINDINGS_PER_RESOURCE
                findings.append(
                    Finding(
                        f"... and {more:,} more finding(s) of this policy on this resource, "
                        "not listed; fix the ones above and run again to see them.",
                        urn,
                    )
                )
        notes = self.undecided[:MAX_UNDECIDED_NOTES]
        if len(self.undecided) > MAX_UNDECIDED_NOTES:
            notes.append(f"and {len(self.undecided) - MAX_UNDECIDED_NOTES:,} more")
        return findings, notes


def could_not_judge(what: str, error: BaseException) -> str:
    """The mandatory finding for a subject the pack failed on: refused, not waved through."""
    return (
        f"could not judge {what}: the pack failed while reading it ({type(error).__name__}: "
        f"{str(error)[:200]}), so it is refused until it can be judged. This says nothing "
        "about the resource itself: simplify the property the pack failed on, or report it "
        "to the pack's maintainers with this message."
    )


class UndecidedAtPreview(UnknownValueError):
    """Raised after a rule reported what it could decide, listing what it could not.

    pulumi-policy turns an UnknownValueError into the engine's advisory "can't run policy
    ... during preview" diagnostic; the message here says which property of which resource
    was unknown, so the author knows what `pulumi up` will check once it is known.
    """

    def __init__(self, notes: Sequence[str]) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])
        self.message = "; ".join(notes)


class JudgingFailed(UnknownValueError):
    """Raised after a rule reported its findings, carrying what it failed to judge.

    The pack's servicer reports each fault as a mandatory violation on its resource and
    the notes as the usual "can't run policy" line. (Under pulumi-policy's own servicer,
    an UnknownValueError at least becomes that line instead of failing the call.)
    """

    def __init__(self, faults: Sequence[Finding], notes: Sequence[str]) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])
        self.faults = list(faults)
        self.notes = list(notes)
        self.message = "; ".join([f.message for f in self.faults] + self.notes)
