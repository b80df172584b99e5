"""The one normalisation of a WABA id, used by check, diff, the decisions and the
stack settings, the components and the review: `waba-<id>` and
`arn:<partition>:social-messaging:<region>:<account>:waba/<id>` name the same WABA, in
any case. ARNs are split by components.arns (botocore's parser)."""

from __future__ import annotations

import unicodedata

from components.arns import SOCIAL_MESSAGING_SERVICE, parse_arn

WABA_PREFIX = "waba-"
WABA_RESOURCE_PREFIX = "waba/"
# The service's limit on `id` (botocore's model: WhatsAppBusinessAccountId, max 115).
MAX_WABA_ID_LENGTH = 115
# Why a value is not a WABA id when the caller states the two forms it expected.
NEITHER_FORM = "is in neither form"
# Categories a reader cannot see: separators (spaces), controls, formats (zero-width).
_INVISIBLE_CATEGORIES = ("Zs", "Zl", "Zp", "Cc", "Cf")


def invisible_characters(value: str) -> list[tuple[int, str]]:
    """Each space or invisible character as (position, name): `isspace` misses the
    zero-width ones (U+200B, U+FEFF), which the service would refuse or read as
    another WABA."""
    found = []
    for position, character in enumerate(value):
        if character.isspace() or unicodedata.category(character) in _INVISIBLE_CATEGORIES:
            name = unicodedata.name(character, "UNNAMED CHARACTER")
            found.append((position, f"{name} (U+{ord(character):04X})"))
    return found


def describe_invisible(value: str) -> str | None:
    """'contains ZERO WIDTH SPACE (U+200B) at position 9' or None: shows where."""
    found = invisible_characters(value)
    if not found:
        return None
    parts = [f"{name} at position {position}" for position, name in found[:3]]
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return "contains " + ", ".join(parts) + more


def _is_alphanumeric_ascii(text: str) -> bool:
    return bool(text) and text.isascii() and text.isalnum()


def _is_partition(text: str) -> bool:
    return bool(text) and all(c.isascii() and (c.islower() or c == "-") for c in text)


def _is_region(text: str) -> bool:
    return bool(text) and all(
        c.isascii() and (c.islower() or c.isdigit() or c == "-") for c in text
    )


def waba_key(value: object) -> str | None:
    """The WABA's own id, lower case, from either form; None for anything else. The
    forms are the service's (`waba-` and `arn:...:waba/` in lower case, as its pattern
    says); the id itself is compared without case. Linear in the length of the value:
    no pattern."""
    if not isinstance(value, str) or len(value) > MAX_WABA_ID_LENGTH:
        return None
    if value.startswith(WABA_PREFIX):
        key = value[len(WABA_PREFIX) :]
        return key.lower() if _is_alphanumeric_ascii(key) else None
    arn = parse_arn(value)
    if arn is None or arn.service != SOCIAL_MESSAGING_SERVICE:
        return None
    if not (_is_partition(arn.partition) and _is_region(arn.region)):
        return None
    if not (len(arn.account) == 12 and arn.account.isascii() and arn.account.isdigit()):
        return None
    if not arn.resource.startswith(WABA_RESOURCE_PREFIX):
        return None
    key = arn.resource[len(WABA_RESOURCE_PREFIX) :]
    return key.lower() if _is_alphanumeric_ascii(key) else None


def waba_id_part(value: str) -> str:
    """The id of a WABA given in either form, as written (`waba-0A1b` and
    `arn:...:waba/0A1b` -> `0A1b`): for names derived from it, which keep its case."""
    arn = parse_arn(value)
    if arn is not None:
        return arn.resource.removeprefix(WABA_RESOURCE_PREFIX)
    return value.removeprefix(WABA_PREFIX)


def waba_id_problem(value: str) -> str | None:
    """Why a string is not a WABA id in either form, or None: invisible characters
    first (with where they are), then length, then the form."""
    invisible = describe_invisible(value)
    if invisible:
        return f"{invisible}; remove it"
    if len(value) > MAX_WABA_ID_LENGTH:
        return f"is {len(value)} characters long, longer than {MAX_WABA_ID_LENGTH}"
    if waba_key(value) is None:
        return NEITHER_FORM
    return None


def same_waba(first: object, second: object) -> bool:
    """Whether two values name the same WABA, whatever their form or case."""
    key = waba_key(first)
    return key is not None and key == waba_key(second)
