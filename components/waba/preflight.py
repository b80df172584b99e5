"""Pre-flight checks that an event destination will really receive a WABA's events.

AWS accepts a destination it cannot deliver to: a FIFO topic, a topic encrypted with an
asymmetric or AWS managed key, a key or topic policy without the service's grant, a
Connect channel role that does not trust the service. Events are then dropped without
an error anywhere. These checks read the topic, key and role before the destination is
written and name what to fix. The decisions are the IAM evaluator's
(components/waba/delivery.py), which the live check of an account's WABAs shares; this
module holds the reads, and the order in which they are made.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.config import Config
from botocore.exceptions import ClientError

from components.arns import Arn, parse_arn
from components.aws_errors import error_code, error_message
from components.waba.delivery import (
    AWS_MANAGED_SNS_ALIAS,
    CHANNEL_ROLE_ACTIONS,
    DOCUMENTED_CHANNEL_ROLE_ACTIONS,
    KEY_ACTIONS,
    TOPIC_ACTIONS,
    TRUST_ACTIONS,
    DeliveryContext,
    Problem,
    aws_managed_key_problem,
    channel_role_permission_problems,
    condition_holds,
    granted_actions,
    identity_allows,
    invalid_policy_problem,
    is_aws_managed_sns_key_reference,
    key_policy_problems,
    key_problems,
    load_policy,
    principal_is_service,
    topic_policy_problems,
    topic_problems,
    trust_problems,
    unencrypted_topic_problem,
)
from components.waba.state import EventDestination

T = TypeVar("T")
_ACCESS_CODES = {"AccessDenied", "AccessDeniedException", "AuthorizationError"}
ROLE_READ_ACTIONS = (
    "iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, "
    "iam:ListAttachedRolePolicies, iam:GetPolicy and iam:GetPolicyVersion"
)

if TYPE_CHECKING:  # a session is made by components.waba.client
    import boto3


class VerifyAccessError(Exception):
    """The deployer may not read what verify needs to read."""


class ReadDenied(Exception):
    """A read the checks need was refused: which permission, on what."""

    def __init__(self, action: str, resource: str, code: str, message: str) -> None:
        super().__init__(f"{action} on {resource}: {code}: {message}")
        self.action = action
        self.resource = resource
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RoleDocuments:
    """A role's trust policy and the documents of its inline and attached policies, as
    read (a document that is not JSON becomes a problem)."""

    trust: Any
    documents: list[dict[str, Any]]
    unreadable: list[Problem]


class DeliveryReader:
    """The reads of the checks, safe to share between threads: one client per service
    and Region, and each topic, key and role read once however many WABAs use it."""

    def __init__(self, session: boto3.session.Session, config: Config) -> None:
        self._session = session
        self._config = config
        self._lock = threading.Lock()
        self._making = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._reads: dict[tuple[str, ...], Future[Any]] = {}

    def client(self, service: str, region: str) -> Any:
        """The one client of a service in a Region. Clients are made one at a time (a
        boto3 session is not safe for making clients from several threads at once),
        under their own lock, so a thread that has its client never waits for one."""
        key = (service, region)
        found = self._clients.get(key)
        if found is not None:
            return found
        with self._making:
            if key not in self._clients:
                self._clients[key] = self._session.client(
                    service, region_name=region, config=self._config
                )
            return self._clients[key]

    def once(self, key: tuple[str, ...], read: Callable[[], T]) -> T:
        """The result of `read` for `key`, read by the first caller; the others wait."""
        with self._lock:
            future = self._reads.get(key)
            first = future is None
            if future is None:
                future = self._reads[key] = Future()
        if first:
            try:
                future.set_result(read())
            except BaseException as error:  # noqa: BLE001 (handed to every waiter)
                future.set_exception(error)
        return future.result()

    def call(
        self, action: str, resource: str, call: Callable[[], T], missing: str = ""
    ) -> T | None:
        """One read: None when AWS says the thing does not exist (`missing`), ReadDenied
        when the caller may not read it; other errors are the caller's."""
        try:
            return call()
        except ClientError as error:
            if missing and error_code(error) == missing:
                return None
            if error_code(error) in _ACCESS_CODES:
                raise ReadDenied(
                    action,
                    resource,
                    error_code(error),
                    error_message(error),
                ) from None
            raise

    def topic_attributes(self, topic: Arn) -> dict[str, str] | None:
        sns = self.client("sns", topic.region)
        arn = str(topic)
        return self.once(
            ("topic", arn),
            lambda: self.call(
                "sns:GetTopicAttributes",
                arn,
                lambda: dict(sns.get_topic_attributes(TopicArn=arn)["Attributes"]),
                "NotFound",
            ),
        )

    def key_metadata(self, key_id: str, region: str) -> dict[str, Any] | None:
        kms = self.client("kms", region)
        return self.once(
            ("key", region, key_id),
            lambda: self.call(
                "kms:DescribeKey",
                key_id,
                lambda: dict(kms.describe_key(KeyId=key_id)["KeyMetadata"]),
                "NotFoundException",
            ),
        )

    def key_policy(self, key_arn: str, region: str) -> Any:
        kms = self.client("kms", region)
        return self.once(
            ("key-policy", key_arn),
            lambda: self.call(
                "kms:GetKeyPolicy",
                key_arn,
                lambda: kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"],
            ),
        )

    def role(self, role_arn: str, region: str) -> RoleDocuments | None:
        iam = self.client("iam", region)
        return self.once(
            ("role", role_arn),
            lambda: self.call(
                ROLE_READ_ACTIONS,
                role_arn,
                lambda: _read_role(iam, role_arn),
                "NoSuchEntity",
            ),
        )

    def subscriptions(self, topic: Arn) -> list[dict[str, Any]]:
        """Every subscription of the topic (ListSubscriptionsByTopic, all pages)."""
        sns = self.client("sns", topic.region)
        arn = str(topic)

        def read() -> list[dict[str, Any]]:
            pages = sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn)
            return [dict(item) for page in pages for item in page.get("Subscriptions", [])]

        found = self.once(
            ("subscriptions", arn),
            lambda: self.call("sns:ListSubscriptionsByTopic", arn, read, "NotFound"),
        )
        return found or []


