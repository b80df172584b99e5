"""Rule `service-principal-confused-deputy`: grants to service principals name their source.

Every Allow that grants a `Service` principal in a key policy, topic policy, queue policy
or role trust policy must carry `aws:SourceAccount` (StringEquals) and `aws:SourceArn`
(ArnLike/ArnEquals), naming the same account; otherwise another AWS customer can make the
service use this account's key, topic, queue or role on their behalf.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .arns import SOCIAL_MESSAGING_PRINCIPAL, principal_service
from .conditions import (
    DEFAULT_REQUIRED_KEYS,
    confused_deputy_problems,
    pins_an_account,
)
from .config import string_list_setting
from .documents import PRINCIPAL_KEYS, Statement, parse_document
from .values import Outcome, Resource, first_unknown_path, is_unknown

POLICY_NAME = "service-principal-confused-deputy"
REQUIRED_KEYS = "requiredKeys"
EXEMPT_SERVICES = "exemptServices"

# Which property of which resource type holds a resource or trust policy.
POLICY_PROPERTIES: Mapping[str, str] = {
    "aws:kms/key:Key": "policy",
    "aws:kms/keyPolicy:KeyPolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sqs/queue:Queue": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:iam/role:Role": "assumeRolePolicy",
}


def is_exempt(principal: str, exempt: list[str]) -> bool:
    """Exemptions match a principal (`lambda.amazonaws.com`) or its service name (`lambda`)."""
    service = principal_service(principal)
    return any(item.strip().lower() in (principal.strip().lower(), service) for item in exempt)


def exempt_services(config: Mapping[str, Any]) -> list[str]:
    """The `exemptServices` setting; social-messaging itself can never be exempted.

    AWS End User Messaging Social sends both condition keys, and its grants are the ones
    this pack exists to protect: exempting it would switch the check off where it matters.
    """
    exempt = string_list_setting(config, POLICY_NAME, EXEMPT_SERVICES, [])
    refused = [item for item in exempt if is_exempt(SOCIAL_MESSAGING_PRINCIPAL, [item])]
    if refused:
        raise ValueError(
            f"Policy '{POLICY_NAME}' setting `{EXEMPT_SERVICES}` contains {refused!r}; "
            f"{SOCIAL_MESSAGING_PRINCIPAL} sends aws:SourceAccount and aws:SourceArn and is the "
            "service this pack protects, so it cannot be exempted. Remove it from the "
            f'--policy-pack-config file under "{POLICY_NAME}".'
        )
    return exempt


def _unknown_grant_path(statement: Statement) -> str | None:
    """Where an unknown hides what a statement grants (effect, principal, condition blocks).

    Unknown condition values are judged later, key by key, so they do not hide the rest.
    """
    if not statement.effect and statement.unknown_path:
        return statement.unknown_path
    base = f".Statement[{statement.index}]"
    if is_unknown(statement.effect):
        return f"{base}.Effect"
    for field_name, value in (
        ("Principal", statement.principal),
        ("NotPrincipal", statement.not_principal),
    ):
        path = first_unknown_path(value, f"{base}.{field_name}")
        if path is not None:
            return path
    if is_unknown(statement.raw_condition):
        return f"{base}.Condition"
    for operator, block in statement.conditions.items():
        if is_unknown(block):
            return f"{base}.Condition.{operator}"
    return None


def check_confused_deputy(resource: Resource, config: Mapping[str, Any]) -> Outcome:
    """Judge the policy property of one resource, statement by statement."""
    required = string_list_setting(
        config,
        POLICY_NAME,
        REQUIRED_KEYS,
        list(DEFAULT_REQUIRED_KEYS),
        list(DEFAULT_REQUIRED_KEYS),
        min_items=1,
    )
    exempt = exempt_services(config)
    outcome = Outcome()
    prop = POLICY_PROPERTIES.get(resource.type)
    if prop is None:
        return outcome
    document = parse_document(resource.get(prop))
    where = f"`{prop}` of {resource.label}"
    if document.unknown:
        outcome.unknown(
            f"{where}{' at ' + document.unknown_path if document.unknown_path else ''} "
            "is unknown at preview"
        )
        return outcome
    if document.problem is not None:
        outcome.add(f"{where} {document.problem}; fix the document so its grants can be judged.")
        return outcome
    for statement in document.statements:
        unknown_path = _unknown_grant_path(statement)
        if unknown_path is not None:
            outcome.unknown(f"{where}: {statement.label} has an unknown value at {unknown_path}")
            continue
        if not statement.is_allow:
            continue
        for field_name, key in statement.misspelt_principal_keys():
            outcome.add(
                f"{where}: {statement.label} names its principal under `{field_name}.{key}`, "
                "which IAM does not know (the keys are case-sensitive: `AWS`, `Service`, "
                "`Federated`, `CanonicalUser`), so AWS refuses the policy or the statement grants "
                f"no one; write `{_principal_key_suggestion(key)}`."
            )
        if statement.not_principal is not None:
            outcome.add(
                f"{where}: {statement.label} allows with `NotPrincipal`, which grants every "
                "principal not listed, service principals included, with no confused-deputy "
                "condition; name the principals in `Principal` instead and add `aws:SourceAccount` "
                "and `aws:SourceArn` conditions for service principals."
            )
            continue
        if statement.principal_is_wildcard:
            _check_wildcard_grant(where, statement, outcome)
        for principal in statement.service_principals():
            if is_exempt(principal, exempt):
                continue
            problems, unknowns = confused_deputy_problems(statement, principal, required)
            for problem in problems:
                outcome.add(f"{where}: {problem}.")
            for note in unknowns:
                outcome.unknown(f"{where}: {note} is unknown at preview")
    return outcome


def _check_wildcard_grant(where: str, statement: Statement, outcome: Outcome) -> None:
    """An Allow to every principal must pin an account: otherwise anyone, services included."""
    problems, unknowns = confused_deputy_problems(statement, "*", required_keys=())
    for problem in problems:
        outcome.add(f"{where}: {problem}.")
    for note in unknowns:
        outcome.unknown(f"{where}: {note} is unknown at preview")
    if pins_an_account(statement):
        return
    if statement.unknown_path is not None:
        outcome.unknown(
            f"{where}: {statement.label} allows every principal and has an unknown value at "
            f"{statement.unknown_path}, so it is not known whether a condition pins an account"
        )
        return
    outcome.add(
        f"{where}: {statement.label} allows every principal (`Principal` "
        f"{json.dumps(statement.principal)}) with no condition that pins an account, so any AWS "
        "account, and any AWS service acting for one, can use it; name the principals instead, "
        'or add a condition such as "StringEquals": {"aws:SourceAccount": "<account-id>"} '
        '(with "ArnLike": {"aws:SourceArn": ...}) for services or "StringEquals": '
        '{"aws:PrincipalAccount": "<account-id>"} for IAM principals.'
    )


def _principal_key_suggestion(key: str) -> str:
    return next((known for known in PRINCIPAL_KEYS if known.lower() == key.lower()), "Service")
