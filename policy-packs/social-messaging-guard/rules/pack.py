"""The six policies of `social-messaging-guard`, wired to pulumi-policy.

Each policy is a thin adapter: it turns the engine's arguments into plain resources,
runs the pure check, reports every finding, and finally lists what it could not judge
because a value was unknown at preview (which the engine shows as an advisory
"can't run policy ... during preview" line naming those properties).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .channel_role import ADDITIONAL_ACTIONS, CHANNEL_ROLE_ACTIONS, check_channel_role
from .conditions import DEFAULT_REQUIRED_KEYS
from .confused_deputy import EXEMPT_SERVICES, REQUIRED_KEYS, check_confused_deputy
from .customer_managed_key import REQUIRE_ENCRYPTION, check_customer_managed_key
from .delivery_permissions import check_delivery_permissions
from .key_symmetric import check_key_symmetric
from .stack import StackIndex
from .topic_standard import check_topic_standard
from .values import Outcome, Resource, UndecidedAtPreview, plain

PACK_NAME = "social-messaging-guard"
PACK_DESCRIPTION = (
    "Refuses AWS End User Messaging Social event destinations that silently drop events "
    "(FIFO topics, asymmetric or AWS managed keys, missing grants) or that another account "
    "could abuse (service-principal grants without confused-deputy conditions)."
)
TAGS = ["aws", "social-messaging", "whatsapp", "sns", "kms", "iam"]


def report(outcome: Outcome, report_violation: ReportViolation) -> None:
    """Report findings, then raise for what could not be judged (after, so nothing is lost)."""
    for finding in outcome.findings:
        report_violation(finding.message, finding.urn)
    if outcome.undecided:
        raise UndecidedAtPreview(outcome.undecided)


def resource_from_args(args: ResourceValidationArgs) -> Resource:
    return Resource(type=args.resource_type, name=args.name, urn=args.urn, props=plain(args.props))


def resources_from_stack(args: StackValidationArgs) -> list[Resource]:
    return [
        Resource(
            type=r.resource_type,
            name=r.name,
            urn=r.urn,
            props=plain(r.props),
            dependencies=tuple(d.urn for d in r.dependencies),
            property_dependencies={
                k: tuple(d.urn for d in v) for k, v in r.property_dependencies.items()
            },
        )
        for r in args.resources
    ]


def _config(args: ResourceValidationArgs | StackValidationArgs) -> Mapping[str, Any]:
    return plain(dict(args.get_config() or {}))


StackValidate = Callable[[StackValidationArgs, ReportViolation], None]
ResourceValidate = Callable[[ResourceValidationArgs, ReportViolation], None]


def stack_validation(check: Callable[[StackIndex, Mapping[str, Any]], Outcome]) -> StackValidate:
    """Adapt a pure stack check to pulumi-policy's stack validation callback."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        report(check(StackIndex(resources_from_stack(args)), _config(args)), report_violation)

    return validate


