"""How a statement applies to the requests social-messaging.amazonaws.com makes to deliver.

The pack cannot ask IAM, but it knows most of what the service's delivery requests carry:
they arrive over TLS from an AWS service principal, they carry `aws:SourceAccount` and
`aws:SourceArn` (the WABA's account and ARN), and they carry none of the keys that describe
an IAM principal (`aws:PrincipalAccount`, `aws:PrincipalArn`, ...). That is enough to tell
whether a Deny stops the service, and whether an Allow to every principal lets it in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .arns import SOCIAL_MESSAGING_PRINCIPAL, SOCIAL_MESSAGING_SERVICE, parse_arn
from .arns import is_social_messaging_principal as _is_social_messaging
from .conditions import (
    POSITIVE_OPERATORS,
    Operator,
    holds_for_absent_key,
    holds_for_value,
    parse_operator,
)
from .documents import (
    Statement,
    as_strings,
    covers_resource,
    is_mapping,
    names_action,
    wildcard_match,
)
from .values import is_unknown

# Keys whose value the service's request has, whatever the WABA.
_SERVICE_VALUES = {
    "aws:securetransport": "true",
    "aws:principalisawsservice": "true",
    "aws:principalservicename": SOCIAL_MESSAGING_PRINCIPAL,
}
# Keys a service principal's request does not carry: they describe IAM principals or a VPC.
_ABSENT_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:vpcsourceip",
    }
)
_ABSENT_PREFIXES = ("aws:principaltag/",)
_SOURCE_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn"})
_WABA_RESOURCE = "waba/"


@dataclass(frozen=True)
class ServiceRequest:
    """What the stack tells about the WABA the service acts for (None where it does not)."""

    partition: str | None = None
    region: str | None = None
    account: str | None = None


@dataclass(frozen=True)
class Verdict:
    """Whether every condition of a statement holds for the service's request.

    `holds` is None when some condition cannot be evaluated; `undecided` names them, and
    `source_only` says they only need the WABA's account, Region or partition.
    """

    holds: bool | None
    reasons: tuple[str, ...] = ()
    undecided: tuple[str, ...] = ()
    source_only: bool = True


def evaluate(statement: Statement, request: ServiceRequest) -> Verdict:
    """AND of the statement's conditions for the service's request, as IAM evaluates them."""
    if statement.raw_condition is not None and not is_mapping(statement.raw_condition):
        return Verdict(None, undecided=("`Condition`",), source_only=False)
    reasons: list[str] = []
    undecided: list[str] = []
    source_only = True
    for name, block in statement.conditions.items():
        path = f"`Condition.{name}`"
        operator = parse_operator(str(name))
        if operator is None or not is_mapping(block):
            undecided.append(path)
            source_only = False
            continue
        for key, raw in block.items():
            where = f"`Condition.{name}.{key}`"
            values = raw if isinstance(raw, list) else [raw]
            if any(is_unknown(v) for v in values):
                undecided.append(where)
                source_only = False
                continue
            holds, reason = _condition(operator, str(key).lower(), as_strings(values), request)
            if holds is False:
                return Verdict(False)
            if holds is None:
                undecided.append(where)
                source_only = source_only and str(key).lower() in _SOURCE_KEYS
            else:
                reasons.append(f"{where} {reason}")
    if undecided:
        return Verdict(None, tuple(reasons), tuple(undecided), source_only)
    return Verdict(True, tuple(reasons) or ("it has no condition",))


def _condition(
    operator: Operator, key: str, values: tuple[str, ...], request: ServiceRequest
) -> tuple[bool | None, str]:
    if key in _ABSENT_KEYS or key.startswith(_ABSENT_PREFIXES):
        return holds_for_absent_key(
            operator, values
        ), "holds: a service principal's request has no such key"
    if key in _SERVICE_VALUES:
        actual = _SERVICE_VALUES[key]
        return holds_for_value(operator, actual, values), f"holds for the service's '{actual}'"
    if key == "aws:sourceaccount":
        if operator.base == "Null":
            return holds_for_value(operator, "", values), "holds: the service always sends it"
        if request.account is None:
            return None, ""
        result = holds_for_value(operator, request.account, values)
        return result, f"holds for the WABA's account {request.account}"
    if key == "aws:sourcearn":
        return _source_arn(operator, values, request), "holds for the WABA's ARN"
    return None, ""


def _source_arn(
    operator: Operator, values: tuple[str, ...], request: ServiceRequest
) -> bool | None:
    """`aws:SourceArn` is the WABA's ARN; its resource ID is never known to the pack."""
    if operator.base == "Null":
        return any(v.strip().lower() == "false" for v in values)
    base = POSITIVE_OPERATORS.get(operator.base, operator.base)
    if base not in ("StringEquals", "StringLike", "ArnEquals", "ArnLike"):
        return None
    results = [
        _waba_arn_matches(v, wildcards=base != "StringEquals", request=request) for v in values
    ]
    matched: bool | None = True if True in results else (None if None in results else False)
    if matched is None or base == operator.base:
        return matched
    return not matched


