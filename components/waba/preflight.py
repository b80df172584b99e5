"""Pre-flight checks that an event destination will really receive a WABA's events.

AWS accepts a destination it cannot deliver to: a FIFO topic, a topic encrypted with an
asymmetric or AWS managed key, a key or topic policy without the service's grant, a
Connect channel role that does not trust the service. Events are then dropped without
an error anywhere. These checks read the topic, key and role before the destination is
written and name what to fix. The pure decisions are separate from the boto3 calls so
they can be tested on their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from components.arns import Arn, parse_arn
from components.aws_errors import error_code, error_message
from components.aws_errors import error_code as _error_code
from components.waba.model import SERVICE_PRINCIPAL
from components.waba.state import EventDestination

AWS_MANAGED_SNS_ALIAS = "alias/aws/sns"
# What the service needs to publish to an encrypted topic.
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
TOPIC_ACTIONS = ("sns:Publish",)
TRUST_ACTIONS = ("sts:AssumeRole",)
CHANNEL_ROLE_ACTIONS = ("connect:SendIntegrationEvent",)
# Condition keys whose value is known for a delivery; others are assumed to hold.
_SOURCE_ACCOUNT = "aws:sourceaccount"
_SOURCE_ARN = "aws:sourcearn"


class VerifyAccessError(Exception):
    """The deployer may not read what verify needs to read."""


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
        return {
            "StringEquals": {"aws:SourceAccount": self.account},
            "ArnLike": {
                "aws:SourceArn": f"arn:{self.partition}:social-messaging:{self.region}:"
                f"{self.account}:*"
            },
        }


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM wildcard matching: `*` is any run of characters, `?` one character."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    flags = re.IGNORECASE if ignore_case else 0
    return re.fullmatch(regex, value, flags) is not None


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


def invalid_policy_problem(what: str, error: ValueError) -> str:
    """A policy document that does not parse: no grant in it can be checked, so verify
    fails and names the document instead of stopping with a traceback."""
    return (
        f"{what} is not valid JSON ({error}), so it cannot be checked for the grant "
        f"{SERVICE_PRINCIPAL} needs; fix the policy document."
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


def is_aws_managed_sns_key_reference(key_id: str) -> bool:
    """The AWS managed SNS key named by alias, in any partition's alias ARN form."""
    if key_id == AWS_MANAGED_SNS_ALIAS:
        return True
    arn = parse_arn(key_id)
    return arn is not None and arn.service == "kms" and arn.resource == AWS_MANAGED_SNS_ALIAS


def aws_managed_key_problem(topic_arn: str, key_id: str) -> str:
    return (
        f"topic {topic_arn} is encrypted with the AWS managed key {key_id}; its key policy "
        "cannot be changed to let social-messaging.amazonaws.com use it, so every event "
        "would be dropped. Encrypt the topic with a customer managed symmetric KMS key."
    )


def topic_problems(topic_arn: str, attributes: Mapping[str, str]) -> list[str]:
    """A destination topic must be standard."""
    if attributes.get("FifoTopic", "false").lower() == "true" or topic_arn.endswith(".fifo"):
        return [
            f"topic {topic_arn} is a FIFO topic; AWS End User Messaging Social only "
            "publishes to standard topics. Use a standard topic."
        ]
    return []


def key_problems(topic_arn: str, metadata: Mapping[str, Any]) -> list[str]:
    """The topic's key must be customer managed, enabled, symmetric, for encryption."""
    key_arn = metadata.get("Arn") or metadata.get("KeyId")
    problems = []
    if metadata.get("KeyManager") == "AWS":
        problems.append(aws_managed_key_problem(topic_arn, str(key_arn)))
    if metadata.get("KeyState", "Enabled") != "Enabled":
        problems.append(
            f"KMS key {key_arn} of topic {topic_arn} is {metadata.get('KeyState')}; "
            "the service cannot encrypt events with it. Enable the key or use another one."
        )
    spec = metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec")
    usage = metadata.get("KeyUsage")
    if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
        problems.append(
            f"KMS key {key_arn} of topic {topic_arn} has key spec {spec} and usage {usage}; "
            "SNS encryption needs a symmetric key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT). "
            "Create a symmetric key and set it as the topic's KmsMasterKeyId."
        )
    return problems