def _read_role(iam: Any, role_arn: str) -> RoleDocuments:
    """The role's trust policy, and its inline and attached managed policy documents."""
    role = parse_arn(role_arn)
    role_name = role.resource.rsplit("/", 1)[-1] if role else role_arn
    trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    documents: list[dict[str, Any]] = []
    unreadable: list[Problem] = []

    def add(document: Any, what: str) -> None:
        try:
            documents.append(load_policy(document))
        except ValueError as error:
            unreadable.append(invalid_policy_problem(what, error))

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
    return RoleDocuments(trust, documents, unreadable)


def topic_delivery_problems(
    reader: DeliveryReader, topic: Arn, context: DeliveryContext, live: bool = False
) -> list[Problem]:
    """Topic exists and is standard; its key (if any) is usable by the service; its
    topic policy grants sns:Publish. With `live` (the live check), the topic must be
    encrypted and every grant confined to this account and Region."""
    topic_arn = str(topic)
    attributes = reader.topic_attributes(topic)
    if attributes is None:
        return [
            Problem(
                "topic-not-found",
                f"topic {topic_arn} does not exist; create it first or fix eventDestinationArn.",
            )
        ]
    problems = topic_problems(topic_arn, attributes)
    try:
        policy = load_policy(attributes.get("Policy"))
    except ValueError as error:
        problems.append(invalid_policy_problem(f"the topic policy of {topic_arn}", error))
    else:
        problems += topic_policy_problems(topic_arn, policy, context, confined=live)
    key_id = attributes.get("KmsMasterKeyId") or ""
    if key_id:
        problems += key_delivery_problems(reader, topic, key_id, context, live)
    elif live:
        problems.append(unencrypted_topic_problem(topic_arn))
    return problems


def key_delivery_problems(
    reader: DeliveryReader, topic: Arn, key_id: str, context: DeliveryContext, live: bool = False
) -> list[Problem]:
    """The key that encrypts the topic: customer managed, symmetric, enabled, and its
    key policy grants the service."""
    topic_arn = str(topic)
    if is_aws_managed_sns_key_reference(key_id):
        return [aws_managed_key_problem(topic_arn, key_id)]
    key_arn = parse_arn(key_id)
    region = key_arn.region if key_arn else topic.region
    metadata = reader.key_metadata(key_id, region)
    if metadata is None:
        return [
            Problem(
                "key-not-found",
                f"KMS key {key_id} of topic {topic_arn} does not exist; set the topic's "
                "KmsMasterKeyId to an existing customer managed symmetric key.",
            )
        ]
    problems = key_problems(topic_arn, metadata)
    if metadata.get("KeyManager") == "AWS":
        return problems
    policy = reader.key_policy(metadata["Arn"], region)
    try:
        document = load_policy(policy)
    except ValueError as error:
        return problems + [
            invalid_policy_problem(f"the key policy of KMS key {metadata['Arn']}", error)
        ]
    return problems + key_policy_problems(metadata["Arn"], document, context, confined=live)


def role_delivery_problems(
    reader: DeliveryReader, role_arn: str, context: DeliveryContext, live: bool = False
) -> list[Problem]:
    """The Connect channel role exists, trusts the service and may send integration
    events (with `live`: has every documented permission, and a confined trust)."""
    role = reader.role(role_arn, context.region)
    if role is None:
        return [
            Problem(
                "role-not-found", f"role {role_arn} does not exist; create it first or fix roleArn."
            )
        ]
    try:
        problems = trust_problems(role_arn, load_policy(role.trust), context, confined=live)
    except ValueError as error:
        problems = [invalid_policy_problem(f"the trust policy of role {role_arn}", error)]
    problems += role.unreadable
    actions = DOCUMENTED_CHANNEL_ROLE_ACTIONS if live else CHANNEL_ROLE_ACTIONS
    return problems + channel_role_permission_problems(role_arn, role.documents, actions)


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
    reader = DeliveryReader(session, config)
    try:
        if target.service == "sns":
            return list(topic_delivery_problems(reader, target, context))
        return list(role_delivery_problems(reader, destination.role_arn, context))
    except ReadDenied as denied:
        raise VerifyAccessError(
            f"verify could not read {denied.resource}: {denied.code}: {denied.message}. Grant "
            f"the deployer {denied.action} on it, or set verify to false to skip the "
            "pre-flight checks."
        ) from None


__all__ = [
    "AWS_MANAGED_SNS_ALIAS",
    "KEY_ACTIONS",
    "TOPIC_ACTIONS",
    "TRUST_ACTIONS",
    "DeliveryContext",
    "DeliveryReader",
    "ReadDenied",
    "VerifyAccessError",
    "condition_holds",
    "granted_actions",
    "identity_allows",
    "is_aws_managed_sns_key_reference",
    "key_problems",
    "principal_is_service",
    "topic_policy_problems",
    "verify_destination",
]
