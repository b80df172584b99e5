"""Rule `connect-channel-role-least-privilege`: the two-way channel role does only its job.

social-messaging.amazonaws.com assumes this role to deliver events to Amazon Connect and
to import phone numbers. Whatever else the role allows, the service (and anyone who can
point a WABA at the role) can do as well, so it is limited to the documented actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    Severity,
    StackValidationPolicy,
)

from .arns import parse_arn
from .config import string_list_setting
from .documents import may_name_the_service
from .engine import stack_validation
from .index import StackIndex
from .metadata import TAGS
from .model import ROLE, TRUST_POLICY, Node
from .service_requests import grants_social_messaging
from .values import Outcome

POLICY_NAME = "connect-channel-role-least-privilege"
ADDITIONAL_ACTIONS = "additionalActions"

# The documented permissions of the two-way channel role.
CHANNEL_ROLE_ACTIONS = (
    "connect:SendIntegrationEvent",
    "connect:ImportPhoneNumber",
    "social-messaging:GetLinkedWhatsAppBusinessAccountPhoneNumber",
    "social-messaging:TagResource",
)


def channel_roles(index: StackIndex, outcome: Outcome) -> list[Node]:
    """Roles whose trust policy allows social-messaging.amazonaws.com (or every principal)."""
    roles = []
    for role in index.of_kind(ROLE):
        if not may_name_the_service(role.get(TRUST_POLICY), role.may_hold_unknowns(TRUST_POLICY)):
            continue  # a trust policy for other services, not worth parsing
        prop = role.prop(TRUST_POLICY)
        document = index.document(role, TRUST_POLICY)
        if document.unknown:
            outcome.unknown(
                f"`{prop}` of role {role.label} is unknown at preview, so it is not "
                "known whether social-messaging.amazonaws.com can assume it"
            )
        elif any(grants_social_messaging(statement) for statement in document.statements):
            roles.append(role)
        else:
            for statement in document.statements:
                if statement.may_grant_unknown:
                    outcome.unknown(
                        f"`{prop}` of role {role.label}: {statement.label} has an "
                        f"unknown value at {statement.unknown_path}, so it is not known whether "
                        "social-messaging.amazonaws.com can assume it"
                    )
    return roles


def check_channel_role(index: StackIndex, config: Mapping[str, Any]) -> Outcome:
    """Every Allow in the channel role's policies names only documented actions."""
    extra = string_list_setting(config, POLICY_NAME, ADDITIONAL_ACTIONS, [])
    allowed = {action.lower() for action in (*CHANNEL_ROLE_ACTIONS, *extra)}
    outcome = Outcome()
    for role in channel_roles(index, outcome):
        with outcome.judging(f"role {role.label}", role.urn):
            permissions = index.role_permissions(role)
            for note in permissions.unknown:
                outcome.unknown(note)
            for arn in permissions.outside_arns:
                parsed = parse_arn(arn)
                if parsed is not None and parsed.account == "aws":
                    outcome.add(
                        f"Role {role.label} is trusted by social-messaging.amazonaws.com and has "
                        f"the AWS managed policy '{arn}' attached; no AWS managed policy is "
                        "limited to the documented actions "
                        f"({', '.join(CHANNEL_ROLE_ACTIONS)}). Detach it and grant those "
                        "actions in a role policy.",
                        role.urn,
                    )
            for source in permissions.sources:
                where = f"{source.label} of role {role.label}"
                if source.document.unknown:
                    outcome.unknown(f"{where} is unknown at preview")
                    continue
                if source.document.problem is not None:
                    outcome.add(f"{where} {source.document.problem}.", source.resource.urn)
                    continue
                for statement in source.document.statements:
                    if statement.may_grant_unknown:
                        outcome.unknown(
                            f"{where}: {statement.label} has an unknown value at "
                            f"{statement.unknown_path}"
                        )
                        continue
                    if not statement.is_allow:
                        continue
                    if statement.not_actions is not None:
                        outcome.add(
                            f"{where}: {statement.label} allows with `NotAction` "
                            f"{list(statement.not_actions)}, which grants every other action of "
                            "every service to a role social-messaging.amazonaws.com assumes; "
                            "list the documented actions in `Action` instead: "
                            f"{', '.join(CHANNEL_ROLE_ACTIONS)}.",
                            source.resource.urn,
                        )
                        continue
                    extra_actions = [
                        action
                        for action in statement.actions or ()
                        if action.lower() not in allowed
                    ]
                    if extra_actions:
                        outcome.add(
                            f"{where}: {statement.label} allows "
                            f"{', '.join(f'`{a}`' for a in extra_actions)}, beyond the documented "
                            "actions of the two-way channel role that "
                            "social-messaging.amazonaws.com assumes; allow only "
                            f"{', '.join(CHANNEL_ROLE_ACTIONS)} (wildcards and "
                            f"other services' actions included), or list a needed action under "
                            f"`{ADDITIONAL_ACTIONS}` in this policy's configuration.",
                            source.resource.urn,
                        )
    return outcome


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=POLICY_NAME,
        display_name="The Connect channel role allows only the documented actions",
        description=(
            "A role trusted by social-messaging.amazonaws.com may allow only the documented "
            "two-way channel actions: anything more can be used by the service, and by whoever "
            "can point a WABA at the role."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        tags=TAGS,
        remediation_steps=(
            f"Allow only {', '.join(CHANNEL_ROLE_ACTIONS)} in the role's inline and attached "
            "policies, without wildcards or NotAction; detach AWS managed policies. List an "
            f"action the role truly needs under `{ADDITIONAL_ACTIONS}` in this policy's config."
        ),
        config_schema=PolicyConfigSchema(
            properties={
                ADDITIONAL_ACTIONS: {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": [],
                    "description": (
                        "Actions allowed to the channel role besides the documented ones, "
                        "written exactly as in the policy (e.g. `connect:DescribeInstance`)."
                    ),
                },
            },
        ),
        validate=stack_validation(check_channel_role),
    )
