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

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
)

from .arns import SOCIAL_MESSAGING_PRINCIPAL, principal_service
from .conditions import (
    DEFAULT_REQUIRED_KEYS,
    confused_deputy_problems,
    pins_an_account,
)
from .config import SettingError, string_list_setting
from .documents import PRINCIPAL_KEYS, Statement, parse_document
from .engine import resource_validation
from .metadata import TAGS
from .model import Node
from .values import Outcome, first_unknown_path, is_unknown

POLICY_NAME = "service-principal-confused-deputy"
REQUIRED_KEYS = "requiredKeys"
EXEMPT_SERVICES = "exemptServices"


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
        raise SettingError(
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


def check_confused_deputy(resource: Node, config: Mapping[str, Any]) -> Outcome:
    """Judge the resource and trust policies of one resource, statement by statement.

    Which properties hold them comes from the resource's adapter: a key's `policy` or
    `keyPolicy`, a topic's `policy`, a topic, key or queue policy resource's `policy` or
    `policyDocument`, a role's `assumeRolePolicy` or `assumeRolePolicyDocument`.
    """
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
    for field_name in resource.shape.documents:
        _check_document(resource, field_name, required, exempt, outcome)
    return outcome


def _check_document(
    resource: Node, field_name: str, required: list[str], exempt: list[str], outcome: Outcome
) -> None:
    document = parse_document(resource.get(field_name), resource.may_hold_unknowns(field_name))
    where = f"`{resource.prop(field_name)}` of {resource.label}"
    if document.unknown:
        outcome.unknown(
            f"{where}{' at ' + document.unknown_path if document.unknown_path else ''} "
            "is unknown at preview"
        )
        return
    if document.problem is not None:
        outcome.add(f"{where} {document.problem}; fix the document so its grants can be judged.")
        return
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
        _check_service_grants(where, statement, required, exempt, outcome)


# Problems one statement may yield: past these, one line counts the rest (one statement
# naming 400 services under 400 bad values would otherwise yield 160,000).
MAX_PROBLEMS_PER_STATEMENT = 10


def _check_service_grants(
    where: str, statement: Statement, required: list[str], exempt: list[str], outcome: Outcome
) -> None:
    shown = hidden = unjudged = 0
    for principal in statement.service_principals():
        if is_exempt(principal, exempt):
            continue
        if shown >= MAX_PROBLEMS_PER_STATEMENT:
            unjudged += 1  # the statement is refused already: the rest is not judged
            continue
        problems, unknowns = confused_deputy_problems(statement, principal, required)
        for problem in problems[: MAX_PROBLEMS_PER_STATEMENT - shown]:
            outcome.add(f"{where}: {problem}.")
        hidden += max(0, len(problems) - (MAX_PROBLEMS_PER_STATEMENT - shown))
        shown = min(MAX_PROBLEMS_PER_STATEMENT, shown + len(problems))
        for note in unknowns[:MAX_PROBLEMS_PER_STATEMENT]:
            outcome.unknown(f"{where}: {note} is unknown at preview")
    if hidden or unjudged:
        outcome.add(
            f"{where}: {statement.label} has more problems than the {shown} listed "
            f"({hidden:,} more found, and the grants to {unjudged:,} more service principals "
            "not judged); fix the ones listed and run again to see the rest."
        )


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


def policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=POLICY_NAME,
        display_name="Service-principal grants carry confused-deputy conditions",
        description=(
            "Every Allow to a Service principal in a key, topic, queue or trust policy must "
            "carry aws:SourceAccount (StringEquals) and aws:SourceArn (ArnLike/ArnEquals) for "
            "one and the same account, and an Allow to every principal must pin an account, so "
            "no other AWS account can make the service act on this resource."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.CRITICAL,
        tags=TAGS,
        remediation_steps=(
            'Add "Condition": {"StringEquals": {"aws:SourceAccount": "<account-id>"}, '
            '"ArnLike": {"aws:SourceArn": '
            '"arn:<partition>:<service>:<region>:<account-id>:<resource>"}} to the statement. '
            "Use wildcards only under ArnLike/ArnEquals/StringLike, never an ...IfExists or "
            "ForAnyValue:/ForAllValues: operator, operators and Principal keys spelt as IAM "
            "spells them, and one account, the same in both keys. Replace an Allow with "
            'NotPrincipal by an explicit Principal, and pin an Allow to "*" to an account '
            "(aws:SourceAccount for services, aws:PrincipalAccount for IAM principals)."
        ),
        config_schema=PolicyConfigSchema(
            properties={
                REQUIRED_KEYS: {
                    "type": "array",
                    "items": {"type": "string", "enum": list(DEFAULT_REQUIRED_KEYS)},
                    "minItems": 1,
                    "default": list(DEFAULT_REQUIRED_KEYS),
                    "description": (
                        "The condition keys every service-principal grant must carry (at least "
                        "one; disable the policy to switch it off)."
                    ),
                },
                EXEMPT_SERVICES: {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": [],
                    "description": (
                        "Service principals (e.g. `ec2.amazonaws.com` or `ec2`) whose grants are "
                        "not checked, for services that do not send these condition keys. "
                        "social-messaging.amazonaws.com cannot be exempted."
                    ),
                },
            },
        ),
        validate=resource_validation(check_confused_deputy),
    )
