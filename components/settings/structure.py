"""Raw settings checked against the models of `schema`: every key's type and bounds,
required keys and unknown keys, reported at once in the models' key order.

Values arrive as the engine passes config to the program (JSON), and `pulumi config set
--path` may have stored a boolean or a number as text, so scalars are read leniently:
a flag is a boolean, 0 or 1, or one of the words in `_FLAG_WORDS` (any casing); a whole
number is an integer, a float without a fraction, or its decimal text (spaces around it
allowed). Text is never read from another type. Keys are camelCase only.
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields, is_dataclass
from functools import cache
from typing import Any, Literal, TypeVar, Union

from components.settings import schema

Model = TypeVar("Model")
Loc = tuple[int | str, ...]

_FLAG_WORDS = {
    **dict.fromkeys(("true", "t", "yes", "y", "on", "1"), True),
    **dict.fromkeys(("false", "f", "no", "n", "off", "0"), False),
}
_WHOLE_TEXT = re.compile(r"[+-]?[0-9]+(?:\.0+)?", re.ASCII)


@dataclass(frozen=True)
class Issue:
    """A key whose value does not fit its model: its location (keys and list indexes),
    the value received (`None` with `missing`), and whether the key is missing or
    unknown to the model."""

    loc: Loc
    received: Any
    missing: bool = False
    unknown: bool = False


class _Invalid(Exception):
    """A value that does not fit its type (the caller records where)."""


def parse(model: type[Model], raw: Mapping[str, Any]) -> tuple[Model | None, list[Issue]]:
    """`raw` as an instance of the dataclass `model`, or None and every issue."""
    issues: list[Issue] = []
    value = _value(model, raw, (), None, issues)
    return (None if issues else value), issues


@cache
def _hints(model: type) -> dict[str, Any]:
    return typing.get_type_hints(model)


def _value(kind: Any, value: Any, loc: Loc, limits: Any, issues: list[Issue]) -> Any:
    """`value` read as `kind`; issues are recorded at `loc` (or below it)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (kind,) = (a for a in args if a is not type(None))
        return _value(kind, value, loc, limits, issues)
    if isinstance(kind, type) and is_dataclass(kind):
        return _instance(kind, value, loc, issues)
    if origin is list:
        return _items(args[0], value, loc, limits, issues)
    if origin is dict:
        return _entries(args[1], value, loc, issues)
    try:
        return _scalar(kind, origin, args, value, limits)
    except _Invalid:
        issues.append(Issue(loc, value))
        return None


def _instance(model: type, value: Any, loc: Loc, issues: list[Issue]) -> Any:
    if not isinstance(value, Mapping):
        issues.append(Issue(loc, value))
        return None
    known, given = {}, {}
    for item in fields(model):
        key = schema.camel(item.name)
        known[key] = item
        if key in value:
            kind, limits = _hints(model)[item.name], item.metadata.get("bounds")
            given[item.name] = _value(kind, value[key], (*loc, key), limits, issues)
        elif item.default is MISSING and item.default_factory is MISSING:
            issues.append(Issue((*loc, key), None, missing=True))
    issues += [Issue((*loc, k), v, unknown=True) for k, v in value.items() if k not in known]
    return None if issues else model(**given)


def _items(kind: Any, value: Any, loc: Loc, limits: Any, issues: list[Issue]) -> Any:
    if not isinstance(value, (list, tuple)):
        issues.append(Issue(loc, value))
        return None
    if limits and not limits[0] <= len(value) <= limits[1]:
        issues.append(Issue(loc, value))  # its items are not read
        return None
    return [_value(kind, item, (*loc, i), None, issues) for i, item in enumerate(value)]


def _entries(kind: Any, value: Any, loc: Loc, issues: list[Issue]) -> Any:
    if not isinstance(value, Mapping):
        issues.append(Issue(loc, value))
        return None
    return {str(k): _value(kind, item, (*loc, str(k)), None, issues) for k, item in value.items()}


def _scalar(kind: Any, origin: Any, args: tuple[Any, ...], value: Any, limits: Any) -> Any:
    if origin is Literal:
        if isinstance(value, str) and value in args:
            return value
    elif kind is str:
        if isinstance(value, str):
            return value
    elif kind is bool:
        return _flag(value)
    elif kind is int:
        number = _whole(value)
        if not limits or limits[0] <= number <= limits[1]:
            return number
    raise _Invalid


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _FLAG_WORDS:
        return _FLAG_WORDS[value.lower()]
    raise _Invalid


def _whole(value: Any) -> int:
    if isinstance(value, bool):
        raise _Invalid
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _WHOLE_TEXT.fullmatch(text := value.strip()):
        return int(text.split(".")[0])
    raise _Invalid
