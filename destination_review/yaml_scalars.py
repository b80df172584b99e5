"""YAML scalars typed as the Pulumi CLI types a stack file's values.

The CLI reads `Pulumi.<stack>.yaml` with Go's yaml.v3 (YAML 1.2 core schema, with 1.1
octals), writes it back and reads it again into its config map: a value the program
receives is a string, a boolean or a number, or an object as JSON text. These functions
give the same types: `created: 2024-01-01` is the text of a Go time
(`2024-01-01 00:00:00 +0000 UTC`), `!!binary` the decoded text, `yes` the string "yes".
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from decimal import Decimal
from typing import Any

_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1
# The plain scalars yaml.v3 resolves by name.
_NAMED: dict[str, Any] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
MERGE_KEY = "<<"
# Go's strconv.ParseInt with base 0 (after yaml.v3 removes '_'): a sign, then a prefixed
# hexadecimal, octal or binary number, a leading-zero octal, or a decimal.
_GO_INT = re.compile(
    r"[+-]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)", re.ASCII
)
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", re.ASCII)
# yaml.v3's timestamp formats: RFC 3339 with short date fields, space-separated without a
# zone, or a date alone.
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2}))"
    r"|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?))?",
    re.ASCII,
)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class ScalarError(ValueError):
    """A scalar the CLI cannot decode (an explicit tag its text does not fit)."""


def _go_int(text: str) -> int | None:
    if not _GO_INT.fullmatch(text):
        return None
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if len(digits) > 1 and digits[0] == "0" and digits[1] in "xXoObB":
        value = int(digits[2:], {"x": 16, "o": 8, "b": 2}[digits[1].lower()])
    else:
        value = int(digits, 8 if len(digits) > 1 and digits[0] == "0" else 10)
    value *= sign
    if _INT64[0] <= value <= _INT64[1] or (sign > 0 and value <= _UINT64_MAX):
        return value
    return None


def go_time_text(text: str) -> str | None:
    """The text of the Go time the CLI makes of a YAML timestamp (what its config gets:
    `2024-01-01` -> `2024-01-01 00:00:00 +0000 UTC`), or None when it is not one."""
    if len(text) > 64 or not (found := _TIMESTAMP.fullmatch(text)):
        return None
    g = found.groups()
    year, month, day = int(g[0]), int(g[1]), int(g[2])
    hour, minute, second, fraction, zone = (
        (g[3], g[4], g[5], g[6], g[7]) if g[3] is not None else (g[8], g[9], g[10], g[11], None)
    )
    clock = [int(x) if x is not None else 0 for x in (hour, minute, second)]
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS[month - 1] - (month == 2 and not leap):
        return None
    if clock[0] > 23 or clock[1] > 59 or clock[2] > 59:
        return None
    digits = (fraction or ".")[1:10].rstrip("0")
    offset = "+0000 UTC"
    if zone not in (None, "Z", "+00:00", "-00:00"):
        offset = f"{zone[:3]}{zone[4:]} {zone[:3]}{zone[4:]}"
    return (
        f"{year:04d}-{month:02d}-{day:02d} {clock[0]:02d}:{clock[1]:02d}:{clock[2]:02d}"
        f"{'.' + digits if digits else ''} {offset}"
    )


def resolve_plain(text: str, timestamps: bool = True) -> Any:
    """An untagged plain scalar as yaml.v3 resolves it, then as the CLI's config keeps it."""
    if text in _NAMED:
        return _NAMED[text]
    hint = text[:1]
    if hint == ".":
        return float(text) if _YAML_FLOAT.fullmatch(text) else text
    if not hint or not (hint.isascii() and (hint.isdigit() or hint in "+-")):
        return text
    if timestamps and (time := go_time_text(text)) is not None:
        return time
    plain = text.replace("_", "")
    if (number := _go_int(plain)) is not None:
        return number
    if _YAML_FLOAT.fullmatch(plain) and len(plain) < 400:
        value = float(plain)
        return value if not math.isinf(value) else text  # Go: out of range, a string
    return text


_LONG_TAG = "tag:yaml.org,2002:"


def short_tag(tag: str | None) -> str:
    """`tag:yaml.org,2002:int` -> `!!int`; other tags unchanged; None -> ''."""
    if not tag:
        return ""
    return "!!" + tag[len(_LONG_TAG) :] if tag.startswith(_LONG_TAG) else tag


def _kind(value: Any) -> str:
    if value is None:
        return "!!null"
    if isinstance(value, bool):
        return "!!bool"
    if isinstance(value, int):
        return "!!int"
    if isinstance(value, float):
        return "!!float"
    return "!!str"


def resolve_scalar(text: str, tag: str, quoted: bool) -> Any:
    """A scalar with its tag (short form) and style, as the CLI's config keeps it.

    Raises ScalarError for a tag its text does not fit (`!!int abc`), as yaml.v3 does."""
    if tag == "!!binary":
        try:
            data = base64.b64decode(text.replace("\n", "").replace("\r", ""), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ScalarError("!!binary value contains invalid base64 data") from error
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ScalarError(
                "!!binary value is not UTF-8 text, as config values must be"
            ) from error
    if tag == "!!str" or (quoted and tag in ("", "!")):
        return text
    if tag not in ("", "!!bool", "!!int", "!!float", "!!null", "!!timestamp"):
        return text  # any other tag (`!foo`, `!!set` on a scalar): the text
    value = resolve_plain(text, timestamps=tag in ("", "!!timestamp"))
    if tag in ("", _kind(value)) or (tag == "!!timestamp" and value != text):
        return value
    if tag == "!!float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    raise ScalarError(f"cannot decode {_kind(value)} `{text[:40]}` as a {tag}")


def _go_float(value: float) -> str:
    """A float as Go's `%v` prints it: the shortest digits, with an exponent from 1e+06
    or below 1e-04 (Go's 'g' format)."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    exact = Decimal(repr(value)).normalize()
    sign, digits, exponent = exact.as_tuple()
    assert isinstance(exponent, int)  # finite
    power = len(digits) + exponent - 1
    if -4 <= power < 6:
        return f"{exact:f}"
    mantissa = "".join(map(str, digits))
    mantissa = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"


def go_key_text(value: Any) -> str:
    """A typed mapping key as the CLI names it (Go's `%v`): `1`, `true`, `<nil>`, `1.5`."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    return str(value)