def _waba_arn_matches(pattern: str, wildcards: bool, request: ServiceRequest) -> bool | None:
    if wildcards and pattern.strip() == "*":
        return True
    arn = parse_arn(pattern)
    if arn is None:
        return None
    result: bool | None = True
    for part, actual in (
        (arn.partition, request.partition),
        (arn.service, SOCIAL_MESSAGING_SERVICE),
        (arn.region, request.region),
        (arn.account, request.account),
    ):
        if wildcards and part == "*":
            continue
        if actual is None:
            result = None
        elif not (wildcard_match(part, actual, True) if wildcards else part == actual):
            return False
    if wildcards and arn.resource in ("*", f"{_WABA_RESOURCE}*"):
        return result
    literal = re.split(r"[*?]", arn.resource)[0] if wildcards else arn.resource
    if not (_WABA_RESOURCE.startswith(literal) or literal.startswith(_WABA_RESOURCE)):
        return False
    return None


def admits_social_messaging(statement: Statement) -> bool:
    """Whether an Allow to every principal lets social-messaging.amazonaws.com in.

    Conditions on the WABA's account or ARN count as admitting it: the stack cannot tell
    which WABA will use the grant. Any other condition that is not known to hold (an
    `aws:PrincipalAccount`, `aws:SourceOwner`, ...) does not.
    """
    if not statement.is_allow or not statement.principal_is_wildcard:
        return False
    verdict = evaluate(statement, ServiceRequest())
    return verdict.holds is True or (verdict.holds is None and verdict.source_only)


def grants_social_messaging(statement: Statement) -> bool:
    """An Allow naming the service principal, or to every principal in a way that admits it."""
    return statement.grants_service(_is_social_messaging) or admits_social_messaging(statement)


def deny_names_service(statement: Statement) -> bool:
    """A Deny whose principals include social-messaging.amazonaws.com."""
    if statement.effect.strip().lower() != "deny":
        return False
    if statement.principal_is_wildcard:
        return True
    if any(p.strip() == "*" or _is_social_messaging(p) for p in statement.service_principals()):
        return True
    if statement.not_principal is not None:
        return not _names_social_messaging(statement.not_principal)
    return False


def _names_social_messaging(principal: Any) -> bool:
    if not is_mapping(principal):
        return False
    return any(_is_social_messaging(p) for p in as_strings(principal.get("Service")))


def deny_verdict(
    statement: Statement,
    action: str,
    request: ServiceRequest,
    resource_arn: str | None = None,
    resource_name: str | None = None,
    check_resource: bool = False,
) -> Verdict | None:
    """How a Deny applies to the service's `action`; None when it does not name them at all."""
    if not deny_names_service(statement) or not names_action(statement, action):
        return None
    if check_resource and not covers_resource(statement, resource_arn, resource_name):
        return None
    return evaluate(statement, request)


def request_for(arn: str | None) -> ServiceRequest:
    """The WABA's partition, Region and account, from the ARN of a destination in its account.

    The destination topic or Connect instance is in the WABA's account and Region.
    """
    parsed = parse_arn(arn) if arn else None
    if parsed is None:
        return ServiceRequest()
    return ServiceRequest(parsed.partition or None, parsed.region or None, parsed.account or None)