def key_policy_problems(
    key_arn: str, policy: Mapping[str, Any], context: DeliveryContext
) -> list[str]:
    """The key policy lets the service generate data keys and decrypt for this WABA."""
    missing = [
        action
        for action in KEY_ACTIONS
        if action not in granted_actions(policy, KEY_ACTIONS, context.condition_values(), key_arn)
    ]
    if not missing:
        return []
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": SERVICE_PRINCIPAL},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
        "Condition": context.confused_deputy_condition(),
    }
    return [
        f"the key policy of KMS key {key_arn} does not let {SERVICE_PRINCIPAL} "
        f"{' and '.join(missing)} for WABA {context.waba_arn}; add this statement to the "
        f"key policy: {json.dumps(statement)}"
    ]


def topic_policy_problems(
    topic_arn: str, policy: Mapping[str, Any], context: DeliveryContext
) -> list[str]:
    """The topic policy lets the service publish to this topic for this WABA."""
    if TOPIC_ACTIONS[0] in granted_actions(
        policy, TOPIC_ACTIONS, context.condition_values(), topic_arn
    ):
        return []
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": [SERVICE_PRINCIPAL]},
        "Action": "sns:Publish",
        "Resource": topic_arn,
        "Condition": context.confused_deputy_condition(),
    }
    return [
        f"the topic policy of {topic_arn} does not let {SERVICE_PRINCIPAL} sns:Publish for "
        f"WABA {context.waba_arn}; add this statement to the topic policy: "
        f"{json.dumps(statement)}"
    ]


def trust_problems(role_arn: str, trust: Mapping[str, Any], context: DeliveryContext) -> list[str]:
    """The channel role trusts the service for this WABA."""
    if TRUST_ACTIONS[0] in granted_actions(trust, TRUST_ACTIONS, context.condition_values()):
        return []
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": [SERVICE_PRINCIPAL]},
        "Action": "sts:AssumeRole",
        "Condition": context.confused_deputy_condition(),
    }
    return [
        f"role {role_arn} does not trust {SERVICE_PRINCIPAL} for WABA {context.waba_arn}; "
        f"add this statement to its trust policy: {json.dumps(statement)}"
    ]


def channel_role_permission_problems(role_arn: str, documents: list[dict[str, Any]]) -> list[str]:
    """The channel role may send integration events into Connect."""
    missing = [a for a in CHANNEL_ROLE_ACTIONS if not identity_allows(documents, a)]
    if not missing:
        return []
    return [
        f"role {role_arn} has no policy that allows {', '.join(missing)}; Connect would "
        "not receive the WABA's events. Attach a policy that allows it on Resource '*'."
    ]


def _access_error(error: ClientError, action: str, resource: str) -> VerifyAccessError:
    return VerifyAccessError(
        f"verify could not read {resource}: {error_code(error)}: {error_message(error)}. "
        f"Grant the deployer {action} "
        "on it, or set verify to false to skip the pre-flight checks."
    )


_ACCESS_CODES = {"AccessDenied", "AccessDeniedException", "AuthorizationError"}


def verify_topic(
    session: boto3.session.Session, config: Config, topic: Arn, context: DeliveryContext
) -> list[str]:
    """Topic exists and is standard; its key (if any) is usable by the service; its
    topic policy grants sns:Publish. One SNS call, two KMS calls when encrypted."""
    topic_arn = str(topic)
    sns = session.client("sns", region_name=topic.region, config=config)
    try:
        attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    except ClientError as error:
        if _error_code(error) == "NotFound":
            return [
                f"topic {topic_arn} does not exist; create it first or fix eventDestinationArn."
            ]
        if _error_code(error) in _ACCESS_CODES:
            raise _access_error(error, "sns:GetTopicAttributes", topic_arn) from None
        raise
    problems = topic_problems(topic_arn, attributes)
    try:
        policy = load_policy(attributes.get("Policy"))
    except ValueError as error:
        problems.append(invalid_policy_problem(f"the topic policy of {topic_arn}", error))
    else:
        problems += topic_policy_problems(topic_arn, policy, context)
    key_id = attributes.get("KmsMasterKeyId") or ""
    if key_id:
        problems += verify_topic_key(session, config, topic, key_id, context)
    return problems


