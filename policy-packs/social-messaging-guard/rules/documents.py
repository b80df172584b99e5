"""Reading IAM-style policy documents the way AWS does, from a JSON string or an object.

Key policies, topic policies, queue policies and trust policies all share this grammar.
Pulumi programs pass them as JSON strings (often with odd whitespace) or as objects, a
`Statement` may be one object or a list, and `Principal`, `Action` and condition values
may each be a string or a list: every rule reads them through these functions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, TypeGuard

from .arns import is_social_messaging_principal
from .values import contains_unknown, first_unknown_path, is_unknown, nesting_depth


@dataclass(frozen=True)
class Statement:
    """One statement, with every list-or-string field normalised to a tuple."""

    index: int
    sid: str | None
    effect: str
    principal: Any
    not_principal: Any
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    conditions: Mapping[str, Any]
    unknown_path: str | None = None
    raw_condition: Any = None

    # A statement is read by several policies, and a parsed document is shared by every
    # resource with the same text: what is derived from it is computed once.

    @cached_property
    def label(self) -> str:
        """Statements are named by Sid when they have one, else by position (from 0)."""
        return f"statement '{self.sid}'" if self.sid else f"statement #{self.index}"

    @cached_property
    def is_allow(self) -> bool:
        return self.effect.lower() == "allow"

    @property
    def may_grant_unknown(self) -> bool:
        """An Allow (or a statement whose effect is unknown) with an unknown value inside.

        Such a statement cannot be judged at preview: the unknown may be its principal,
        action or resource.
        """
        if self.unknown_path is None:
            return False
        return self.is_allow or not self.effect or is_unknown(self.effect)

    def service_principals(self) -> tuple[str, ...]:
        """The `Principal.Service` entries, in string or list form."""
        return self._service_principals

    @cached_property
    def _service_principals(self) -> tuple[str, ...]:
        if not is_mapping(self.principal):
            return ()
        return as_strings(self.principal.get("Service"))

    @cached_property
    def named_actions(self) -> dict[str, bool]:
        """Which actions this statement names, as they are asked (see `names_action`)."""
        return {}

    @cached_property
    def condition_block(self) -> str | None:
        """The Condition block as JSON text, the key under which its judgement is cached."""
        try:
            return json.dumps(self.raw_condition)
        except (TypeError, ValueError):
            return None

    @cached_property
    def principal_is_wildcard(self) -> bool:
        """`"Principal": "*"` or `{"AWS": "*"}`: every principal, service principals included."""
        if isinstance(self.principal, str):
            return self.principal.strip() == "*"
        if is_mapping(self.principal):
            return any(p.strip() == "*" for p in as_strings(self.principal.get("AWS")))
        return False

    def misspelt_principal_keys(self) -> list[tuple[str, str]]:
        """(field, key) of `Principal`/`NotPrincipal` keys IAM does not know (case-sensitive)."""
        found: list[tuple[str, str]] = []
        for field_name, value in (
            ("Principal", self.principal),
            ("NotPrincipal", self.not_principal),
        ):
            if isinstance(value, Mapping):
                found.extend((field_name, str(k)) for k in value if str(k) not in PRINCIPAL_KEYS)
        return found

    def grants_service(self, predicate: Any = is_social_messaging_principal) -> bool:
        """An Allow whose Principal names a matching service principal."""
        return self.is_allow and any(predicate(p) for p in self.service_principals())


PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")


@dataclass(frozen=True)
class Document:
    """A parsed policy document, or why it could not be read."""

    statements: tuple[Statement, ...] = ()
    present: bool = True
    problem: str | None = None
    unknown: bool = False
    unknown_path: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    # What searches of this document found, by question (see `grants.find_service_grants`).
    searches: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


def as_strings(value: Any) -> tuple[str, ...]:
    """A string-or-list field as a tuple of strings (numbers and booleans as AWS reads them)."""
    if value is None:
        return ()
    if type(value) is str:
        return (value,)
    items = value if type(value) is list else [value]
    if all(type(item) is str for item in items):
        return tuple(items)
    result = []
    for item in items:
        if isinstance(item, bool):
            result.append("true" if item else "false")
        elif isinstance(item, float) and item.is_integer():
            result.append(str(int(item)))
        else:
            result.append(str(item))
    return tuple(result)


def _optional_strings(raw: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    return as_strings(raw[key]) if key in raw else None


def parse_document(value: Any, may_hold_unknowns: bool = True) -> Document:
    """Parse a policy property: absent, unknown, a JSON string or an object.

    A string is decoded as AWS does, ignoring surrounding and inner whitespace and a
    leading byte-order mark; anything that is not a JSON object is reported as a problem
    rather than silently treated as "no statements". `may_hold_unknowns` false says an
    object is known to hold no unknown value, so it is not searched for one.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return Document(present=False)
    if is_unknown(value):
        return Document(unknown=True)
    if isinstance(value, str):
        return parse_text(value)
    return _parse_object(value, may_hold_unknowns)