def resource_validation(
    check: Callable[[Resource, Mapping[str, Any]], Outcome],
) -> ResourceValidate:
    """Adapt a pure resource check to pulumi-policy's resource validation callback."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        report(check(resource_from_args(args), _config(args)), report_violation)

    return validate


def _topic_standard() -> StackValidationPolicy:
    return StackValidationPolicy(
        name="waba-destination-topic-standard",
        display_name="WABA destination topics are standard topics",
        description=(
            "An SNS topic used as a WABA event destination must be a standard topic: AWS End "
            "User Messaging Social does not publish to FIFO topics, so events would be lost."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=TAGS,
        remediation_steps=(
            "Point the destination at a standard topic: set `fifoTopic` to false (or leave it "
            "unset) and give the topic a name without the `.fifo` suffix. A topic cannot change "
            "between FIFO and standard, so Pulumi replaces it; move subscribers to the new topic."
        ),
        validate=stack_validation(lambda index, _config: check_topic_standard(index)),
    )


def _key_symmetric() -> StackValidationPolicy:
    return StackValidationPolicy(
        name="kms-key-symmetric",
        display_name="Keys for topics and the service are symmetric",
        description=(
            "A KMS key that encrypts an SNS topic or is granted to "
            "social-messaging.amazonaws.com must be SYMMETRIC_DEFAULT with usage "
            "ENCRYPT_DECRYPT: SNS and AWS End User Messaging Social cannot use asymmetric or "
            "signing keys, so every event would fail to publish."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=TAGS,
        remediation_steps=(
            "Set `customerMasterKeySpec` to SYMMETRIC_DEFAULT and `keyUsage` to "
            "ENCRYPT_DECRYPT, or leave both unset (those are the defaults). A key's spec cannot "
            "change, so Pulumi replaces the key; keep the old key until no message encrypted "
            "with it is needed."
        ),
        validate=stack_validation(lambda index, _config: check_key_symmetric(index)),
    )


def _customer_managed_key() -> StackValidationPolicy:
    return StackValidationPolicy(
        name="sns-topic-customer-managed-key",
        display_name="Destination topics use a customer managed key",
        description=(
            "A WABA destination topic must be encrypted with a customer managed KMS key, never "
            "the AWS managed key alias/aws/sns: its key policy cannot grant "
            "social-messaging.amazonaws.com, so events would be dropped."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=TAGS,
        remediation_steps=(
            "Create a symmetric customer managed key whose key policy allows "
            "social-messaging.amazonaws.com kms:GenerateDataKey* and kms:Decrypt with "
            "aws:SourceAccount and aws:SourceArn conditions, and set the topic's "
            "`kmsMasterKeyId` to its alias name or ARN (not alias/aws/sns in any form)."
        ),
        config_schema=PolicyConfigSchema(
            properties={
                REQUIRE_ENCRYPTION: {
                    "type": "boolean",
                    "default": True,
                    "description": (
                        "Require destination topics to be encrypted. Set to false to accept "
                        "unencrypted topics; the AWS managed key stays refused either way."
                    ),
                },
            },
        ),
        validate=stack_validation(check_customer_managed_key),
    )


def _confused_deputy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name="service-principal-confused-deputy",
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
            "Use wildcards only under ArnLike/StringLike, never an ...IfExists or "
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


def _delivery_permissions() -> StackValidationPolicy:
    return StackValidationPolicy(
        name="waba-destination-delivery-permissions",
        display_name="The service may deliver to each destination",
        description=(
            "Each WABA event destination must be a topic or Connect instance ARN and let "
            "social-messaging.amazonaws.com deliver: the topic policy grants sns:Publish, the "
            "topic's key grants kms:GenerateDataKey* and kms:Decrypt, or the Connect role trusts "
            "the service and allows the documented actions, with no Deny that reaches the "
            "service. Otherwise the API accepts the destination and events are silently dropped."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=TAGS,
        remediation_steps=(
            "SNS: add to the topic policy an Allow of sns:Publish on the topic ARN to "
            "social-messaging.amazonaws.com, and to the key policy an Allow of "
            "kms:GenerateDataKey* and kms:Decrypt, both with aws:SourceAccount and "
            "aws:SourceArn conditions. Connect: set roleArn to a role whose trust policy allows "
            "social-messaging.amazonaws.com sts:AssumeRole (with the same conditions) and whose "
            f"policy allows {', '.join(CHANNEL_ROLE_ACTIONS)}. Keep a Deny from reaching AWS "
            'services (for example with "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}), '
            "and attach at most one KeyPolicy or TopicPolicy per key or topic: each replaces the "
            "whole policy."
        ),
        validate=stack_validation(lambda index, _config: check_delivery_permissions(index)),
    )


def _channel_role() -> StackValidationPolicy:
    return StackValidationPolicy(
        name="connect-channel-role-least-privilege",
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


def policies() -> list[Policy]:
    """The pack's policies, all mandatory: each one stops a stack that would lose events."""
    return [
        _topic_standard(),
        _key_symmetric(),
        _customer_managed_key(),
        _confused_deputy(),
        _delivery_permissions(),
        _channel_role(),
    ]