def verify_topic_key(
    session: boto3.session.Session,
    config: Config,
    topic: Arn,
    key_id: str,
    context: DeliveryContext,
) -> list[str]:
    """The key that encrypts the topic: customer managed, symmetric, enabled, and its
    key policy grants the service."""
    topic_arn = str(topic)
    if is_aws_managed_sns_key_reference(key_id):
        return [aws_managed_key_problem(topic_arn, key_id)]
    key_arn = parse_arn(key_id)
    kms = session.client(
        "kms", region_name=key_arn.region if key_arn else topic.region, config=config
    )
    try:
        metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    except ClientError as error:
        if _error_code(error) == "NotFoundException":
            return [
                f"KMS key {key_id} of topic {topic_arn} does not exist; set the topic's "
                "KmsMasterKeyId to an existing customer managed symmetric key."
            ]
        if _error_code(error) in _ACCESS_CODES:
            raise _access_error(error, "kms:DescribeKey", key_id) from None
        raise
    problems = key_problems(topic_arn, metadata)
    if metadata.get("KeyManager") == "AWS":
        return problems
    try:
        policy = kms.get_key_policy(KeyId=metadata["Arn"], PolicyName="default")["Policy"]
    except ClientError as error:
        if _error_code(error) in _ACCESS_CODES:
            raise _access_error(error, "kms:GetKeyPolicy", metadata["Arn"]) from None
        raise
    try:
        document = load_policy(policy)
    except ValueError as error:
        return problems + [
            invalid_policy_problem(f"the key policy of KMS key {metadata['Arn']}", error)
        ]
    return problems + key_policy_problems(metadata["Arn"], document, context)


def _role_policy_documents(
    iam: Any, role_name: str, role_arn: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """The role's inline and attached managed policy documents, and a problem for each
    one that is not valid JSON."""
    documents: list[dict[str, Any]] = []
    problems: list[str] = []

    def add(document: Any, what: str) -> None:
        try:
            documents.append(load_policy(document))
        except ValueError as error:
            problems.append(invalid_policy_problem(what, error))

    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
        for policy_name in page["PolicyNames"]:
            inline = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)
            add(inline["PolicyDocument"], f"inline policy {policy_name} of role {role_arn}")
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
        for attached in page["AttachedPolicies"]:
            policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
            version = iam.get_policy_version(
                PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"]
            )
            add(
                version["PolicyVersion"]["Document"],
                f"managed policy {attached['PolicyArn']} attached to role {role_arn}",
            )
    return documents, problems


def verify_channel_role(
    session: boto3.session.Session, config: Config, role_arn: str, context: DeliveryContext
) -> list[str]:
    """The Connect channel role exists, trusts the service and may send integration
    events."""
    role = parse_arn(role_arn)
    role_name = role.resource.rsplit("/", 1)[-1] if role else role_arn
    iam = session.client("iam", region_name=context.region, config=config)
    try:
        trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
        try:
            problems = trust_problems(role_arn, load_policy(trust), context)
        except ValueError as error:
            problems = [invalid_policy_problem(f"the trust policy of role {role_arn}", error)]
        documents, unreadable = _role_policy_documents(iam, role_name, role_arn)
        problems += unreadable
    except ClientError as error:
        if _error_code(error) == "NoSuchEntity":
            return [f"role {role_arn} does not exist; create it first or fix roleArn."]
        if _error_code(error) in _ACCESS_CODES:
            raise _access_error(
                error,
                "iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, "
                "iam:ListAttachedRolePolicies, iam:GetPolicy and iam:GetPolicyVersion",
                role_arn,
            ) from None
        raise
    return problems + channel_role_permission_problems(role_arn, documents)


def verify_destination(
    session: boto3.session.Session,
    config: Config,
    destination: EventDestination,
    waba_arn: str,
) -> list[str]:
    """Everything that would stop the destination from receiving the WABA's events,
    each with how to fix it; empty when it will receive them."""
    context = DeliveryContext.from_waba_arn(waba_arn)
    target = parse_arn(destination.arn)
    if target is None:
        return [f"eventDestinationArn {destination.arn!r} is not an ARN."]
    if target.service == "sns":
        return verify_topic(session, config, target, context)
    return verify_channel_role(session, config, destination.role_arn, context)