def may_name_the_service(value: Any, may_hold_unknowns: bool = True) -> bool:
    """False only when a policy cannot grant social-messaging.amazonaws.com: no principal
    of it names the service or every principal (`*`) and nothing in it is unknown.

    A cheap look at the raw value, so that the topic policies of a large stack that serve
    other services are not parsed just to learn they do not concern a WABA.
    """
    if value is None or is_unknown(value):
        return value is not None
    if isinstance(value, str):
        text = value.lower()
        return "social-messaging" in text or '"*"' in text or contains_unknown(value)
    if may_hold_unknowns or not is_mapping(value):
        return True
    statements = value.get("Statement")
    for raw in statements if type(statements) is list else [statements]:
        if not is_mapping(raw):
            return True
        raw_principal = raw.get("Principal", "")
        if nesting_depth(raw_principal, MAX_DOCUMENT_DEPTH) > MAX_DOCUMENT_DEPTH:
            return True  # parsed, then refused as too deep
        principal = str(raw_principal).lower()
        if "*" in principal or "social-messaging" in principal:
            return True
    return False


@lru_cache(maxsize=1024)
def parse_text(value: str) -> Document:
    """A JSON policy, parsed once per text: stacks repeat the same key or trust policy.

    The engine's unknown sentinels can only be inside if the text holds one, so a text
    without any is not searched for them statement by statement.
    """
    text = value.lstrip("\ufeff").strip()
    try:
        decoded = json.loads(text, object_pairs_hook=_refusing_duplicates)
    except json.JSONDecodeError as error:
        return Document(
            problem=f"is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        )
    except DuplicateKey as error:
        return Document(problem=error.problem)
    except RecursionError:
        return Document(problem=_too_deep())
    return _parse_object(decoded, may_hold_unknowns=contains_unknown(text))


# IAM documents nest a handful of levels (Statement, Condition, operator, key, values); a
# document nested deeper than this is refused rather than walked.
MAX_DOCUMENT_DEPTH = 32


def _too_deep() -> str:
    return (
        f"is nested more than {MAX_DOCUMENT_DEPTH} levels deep, far deeper than any IAM policy "
        "(Statement, Condition, operator, key, values), so it cannot be judged; write the "
        "document without the extra nesting"
    )


class DuplicateKey(ValueError):
    """A JSON object names one key twice: readers disagree on which value counts."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.problem = (
            f"names the key `{key}` twice in one object, so which of its values counts depends "
            "on the reader (JSON leaves it undefined; a check could judge one and AWS apply the "
            f"other), so it cannot be judged; keep one `{key}` with the values merged"
        )


def _refusing_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return found


def is_mapping(value: Any) -> TypeGuard[Mapping[str, Any]]:
    """A JSON object: a dict (checked first, as asking the Mapping ABC costs far more)."""
    return type(value) is dict or isinstance(value, Mapping)


def _parse_object(value: Any, may_hold_unknowns: bool) -> Document:
    if not is_mapping(value):
        return Document(problem=f"is a JSON {type(value).__name__}, expected a policy object")
    if nesting_depth(value, MAX_DOCUMENT_DEPTH) > MAX_DOCUMENT_DEPTH:
        return Document(problem=_too_deep())
    raw_statements = value.get("Statement")
    if is_unknown(raw_statements):
        return Document(unknown=True, unknown_path=".Statement")
    if raw_statements is None:
        raw_statements = []
    elif is_mapping(raw_statements):
        raw_statements = [raw_statements]
    elif type(raw_statements) is not list:
        return Document(problem="has a `Statement` that is neither an object nor a list")
    statements = []
    for index, raw in enumerate(raw_statements):
        if is_unknown(raw):
            statements.append(_unknown_statement(index, f".Statement[{index}]"))
            continue
        if not is_mapping(raw):
            return Document(problem=f"has statement #{index} that is not an object")
        statements.append(parse_statement(index, raw, may_hold_unknowns))
    return Document(statements=tuple(statements))


def _unknown_statement(index: int, path: str) -> Statement:
    return Statement(index, None, "", None, None, None, None, None, None, {}, unknown_path=path)


def parse_statement(
    index: int, raw: Mapping[str, Any], may_hold_unknowns: bool = True
) -> Statement:
    """Normalise one statement; remember where an unknown value sits inside it."""
    unknown_path = first_unknown_path(raw, f".Statement[{index}]") if may_hold_unknowns else None
    sid = raw.get("Sid")
    conditions = raw.get("Condition")
    return Statement(
        index=index,
        sid=sid if type(sid) is str and sid and not is_unknown(sid) else None,
        effect=str(raw.get("Effect", "")),
        principal=raw.get("Principal"),
        not_principal=raw.get("NotPrincipal"),
        actions=_optional_strings(raw, "Action"),
        not_actions=_optional_strings(raw, "NotAction"),
        resources=_optional_strings(raw, "Resource"),
        not_resources=_optional_strings(raw, "NotResource"),
        conditions=conditions if is_mapping(conditions) else {},
        unknown_path=unknown_path,
        raw_condition=conditions,
    )


@lru_cache(maxsize=1024)
def wildcard_regex(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    flags = re.DOTALL if case_sensitive else re.IGNORECASE | re.DOTALL
    return re.compile("".join(parts), flags)


def wildcard_match(pattern: str, value: str, case_sensitive: bool = False) -> bool:
    """IAM wildcard matching (`*`, `?`).

    Action names match case-insensitively, as IAM matches them; resource ARNs and most
    condition values are case-sensitive (`case_sensitive=True`).
    """
    if "*" not in pattern and "?" not in pattern:
        # Most patterns are literal ARNs and action names: no expression to build.
        return pattern == value if case_sensitive else pattern.lower() == value.lower()
    return wildcard_regex(pattern, case_sensitive).fullmatch(value) is not None


def names_action(statement: Statement, action: str) -> bool:
    """Whether a statement's Action (or NotAction) covers a concrete action, whatever its effect."""
    known = statement.named_actions.get(action)
    if known is None:
        known = _names_action(statement, action)
        statement.named_actions[action] = known
    return known


def _names_action(statement: Statement, action: str) -> bool:
    if statement.actions is not None:
        return any(wildcard_match(pattern, action) for pattern in statement.actions)
    if statement.not_actions is not None:
        return not any(wildcard_match(pattern, action) for pattern in statement.not_actions)
    return False


def allows_action(statement: Statement, action: str) -> bool:
    """Whether an Allow statement's Action (or NotAction) covers a concrete action."""
    return statement.is_allow and names_action(statement, action)


def covers_resource(statement: Statement, arn: str | None, name: str | None) -> bool:
    """Whether a statement's Resource covers a resource known by ARN or, failing that, name.

    At preview a topic's ARN may be unknown while its name is known: then the pattern's
    last ARN segment is compared with the name. ARNs compare case-sensitively, as in IAM.
    """
    if statement.resources is None:
        if statement.not_resources is None:
            return False
        return not any(_pattern_covers(p, arn, name) for p in statement.not_resources)
    return any(_pattern_covers(p, arn, name) for p in statement.resources)


def _pattern_covers(pattern: str, arn: str | None, name: str | None) -> bool:
    if pattern == "*":
        return True
    if arn is not None:
        return wildcard_match(pattern, arn, case_sensitive=True)
    if name is not None:
        return wildcard_match(pattern.rsplit(":", 1)[-1], name, case_sensitive=True)
    return False
