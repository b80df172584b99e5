"""IAM's condition semantics, in one place, and the confused-deputy conditions built on them.

How IAM evaluates a `Condition` block (each rule cites the IAM documentation page it
follows): operator names, `IfExists`, `ForAnyValue:`/`ForAllValues:`, `Null`, the ARN
operators' wildcards, accountless ARNs, and which comparisons are case-sensitive.

A service principal acts for every AWS customer. Without `aws:SourceAccount` (compared
with StringEquals) and `aws:SourceArn` (compared with ArnLike/ArnEquals), any account
could make the service act on this account's key, topic, queue or role. The checks here
return sentence fragments; the rules put them into messages that name the resource.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .arns import Arn, has_wildcard, parse_arn, principal_service
from .documents import Statement, as_strings, is_mapping, wildcard_match
from .values import is_unknown

# IAM documentation pages the rules below follow.
OPERATORS_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
CONDITION_PAGE = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html"
)
MULTIVALUED_PAGE = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
    "reference_policies_condition-single-vs-multi-valued-context-keys.html"
)
GLOBAL_KEYS_PAGE = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
)
ARN_FORMAT_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"

SOURCE_ACCOUNT = "aws:SourceAccount"
SOURCE_ARN = "aws:SourceArn"
DEFAULT_REQUIRED_KEYS: tuple[str, ...] = (SOURCE_ACCOUNT, SOURCE_ARN)

# Principals whose own resources are the source of the request: for these, the service in
# aws:SourceArn must be the principal's own (a WABA for social-messaging, a topic for sns).
SOURCE_ARN_SERVICES: Mapping[str, frozenset[str]] = {
    "social-messaging": frozenset({"social-messaging"}),
    "sns": frozenset({"sns"}),
    "events": frozenset({"events"}),
    "s3": frozenset({"s3"}),
    "ses": frozenset({"ses"}),
    "cloudwatch": frozenset({"cloudwatch"}),
    "cloudtrail": frozenset({"cloudtrail"}),
    "config": frozenset({"config"}),
    "scheduler": frozenset({"scheduler"}),
    "pipes": frozenset({"pipes"}),
    "states": frozenset({"states"}),
    "logs": frozenset({"logs"}),
    "delivery.logs": frozenset({"logs"}),
    "backup": frozenset({"backup"}),
    "budgets": frozenset({"budgets"}),
    "codestar-notifications": frozenset({"codestar-notifications"}),
}

# IAM's condition operators, by the exact names OPERATORS_PAGE gives them: a name in another
# case (`stringequals`) is no operator, so AWS refuses the policy or the condition never
# holds. `Null` takes no IfExists suffix (OPERATORS_PAGE, "Condition operator to check
# existence of condition keys").
CONDITION_OPERATORS = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    }
)
SET_QUALIFIERS = ("ForAnyValue:", "ForAllValues:")
_IF_EXISTS = "IfExists"
_ACCOUNT_ID = re.compile(r"^\d{12}$")

# The negated operators and the positive ones they negate (OPERATORS_PAGE).
POSITIVE_OPERATORS = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
# Operators under which `*` and `?` are wildcards; under every other one they are literal.
# ArnEquals is one of them: IAM evaluates ArnEquals and ArnLike alike (OPERATORS_PAGE, "ARN
# condition operators": each of the six colon-delimited parts of the ARN is checked
# separately and each can include `*` and `?`).
WILDCARD_OPERATORS = frozenset({"StringLike", "ArnEquals", "ArnLike"})
ARN_OPERATORS = frozenset({"ArnEquals", "ArnLike"})

_EXPECTED_OPERATORS = {
    SOURCE_ACCOUNT.lower(): ("StringEquals",),
    SOURCE_ARN.lower(): ("ArnLike", "ArnEquals"),
}

# Keys that name the account (or organization) a request comes from or acts for: a grant to
# every principal (`"Principal": "*"`) is safe only when one of them is pinned.
ACCOUNT_PINNING_KEYS = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourcearn",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalarn",
        "kms:calleraccount",
    }
)
_ARN_VALUED_KEYS = frozenset({"aws:sourcearn", "aws:principalarn"})
_PINNING_OPERATORS = frozenset({"StringEquals", "StringLike", "ArnEquals", "ArnLike"})


@dataclass(frozen=True)
class Operator:
    """A condition operator split into its set qualifier, base name and IfExists suffix."""

    name: str
    base: str
    set_qualifier: str | None
    if_exists: bool

    @property
    def negated(self) -> bool:
        """Operators that hold when the value differs (and when the key is missing)."""
        return "Not" in self.base


@lru_cache(maxsize=512)
def parse_operator(name: str) -> Operator | None:
    """Split a known operator, case-sensitively; None for a name IAM does not know."""
    rest = name
    qualifier = next((q for q in SET_QUALIFIERS if rest.startswith(q)), None)
    if qualifier is not None:
        rest = rest[len(qualifier) :]
    if_exists = rest.endswith(_IF_EXISTS) and rest != _IF_EXISTS
    base = rest[: -len(_IF_EXISTS)] if if_exists else rest
    if base not in CONDITION_OPERATORS or (if_exists and base == "Null"):
        return None
    return Operator(name, base, qualifier, if_exists)


def takes_wildcards(operator: str) -> bool:
    """Whether `*` and `?` are wildcards under this operator (base name, negated or not)."""
    return POSITIVE_OPERATORS.get(operator, operator) in WILDCARD_OPERATORS


def arn_matches(pattern: str, value: str) -> bool:
    """ArnEquals/ArnLike: the six colon-delimited parts compared one by one, with wildcards.

    OPERATORS_PAGE, "Amazon Resource Name (ARN) condition operators": case-sensitive, each
    part may hold `*` and `?`, and a `*` does not reach past its part's colon (except in the
    resource part, which is the rest of the ARN and may itself contain colons).
    """
    pattern_parts = pattern.split(":", 5)
    value_parts = value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(
        wildcard_match(expected, actual, case_sensitive=True)
        for expected, actual in zip(pattern_parts, value_parts, strict=True)
    )


def holds_for_absent_key(operator: Operator, values: tuple[str, ...]) -> bool:
    """Whether a condition holds when the request does not carry its key.

    OPERATORS_PAGE: `Null` true holds for an absent key; an `...IfExists` operator holds
    ("If the policy key is not present in the context, the condition evaluates to true");
    a negated operator holds (nothing equals a missing value). MULTIVALUED_PAGE:
    `ForAllValues:` holds for an empty or absent key, `ForAnyValue:` does not.
    """
    if operator.base == "Null":
        return any(v.strip().lower() == "true" for v in values)
    if operator.if_exists or operator.set_qualifier == "ForAllValues:":
        return True
    if operator.set_qualifier == "ForAnyValue:":
        return False
    return operator.negated


def holds_for_value(operator: Operator, actual: str, values: tuple[str, ...]) -> bool | None:
    """Whether a condition holds for a single-valued key the request carries.

    For one value, `ForAnyValue:` and `ForAllValues:` reduce to the base operator
    (MULTIVALUED_PAGE). Case rules (OPERATORS_PAGE): String and ARN comparisons are
    case-sensitive except the `IgnoreCase` ones; `Bool` compares `true`/`false` in any
    case. None for operators the pack does not evaluate (numbers, dates, IP addresses).
    """
    if operator.base == "Null":
        return any(v.strip().lower() == "false" for v in values)
    base = POSITIVE_OPERATORS.get(operator.base, operator.base)
    if base == "StringEquals":
        result = actual in values
    elif base == "StringEqualsIgnoreCase":
        result = actual.lower() in {v.lower() for v in values}
    elif base == "StringLike":
        result = any(wildcard_match(v, actual, case_sensitive=True) for v in values)
    elif base in ARN_OPERATORS:
        result = any(arn_matches(v, actual) for v in values)
    elif base == "Bool":
        result = actual.lower() in {v.strip().lower() for v in values}
    else:
        return None
    return (not result) if base != operator.base else result


def arn_has_no_account(arn: Arn) -> bool:
    """An S3 bucket or object ARN: it carries neither Region nor account.

    ARN_FORMAT_PAGE and the S3 ARN formats: `arn:<partition>:s3:::bucket` and
    `arn:<partition>:s3:::bucket/key`. A `*` in their Region or account part can only match
    the empty part, so it widens nothing; the account must be pinned with aws:SourceAccount
    (as AWS's own SNS example does with `arn:<partition>:s3:*:*:amzn-s3-demo-bucket`).
    Access points, jobs and Storage Lens ARNs of S3 do carry an account.
    """
    if arn.service.lower() != "s3":
        return False
    first = arn.resource.split("/", 1)[0]
    return first not in _S3_TYPED_RESOURCES


_S3_TYPED_RESOURCES = frozenset(
    {"accesspoint", "job", "storage-lens", "storage-lens-group", "access-grants", "outpost"}
)


def unknown_operators(conditions: Mapping[str, Any]) -> list[str]:
    """Operator names in a Condition block that IAM does not know (misspelt or wrong case)."""
    return [str(name) for name in conditions if parse_operator(str(name)) is None]


def operator_suggestion(name: str) -> str:
    """The known operator a misspelt one most likely means (same letters, other case)."""
    lowered = name.lower()
    for qualifier in ("", *SET_QUALIFIERS):
        for base in sorted(CONDITION_OPERATORS):
            for suffix in ("", _IF_EXISTS):
                candidate = f"{qualifier}{base}{suffix}"
                if candidate.lower() == lowered:
                    return f"`{candidate}`"
    return "one of IAM's condition operators (`StringEquals`, `ArnLike`, ...)"


@dataclass(frozen=True)
class ConditionEntry:
    """One `operator: {key: values}` pair of a Condition block."""

    operator: str
    base: str
    set_qualifier: str | None
    if_exists: bool
    values: tuple[str, ...]
    unknown: bool

    @property
    def negated(self) -> bool:
        return "Not" in self.base


def condition_entries(conditions: Mapping[str, Any], key: str) -> list[ConditionEntry]:
    """Every place a condition key appears under a known operator.

    Condition key names compare case-insensitively (CONDITION_PAGE: "Condition key names
    are not case-sensitive"); operators do not, so a key under a misspelt operator does not
    count (the operator itself is reported by `unknown_operators`).
    """
    entries = []
    for name, block in conditions.items():
        if not is_mapping(block):
            continue
        operator = parse_operator(str(name))
        if operator is None:
            continue
        for condition_key, raw in block.items():
            if str(condition_key).lower() != key.lower():
                continue
            raw_items = raw if isinstance(raw, list) else [raw]
            entries.append(
                ConditionEntry(
                    operator=operator.name,
                    base=operator.base,
                    set_qualifier=operator.set_qualifier,
                    if_exists=operator.if_exists,
                    values=as_strings([v for v in raw_items if not is_unknown(v)]),
                    unknown=any(is_unknown(v) for v in raw_items),
                )
            )
    return entries


def source_arn_suggestion(service: str, accounts: Sequence[str]) -> str:
    account = accounts[0] if len(accounts) == 1 else "<account-id>"
    return f'"ArnLike": {{"aws:SourceArn": "arn:<partition>:{service}:<region>:{account}:*"}}'


def source_account_suggestion(accounts: Sequence[str]) -> str:
    account = accounts[0] if len(accounts) == 1 else "<account-id>"
    return f'"StringEquals": {{"aws:SourceAccount": "{account}"}}'


def pinned_accounts(statement: Statement) -> list[str]:
    """The distinct account IDs the statement pins with StringEquals aws:SourceAccount."""
    accounts: list[str] = []
    for entry in condition_entries(statement.conditions, SOURCE_ACCOUNT):
        if entry.base == "StringEquals" and not entry.if_exists and entry.set_qualifier is None:
            accounts.extend(v for v in entry.values if _ACCOUNT_ID.match(v) and v not in accounts)
    return accounts


def unknown_operator_problems(where: str, statement: Statement) -> list[str]:
    return [
        f"{where} uses the condition operator `{name}`, which IAM does not know (operator names "
        "are case-sensitive), so AWS refuses the policy or the condition never holds; write "
        f"{operator_suggestion(name)}"
        for name in unknown_operators(statement.conditions)
    ]


_WHERE = "\x00where\x00"


def confused_deputy_problems(
    statement: Statement,
    principal: str,
    required_keys: Iterable[str] = DEFAULT_REQUIRED_KEYS,
) -> tuple[list[str], list[str]]:
    """Problems with the confused-deputy conditions of one grant to one service principal.

    Returns (problems, unknown notes). Each problem is a sentence fragment that starts
    with the statement's label, says what was found, what is expected and how to fix it.
    A stack repeats the same Condition block in many policies, so the judgement of a
    block is computed once per principal and settings and only the label is filled in.
    """
    where = f"{statement.label} (grant to {principal})"
    found: tuple[Sequence[str], Sequence[str]]
    service = principal_service(principal)
    # Principals of services with no source rule of their own are judged alike: once per
    # block, with markers for the principal and service (so a statement naming many
    # services costs one judgement, not one per service).
    alike = service not in SOURCE_ARN_SERVICES
    judged_as = (_PRINCIPAL, _SERVICE) if alike else (principal, service)
    block = statement.condition_block
    if block is None:
        found = _judge_conditions(statement, *judged_as, tuple(required_keys))
    else:
        found = judged_block(block, *judged_as, tuple(required_keys))
    problems, unknowns = found

    def filled(text: str) -> str:
        text = text.replace(_WHERE, where, 1)
        return text.replace(_PRINCIPAL, principal).replace(_SERVICE, service) if alike else text

    return [filled(p) for p in problems], [filled(n) for n in unknowns]


_PRINCIPAL = "\x00principal\x00"
_SERVICE = "\x00service\x00"


@lru_cache(maxsize=1024)
def judged_block(
    block: str, principal: str, service: str, required_keys: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    raw = json.loads(block)
    conditions = raw if isinstance(raw, Mapping) else {}
    statement = Statement(0, None, "Allow", None, None, None, None, None, None, conditions)
    problems, unknowns = _judge_conditions(statement, principal, service, required_keys)
    return tuple(problems), tuple(unknowns)


def _judge_conditions(
    statement: Statement, principal: str, service: str, required_keys: tuple[str, ...]
) -> tuple[list[str], list[str]]:
    required = {key.lower() for key in required_keys}
    where = _WHERE
    problems = unknown_operator_problems(where, statement)
    unknowns: list[str] = []
    accounts = pinned_accounts(statement)

    for key in (SOURCE_ACCOUNT, SOURCE_ARN):
        entries = condition_entries(statement.conditions, key)
        expected = _EXPECTED_OPERATORS[key.lower()]
        # Negations (StringNotEquals, ...) and Null neither pin the key nor are errors.
        relevant = [e for e in entries if not e.negated and e.base != "Null"]
        for entry in relevant:
            if entry.unknown:
                unknowns.append(f"{where}: the value of `Condition.{entry.operator}.{key}`")
        fix = (
            source_account_suggestion(accounts)
            if key == SOURCE_ACCOUNT
            else source_arn_suggestion(service, accounts)
        )
        if not relevant:
            if key.lower() in required:
                problems.append(f"{where} has no `{key}` condition; add {fix}")
            continue
        for entry in relevant:
            if not entry.values and not entry.unknown:
                problems.append(
                    f"{where} puts `{key}` under `{entry.operator}` but names no value, so it "
                    f"pins nothing; use {fix}"
                )
            problems.extend(_operator_problems(where, key, entry, expected))
        values = [value for entry in relevant for value in entry.values]
        if key == SOURCE_ACCOUNT:
            for value in values:
                if not _ACCOUNT_ID.match(value) and not has_wildcard(value):
                    problems.append(
                        f"{where} pins `{key}` to '{value}', which is not a 12-digit "
                        "account ID; name the one account that owns the source"
                    )
            if len(accounts) > 1:
                problems.append(
                    f"{where} pins `{key}` to {len(accounts)} accounts ({', '.join(accounts)}), "
                    f"so each of them can make {principal} act on this resource; name only the "
                    "account that owns the source"
                )
        else:
            for value in values:
                problems.extend(_source_arn_problems(where, service, value, accounts))
            arn_accounts = _source_arn_accounts(values)
            if len(arn_accounts) > 1 and len(accounts) != 1:
                problems.append(
                    f"{where} pins `{key}` to resources of {len(arn_accounts)} accounts "
                    f"({', '.join(arn_accounts)}); name only the account that owns the source, "
                    f"the same as in `{SOURCE_ACCOUNT}`"
                )
    return problems, unknowns


def _source_arn_accounts(values: Iterable[str]) -> list[str]:
    accounts: list[str] = []
    for value in values:
        arn = parse_arn(value)
        if arn and arn.account and not has_wildcard(arn.account) and arn.account not in accounts:
            accounts.append(arn.account)
    return accounts


def _operator_problems(
    where: str, key: str, entry: ConditionEntry, expected: tuple[str, ...]
) -> list[str]:
    problems = []
    wanted = "StringEquals" if key == SOURCE_ACCOUNT else "ArnLike"
    if entry.set_qualifier is not None:
        problems.append(
            f"{where} puts `{key}` under `{entry.operator}`; `{key}` is single-valued and a set "
            f"operator passes when the key is missing; use `{wanted}`"
        )
    if entry.if_exists:
        problems.append(
            f"{where} puts `{key}` under `{entry.operator}`, which passes when the request has "
            f"no `{key}` at all; use `{wanted}`"
        )
    if entry.base not in expected:
        problems.append(
            f"{where} puts `{key}` under `{entry.operator}`; expected "
            + " or ".join(f"`{op}`" for op in expected)
        )
    if not takes_wildcards(entry.base):
        for value in entry.values:
            if has_wildcard(value):
                fix = (
                    "name the account ID"
                    if key == SOURCE_ACCOUNT
                    else "use `ArnLike` for a pattern"
                )
                problems.append(
                    f"{where} uses the wildcard value '{value}' for `{key}` under "
                    f"`{entry.operator}`, where a wildcard is compared literally; a wildcard "
                    f"belongs only under StringLike, ArnLike or ArnEquals: {fix}"
                )
    return problems


def _source_arn_problems(
    where: str, service: str, value: str, accounts: Sequence[str]
) -> list[str]:
    arn = parse_arn(value)
    if arn is None:
        return [
            f"{where} pins `{SOURCE_ARN}` to '{value}', which is not an ARN; use "
            f"{source_arn_suggestion(service, accounts)}"
        ]
    problems = []
    expected_services = SOURCE_ARN_SERVICES.get(service)
    if expected_services is not None and arn.service.lower() not in expected_services:
        problems.append(
            f"{where} pins `{SOURCE_ARN}` to '{value}', a `{arn.service}` ARN, but "
            f"{service} acts for its own resources, so the source must be a `{service}` ARN: "
            f"{source_arn_suggestion(sorted(expected_services)[0], accounts)}"
        )
    if arn_has_no_account(arn):
        # Only aws:SourceAccount can pin the account (it is required apart).
        return problems
    if not arn.account:
        problems.append(
            f"{where} pins `{SOURCE_ARN}` to '{value}', which names no account; put the "
            "account ID in the ARN's fifth field"
        )
    elif has_wildcard(arn.account):
        problems.append(
            f"{where} pins `{SOURCE_ARN}` to '{value}', whose account field is a wildcard, so "
            "any account's resources match; put the account ID in the ARN's fifth field"
        )
    elif len(accounts) == 1 and arn.account != accounts[0]:
        problems.append(
            f"{where} pins `{SOURCE_ARN}` to account {arn.account} but `{SOURCE_ACCOUNT}` "
            f"to {accounts[0]}; both must name the same account"
        )
    return problems


def pins_an_account(statement: Statement) -> bool:
    """Whether a grant to every principal is limited to one account or organization.

    A known operator that compares for equality (or a Like without wildcards), no IfExists
    and no set qualifier, on a key that names the account: `aws:SourceAccount`,
    `aws:SourceOwner`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`, `kms:CallerAccount`, or an
    ARN key (`aws:SourceArn`, `aws:PrincipalArn`) whose account field is no wildcard.
    """
    for name, block in statement.conditions.items():
        operator = parse_operator(str(name))
        if (
            operator is None
            or operator.base not in _PINNING_OPERATORS
            or operator.if_exists
            or operator.set_qualifier is not None
            or not is_mapping(block)
        ):
            continue
        for key, raw in block.items():
            lowered = str(key).lower()
            if lowered not in ACCOUNT_PINNING_KEYS:
                continue
            values = as_strings(raw)
            if values and all(_pins(lowered, value) for value in values):
                return True
    return False


def _pins(key: str, value: str) -> bool:
    if is_unknown(value):
        return False
    if key in _ARN_VALUED_KEYS:
        arn = parse_arn(value)
        return arn is not None and bool(arn.account) and not has_wildcard(arn.account)
    return bool(value.strip()) and not has_wildcard(value)
