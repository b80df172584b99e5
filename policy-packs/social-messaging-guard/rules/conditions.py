"""Confused-deputy conditions on grants to AWS service principals.

A service principal acts for every AWS customer. Without `aws:SourceAccount` (compared
with StringEquals) and `aws:SourceArn` (compared with ArnLike/ArnEquals), any account
could make the service act on this account's key, topic, queue or role. The checks here
return sentence fragments; the rules put them into messages that name the resource.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .arns import parse_arn, principal_service
from .documents import Statement, as_strings
from .values import is_unknown

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

# S3 bucket ARNs have no account field: the account can only be pinned by aws:SourceAccount.
ACCOUNTLESS_ARN_SERVICES = frozenset({"s3"})

_OPERATOR = re.compile(
    r"^(?P<set>ForAnyValue:|ForAllValues:)?(?P<base>.+?)(?P<if_exists>IfExists)?$", re.IGNORECASE
)
_ACCOUNT_ID = re.compile(r"^\d{12}$")

_EXPECTED_OPERATORS = {
    SOURCE_ACCOUNT.lower(): ("stringequals",),
    SOURCE_ARN.lower(): ("arnlike", "arnequals"),
}
# Operators that do not pin a value (negations such as StringNotEquals, and Null): a key
# under them neither counts as the condition nor is an error.
_IGNORED_OPERATORS = ("null",)


@dataclass(frozen=True)
class ConditionEntry:
    """One `operator: {key: values}` pair of a Condition block."""

    operator: str
    base: str
    set_qualifier: str | None
    if_exists: bool
    values: tuple[str, ...]
    unknown: bool


def condition_entries(conditions: Mapping[str, Any], key: str) -> list[ConditionEntry]:
    """Every place a condition key appears; keys compare case-insensitively, as in IAM."""
    entries = []
    for operator, block in conditions.items():
        if not isinstance(block, Mapping):
            continue
        match = _OPERATOR.match(str(operator))
        if match is None:
            continue
        for condition_key, raw in block.items():
            if str(condition_key).lower() != key.lower():
                continue
            raw_items = raw if isinstance(raw, list) else [raw]
            entries.append(
                ConditionEntry(
                    operator=str(operator),
                    base=match["base"].lower(),
                    set_qualifier=match["set"],
                    if_exists=match["if_exists"] is not None,
                    values=as_strings([v for v in raw_items if not is_unknown(v)]),
                    unknown=any(is_unknown(v) for v in raw_items),
                )
            )
    return entries


def source_arn_suggestion(service: str, accounts: Sequence[str]) -> str:
    account = accounts[0] if accounts else "<account-id>"
    return f'"ArnLike": {{"aws:SourceArn": "arn:<partition>:{service}:<region>:{account}:*"}}'


def source_account_suggestion(accounts: Sequence[str]) -> str:
    account = accounts[0] if accounts else "<account-id>"
    return f'"StringEquals": {{"aws:SourceAccount": "{account}"}}'


def pinned_accounts(statement: Statement) -> list[str]:
    """Account IDs the statement pins with StringEquals aws:SourceAccount."""
    accounts: list[str] = []
    for entry in condition_entries(statement.conditions, SOURCE_ACCOUNT):
        if entry.base == "stringequals" and not entry.if_exists and entry.set_qualifier is None:
            accounts.extend(v for v in entry.values if _ACCOUNT_ID.match(v))
    return accounts


def confused_deputy_problems(
    statement: Statement,
    principal: str,
    required_keys: Iterable[str] = DEFAULT_REQUIRED_KEYS,
) -> tuple[list[str], list[str]]:
    """Problems with the confused-deputy conditions of one grant to one service principal.

    Returns (problems, unknown notes). Each problem is a sentence fragment that starts
    with the statement's label, says what was found, what is expected and how to fix it.
    """
    service = principal_service(principal)
    required = {key.lower() for key in required_keys}
    problems: list[str] = []
    unknowns: list[str] = []
    accounts = pinned_accounts(statement)
    where = f"{statement.label} (grant to {principal})"

    for key in (SOURCE_ACCOUNT, SOURCE_ARN):
        entries = condition_entries(statement.conditions, key)
        expected = _EXPECTED_OPERATORS[key.lower()]
        relevant = [e for e in entries if "not" not in e.base and e.base not in _IGNORED_OPERATORS]
        for entry in relevant:
            if entry.unknown:
                unknowns.append(f"{where}: the value of `Condition.{entry.operator}.{key}`")
        if not relevant:
            if key.lower() in required:
                fix = (
                    source_account_suggestion(accounts)
                    if key == SOURCE_ACCOUNT
                    else source_arn_suggestion(service, accounts)
                )
                problems.append(f"{where} has no `{key}` condition; add {fix}")
            continue
        for entry in relevant:
            problems.extend(_operator_problems(where, key, entry, expected))
        if key == SOURCE_ACCOUNT:
            for entry in relevant:
                for value in entry.values:
                    if not _ACCOUNT_ID.match(value) and "*" not in value and "?" not in value:
                        problems.append(
                            f"{where} pins `{key}` to '{value}', which is not a 12-digit "
                            "account ID; name the one account that owns the source"
                        )
        else:
            for entry in relevant:
                for value in entry.values:
                    problems.extend(_source_arn_problems(where, service, value, accounts))
    return problems, unknowns


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
            + " or ".join(
                f"`{op}`"
                for op in (("StringEquals",) if key == SOURCE_ACCOUNT else ("ArnLike", "ArnEquals"))
            )
        )
    if not entry.base.endswith("like"):
        for value in entry.values:
            if "*" in value or "?" in value:
                fix = (
                    "name the account ID"
                    if key == SOURCE_ACCOUNT
                    else "use `ArnLike` for a pattern"
                )
                problems.append(
                    f"{where} uses the wildcard value '{value}' for `{key}` under "
                    f"`{entry.operator}`, where a wildcard is compared literally; a wildcard "
                    f"belongs only under a Like operator: {fix}"
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
    if not arn.account:
        if arn.service.lower() not in ACCOUNTLESS_ARN_SERVICES:
            problems.append(
                f"{where} pins `{SOURCE_ARN}` to '{value}', which names no account; put the "
                "account ID in the ARN's fifth field"
            )
    elif "*" in arn.account or "?" in arn.account:
        problems.append(
            f"{where} pins `{SOURCE_ARN}` to '{value}', whose account field is a wildcard, so "
            "any account's resources match; put the account ID in the ARN's fifth field"
        )
    elif accounts and arn.account not in accounts:
        problems.append(
            f"{where} pins `{SOURCE_ARN}` to account {arn.account} but `{SOURCE_ACCOUNT}` "
            f"to {', '.join(accounts)}; both must name the same account"
        )
    return problems
