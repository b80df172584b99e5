"""The one IAM evaluator: would the service deliver a WABA's events to a destination?

Both the pre-flight of `pulumi up` (components/waba/preflight.py) and the live check of
an account's WABAs (destination_review/live_check.py) decide with these functions: the
key policy, the topic policy, the channel role's trust policy and permissions,
evaluated for the service principal in the request context of a delivery (the WABA's
account as aws:SourceAccount, its ARN as aws:SourceArn). Everything here is pure: the
documents come in as the APIs return them.

A grant that holds for this WABA may also hold for another account's or Region's WABA:
then it lacks the confused-deputy conditions. The pre-flight accepts such a grant (the
events arrive); the live check reports it (`confined=True`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

from components.arns import parse_arn
from components.policy_documents import (
    CONNECT_EVENT_DELIVERY_ACTIONS,
    CONNECT_PHONE_NUMBER_IMPORT_ACTIONS,
    confused_deputy_condition,
    connect_channel_trust_policy,
    topic_key_policy,
    topic_policy,
)
from components.waba.model import SERVICE_PRINCIPAL

AWS_MANAGED_SNS_ALIAS = "alias/aws/sns"
# What the service needs to publish to an encrypted topic.
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
TOPIC_ACTIONS = ("sns:Publish",)
TRUST_ACTIONS = ("sts:AssumeRole",)
CHANNEL_ROLE_ACTIONS = tuple(CONNECT_EVENT_DELIVERY_ACTIONS)
# The channel role's documented permissions: event delivery and phone-number import.
DOCUMENTED_CHANNEL_ROLE_ACTIONS = CHANNEL_ROLE_ACTIONS + tuple(CONNECT_PHONE_NUMBER_IMPORT_ACTIONS)
# Condition keys whose value is known for a delivery; others are assumed to hold.
_SOURCE_ACCOUNT = "aws:sourceaccount"
_SOURCE_ARN = "aws:sourcearn"
# Stand-ins for "some other account" and "some other Region" when testing whether a
# grant is confined to this account and Region.
_OTHER_ACCOUNTS = ("000000000000", "111111111111")
_OTHER_REGION = "other-region-1"


class Problem(str):
    """Why events would not arrive (or could reach the wrong party), with what to do.
    It reads as its message; `kind` names it for machines (the live check's --json)."""

    kind: str

    def __new__(cls, kind: str, message: str) -> Problem:
        problem = super().__new__(cls, message)
        problem.kind = kind
        return problem


@dataclass(frozen=True)
class DeliveryContext:
    """The request context of the service when it delivers a WABA's events: the
    WABA's account as aws:SourceAccount and its ARN as aws:SourceArn."""

    partition: str
    region: str
    account: str
    waba_arn: str

    @classmethod
    def from_waba_arn(cls, waba_arn: str) -> DeliveryContext:
        arn = parse_arn(waba_arn)
        if arn is None:
            raise ValueError(f"not a WABA ARN: {waba_arn!r}")
        return cls(arn.partition, arn.region, arn.account, waba_arn)

    def condition_values(self) -> dict[str, str]:
        # The service calls SNS and KMS over TLS: a TLS-only Deny does not reach it.
        return {
            _SOURCE_ACCOUNT: self.account,
            _SOURCE_ARN: self.waba_arn,
            "aws:securetransport": "true",
        }

    def confused_deputy_condition(self) -> dict[str, Any]:
        return confused_deputy_condition(self.partition, self.region, self.account)

    def elsewhere(self) -> list[DeliveryContext]:
        """A WABA of another account in this Region, and one of this account in another
        Region: a grant confined by the confused-deputy conditions holds for neither."""
        waba = parse_arn(self.waba_arn)
        assert waba is not None, "a delivery context is made from a WABA's ARN"
        account = next(a for a in _OTHER_ACCOUNTS if a != self.account)
        return [
            replace(
                self,
                account=other.account,
                region=other.region,
                waba_arn=str(other),
            )
            for other in (replace(waba, account=account), replace(waba, region=_OTHER_REGION))
        ]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM wildcard matching: `*` is any run of characters, `?` one character.

    Without regular expressions: a policy read from an account can hold any pattern, and
    a backtracking regex of many `*` takes exponential time on a long value. This walk
    keeps one fallback (the last `*`), so it costs at most len(pattern) * len(value)."""
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    p = v = 0
    star, resume = -1, 0
    while v < len(value):
        if p < len(pattern) and pattern[p] == "*":
            star, resume, p = p, v, p + 1
        elif p < len(pattern) and pattern[p] in ("?", value[v]):
            p, v = p + 1, v + 1
        elif star >= 0:
            resume += 1
            p, v = star + 1, resume
        else:
            return False
    return all(c == "*" for c in pattern[p:])


def load_policy(document: Any) -> dict[str, Any]:
    """A policy document as a dict: APIs return it parsed, as JSON, or URL-encoded."""
    if isinstance(document, dict):
        return document
    if not document:
        return {}
    text = str(document)
    if text.lstrip().startswith("%7B") or text.lstrip().startswith("%7b"):
        text = unquote(text)
    parsed = json.loads(text)
    return parsed if isinstance(parsed, dict) else {}


def invalid_policy_problem(what: str, error: ValueError) -> Problem:
    """A policy document that does not parse: no grant in it can be checked, so verify
    fails and names the document instead of stopping with a traceback."""
    return Problem(
        "policy-not-json",
        f"{what} is not valid JSON ({error}), so it cannot be checked for the grant "
        f"{SERVICE_PRINCIPAL} needs; fix the policy document.",
    )


def principal_is_service(principal: Any, service: str) -> bool:
    """The statement's principal includes the service principal (or everyone)."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return service in _as_list(principal.get("Service")) or "*" in _as_list(principal.get("AWS"))


def _operator_holds(operator: str, actual: str, expected: list[str]) -> bool | None:
    """One condition operator on one known value; None when the operator is not one we
    evaluate (then the condition is assumed to hold)."""
    base = operator.split(":", 1)[-1].removesuffix("IfExists")
    values = [str(v) for v in expected]
    if base in ("StringEquals", "ArnEquals"):
        return actual in values
    if base == "Bool":
        return actual.lower() in (v.lower() for v in values)
    if base == "StringEqualsIgnoreCase":
        return actual.lower() in (v.lower() for v in values)
    if base in ("StringLike", "ArnLike"):
        return any(_wildcard(v, actual) for v in values)
    if base in ("StringNotEquals", "ArnNotEquals"):
        return actual not in values
    if base in ("StringNotLike", "ArnNotLike"):
        return not any(_wildcard(v, actual) for v in values)
    return None


def condition_holds(condition: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    """Whether a statement's Condition block holds for a delivery. Only the keys a
    delivery is known to carry (aws:SourceAccount, aws:SourceArn) are evaluated."""
    for operator, block in condition.items():
        if not isinstance(block, dict):
            continue
        for key, expected in block.items():
            actual = context.get(str(key).lower())
            if actual is None:
                continue
            verdict = _operator_holds(operator, actual, _as_list(expected))
            if verdict is False:
                return False
    return True


def granted_actions(
    document: Mapping[str, Any],
    actions: Iterable[str],
    context: Mapping[str, str],
    resource: str | None = None,
    service: str = SERVICE_PRINCIPAL,
) -> set[str]:
    """The actions a resource policy lets the service principal perform on `resource`
    (None for a trust policy) in this delivery context, after explicit denies.
    Statements with NotPrincipal, NotAction or NotResource are not evaluated."""
    allowed: set[str] = set()
    denied: set[str] = set()
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict):
            continue
        if {"NotPrincipal", "NotAction", "NotResource"} & set(statement):
            continue
        if not principal_is_service(statement.get("Principal"), service):
            continue
        if resource is not None and not any(
            _wildcard(str(pattern), resource) for pattern in _as_list(statement.get("Resource"))
        ):
            continue
        if not condition_holds(statement.get("Condition") or {}, context):
            continue
        for action in actions:
            if any(_wildcard(str(p), action, True) for p in _as_list(statement.get("Action"))):
                (allowed if statement.get("Effect") == "Allow" else denied).add(action)
    return allowed - denied


def granted_elsewhere(
    document: Mapping[str, Any],
    actions: Iterable[str],
    context: DeliveryContext,
    resource: str | None = None,
) -> set[str]:
    """The actions the document also grants the service for another account's or
    another Region's WABA: what the confused-deputy conditions would have refused."""
    found: set[str] = set()
    for other in context.elsewhere():
        found |= granted_actions(document, actions, other.condition_values(), resource)
    return found


def identity_allows(documents: Iterable[Mapping[str, Any]], action: str) -> bool:
    """Some identity policy of the role allows the action (explicit denies win)."""
    allowed = denied = False
    for document in documents:
        for statement in _as_list(document.get("Statement")):
            if not isinstance(statement, dict) or "NotAction" in statement:
                continue
            if any(_wildcard(str(p), action, True) for p in _as_list(statement.get("Action"))):
                if statement.get("Effect") == "Allow":
                    allowed = True
                else:
                    denied = True
    return allowed and not denied


def _statement(document: Mapping[str, Any], sid: str) -> dict[str, Any]:
    """The statement of one of this project's documents (policy_documents.py) that
    grants the service: the one to add where it is missing."""
    return next(s for s in document["Statement"] if s.get("Sid") == sid)


def key_grant_statement(context: DeliveryContext) -> dict[str, Any]:
    document = topic_key_policy(context.partition, context.region, context.account)
    return _statement(document, "AllowSocialMessagingToUseKey")


def topic_grant_statement(topic_arn: str, context: DeliveryContext) -> dict[str, Any]:
    document = topic_policy(context.partition, context.region, context.account, topic_arn)
    return _statement(document, "AllowSocialMessagingPublish")


def trust_statement(context: DeliveryContext) -> dict[str, Any]:
    document = connect_channel_trust_policy(context.partition, context.region, context.account)
    return _statement(document, "AllowSocialMessagingToAssumeRole")


def is_aws_managed_sns_key_reference(key_id: str) -> bool:
    """The AWS managed SNS key named by alias, in any partition's alias ARN form."""
    if key_id == AWS_MANAGED_SNS_ALIAS:
        return True
    arn = parse_arn(key_id)
    return arn is not None and arn.service == "kms" and arn.resource == AWS_MANAGED_SNS_ALIAS


def aws_managed_key_problem(topic_arn: str, key_id: str) -> Problem:
    return Problem(
        "key-aws-managed",
        f"topic {topic_arn} is encrypted with the AWS managed key {key_id}; its key policy "
        "cannot be changed to let social-messaging.amazonaws.com use it, so every event "
        "would be dropped. Encrypt the topic with a customer managed symmetric KMS key.",
    )


def topic_problems(topic_arn: str, attributes: Mapping[str, str]) -> list[Problem]:
    """A destination topic must be standard."""
    if attributes.get("FifoTopic", "false").lower() == "true" or topic_arn.endswith(".fifo"):
        return [
            Problem(
                "topic-fifo",
                f"topic {topic_arn} is a FIFO topic; AWS End User Messaging Social only "
                "publishes to standard topics. Use a standard topic.",
            )
        ]
    return []


def key_problems(topic_arn: str, metadata: Mapping[str, Any]) -> list[Problem]:
    """The topic's key must be customer managed, enabled, symmetric, for encryption."""
    key_arn = metadata.get("Arn") or metadata.get("KeyId")
    problems = []
    if metadata.get("KeyManager") == "AWS":
        problems.append(aws_managed_key_problem(topic_arn, str(key_arn)))
    if metadata.get("KeyState", "Enabled") != "Enabled":
        problems.append(
            Problem(
                "key-not-enabled",
                f"KMS key {key_arn} of topic {topic_arn} is {metadata.get('KeyState')}; "
                "the service cannot encrypt events with it. Enable the key (cancel its "
                "deletion first if it is pending deletion) or use another one.",
            )
        )
    spec = metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec")
    usage = metadata.get("KeyUsage")
    if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
        problems.append(
            Problem(
                "key-not-symmetric",
                f"KMS key {key_arn} of topic {topic_arn} has key spec {spec} and usage "
                f"{usage}; SNS encryption needs a symmetric key (SYMMETRIC_DEFAULT, "
                "ENCRYPT_DECRYPT). Create a symmetric key and set it as the topic's "
                "KmsMasterKeyId.",
            )
        )
    return problems


def _unconfined(what: str, actions: set[str], statement: Mapping[str, Any]) -> Problem:
    return Problem(
        f"{what.split()[0]}-policy-unconfined",
        f"{what} lets {SERVICE_PRINCIPAL} {' and '.join(sorted(actions))} for WABAs of "
        "other accounts or Regions too (no confused-deputy conditions); give the grant "
        f"this Condition: {json.dumps(statement['Condition'])}",
    )


def _grant_problems(
    document: Mapping[str, Any],
    actions: tuple[str, ...],
    context: DeliveryContext,
    resource: str | None,
    confined: bool,
    what: str,
    statement: Mapping[str, Any],
    no_grant: Callable[[list[str]], Problem] | None = None,
) -> list[Problem]:
    """The grant of `actions` to the service in `document` (the `what`, such as "key
    policy of KMS key ..."): missing for this WABA, or (with `confined`) holding for
    other accounts' or Regions' WABAs too."""
    granted = granted_actions(document, actions, context.condition_values(), resource)
    missing = [action for action in actions if action not in granted]
    if missing and no_grant is not None:
        return [no_grant(missing)]
    if missing:
        policy = " ".join(what.split()[:2])
        return [
            Problem(
                f"{what.split()[0]}-policy-no-grant",
                f"the {what} does not let {SERVICE_PRINCIPAL} {' and '.join(missing)} for "
                f"WABA {context.waba_arn}; add this statement to the {policy}: "
                f"{json.dumps(statement)}",
            )
        ]
    leaked = granted_elsewhere(document, actions, context, resource) if confined else set()
    return [_unconfined(what, leaked, statement)] if leaked else []


def key_policy_problems(
    key_arn: str, policy: Mapping[str, Any], context: DeliveryContext, confined: bool = False
) -> list[Problem]:
    """The key policy lets the service generate data keys and decrypt for this WABA
    (and, with `confined`, for no other account's or Region's)."""
    return _grant_problems(
        policy,
        KEY_ACTIONS,
        context,
        key_arn,
        confined,
        f"key policy of KMS key {key_arn}",
        key_grant_statement(context),
    )


def topic_policy_problems(
    topic_arn: str, policy: Mapping[str, Any], context: DeliveryContext, confined: bool = False
) -> list[Problem]:
    """The topic policy lets the service publish to this topic for this WABA (and,
    with `confined`, for no other account's or Region's)."""
    return _grant_problems(
        policy,
        TOPIC_ACTIONS,
        context,
        topic_arn,
        confined,
        f"topic policy of {topic_arn}",
        topic_grant_statement(topic_arn, context),
    )


def trust_problems(
    role_arn: str, trust: Mapping[str, Any], context: DeliveryContext, confined: bool = False
) -> list[Problem]:
    """The channel role trusts the service for this WABA (and, with `confined`, for no
    other account's or Region's)."""
    statement = trust_statement(context)
    return _grant_problems(
        trust,
        TRUST_ACTIONS,
        context,
        None,
        confined,
        f"trust policy of role {role_arn}",
        statement,
        lambda _: Problem(
            "role-no-trust",
            f"role {role_arn} does not trust {SERVICE_PRINCIPAL} for WABA {context.waba_arn}; "
            f"add this statement to its trust policy: {json.dumps(statement)}",
        ),
    )


def channel_role_permission_problems(
    role_arn: str,
    documents: list[dict[str, Any]],
    actions: tuple[str, ...] = CHANNEL_ROLE_ACTIONS,
) -> list[Problem]:
    """The channel role may send integration events into Connect (and, asked for the
    documented set, import the WABA's phone numbers)."""
    missing = [a for a in actions if not identity_allows(documents, a)]
    if not missing:
        return []
    return [
        Problem(
            "role-permissions-missing",
            f"role {role_arn} has no policy that allows {', '.join(missing)}; Connect would "
            "not receive the WABA's events. Attach a policy that allows it on Resource '*'.",
        )
    ]


def unencrypted_topic_problem(topic_arn: str) -> Problem:
    """The live check holds a topic to what this project builds: encrypted at rest with a
    customer managed key (the pre-flight accepts an unencrypted topic: events arrive)."""
    return Problem(
        "topic-not-encrypted",
        f"topic {topic_arn} is not encrypted; the WABA's messages are stored unencrypted at "
        "rest. Set the topic's KmsMasterKeyId to a customer managed symmetric KMS key whose "
        f"key policy grants {SERVICE_PRINCIPAL} (this project's encrypted topic does both).",
    )
