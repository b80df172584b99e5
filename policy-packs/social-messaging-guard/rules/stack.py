"""Linking the resources of a stack: destination -> topic -> key, role -> its policies.

At `pulumi preview` many outputs (ARNs, key IDs) are unknown, so links are made by what
is known (explicit names, ARNs built from names, alias names) and, where a property is
unknown, by the engine's property dependencies, which say which resources it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .arns import iam_resource_name, kms_alias_name, parse_arn, sns_topic_name
from .documents import Document, parse_document
from .values import Resource, is_unknown

DESTINATION = "pulumi-python:dynamic/social-messaging:WabaEventDestination"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
ALIAS = "aws:kms/alias:Alias"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
IAM_POLICY = "aws:iam/policy:Policy"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"

AWS_MANAGED_SNS_ALIAS = "alias/aws/sns"


def is_destination(resource: Resource) -> bool:
    """The project's dynamic resource; other programs' copies keep the same type name."""
    return resource.type == DESTINATION or resource.type.endswith(":WabaEventDestination")


def known_str(value: Any) -> str | None:
    """A property that is a known, non-empty string; None for absent, empty or unknown."""
    if isinstance(value, str) and value and not is_unknown(value):
        return value
    return None


@dataclass(frozen=True)
class KeyReference:
    """What a topic's `kmsMasterKeyId` resolves to within the stack.

    kind: "none" (not encrypted), "aws-managed", "key" (a key in the stack),
    "outside" (a customer key that is not in this stack) or "unknown".
    """

    kind: str
    value: str | None = None
    key: Resource | None = None
    via: str = ""
    note: str = ""


@dataclass(frozen=True)
class PermissionSource:
    """One permission policy of a role: inline, a RolePolicy, or an attached Policy."""

    label: str
    document: Document
    resource: Resource


@dataclass
class RolePermissions:
    """A role's permission policies; `unknown` holds full sentences on what preview hides."""

    sources: list[PermissionSource] = field(default_factory=list)
    outside_arns: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


class StackIndex:
    """The stack's resources with the lookups the stack rules share."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.resources = list(resources)
        self.by_urn = {resource.urn: resource for resource in self.resources}

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources if r.type in types]

    def destinations(self) -> list[Resource]:
        return [r for r in self.resources if is_destination(r)]

    def linked(self, holder: Resource, prop: str, types: Iterable[str]) -> list[Resource]:
        """Resources of the given types that a property was computed from.

        Property dependencies are precise; when the engine sent none for the property,
        the resource's plain dependencies are used if exactly one of them has a wanted type.
        """
        wanted = set(types)
        if prop in holder.property_dependencies:
            urns = holder.property_dependencies[prop]
            return [
                self.by_urn[u] for u in urns if u in self.by_urn and self.by_urn[u].type in wanted
            ]
        candidates = [
            self.by_urn[u]
            for u in holder.dependencies
            if u in self.by_urn and self.by_urn[u].type in wanted
        ]
        return candidates if len(candidates) == 1 else []

    # Topics -------------------------------------------------------------------------

    def topic_name(self, topic: Resource) -> str | None:
        name = known_str(topic.get("name"))
        if name is not None:
            return name
        arn = known_str(topic.get("arn"))
        parsed = parse_arn(arn) if arn else None
        return sns_topic_name(parsed) if parsed else None

    def topics_named(self, name: str) -> list[Resource]:
        return [t for t in self.of_type(TOPIC) if self.topic_name(t) == name]

    def topics_for(self, holder: Resource, prop: str) -> tuple[list[Resource], bool]:
        """Topics a property (an SNS topic ARN) points at; second item: the ARN was unknown."""
        value = holder.get(prop)
        arn = known_str(value)
        if arn is not None:
            parsed = parse_arn(arn)
            name = sns_topic_name(parsed) if parsed else None
            return (self.topics_named(name) if name else []), False
        if is_unknown(value):
            return self.linked(holder, prop, [TOPIC]), True
        return [], False

    def topic_policy_replacers(self, topic: Resource) -> list[Resource]:
        """TopicPolicy resources attached to the topic; each replaces its whole policy."""
        return [tp for tp in self.of_type(TOPIC_POLICY) if topic in self.topics_for(tp, "arn")[0]]

    def topic_policy_documents(self, topic: Resource) -> list[tuple[Resource, str, Document]]:
        """The topic's effective policy: its TopicPolicy resources, or else its own `policy`.

        A TopicPolicy sets the topic's whole policy attribute, so the topic's own `policy`
        no longer applies once one is attached. Several TopicPolicy resources are a conflict
        (the last applied wins); all of them are returned and the rules report it.
        """
        replacers = self.topic_policy_replacers(topic)
        if replacers:
            return [(tp, "policy", parse_document(tp.get("policy"))) for tp in replacers]
        own = parse_document(topic.get("policy"))
        return [(topic, "policy", own)] if own.present else []

    def untraceable(
        self, holder_type: str, prop: str, target_types: Iterable[str]
    ) -> list[Resource]:
        """Resources whose `prop` is unknown at preview and comes from no target in the stack."""
        wanted = list(target_types)
        return [
            holder
            for holder in self.of_type(holder_type)
            if _has_unknown(holder.get(prop)) and not self.linked(holder, prop, wanted)
        ]

    def untraceable_topic_policies(self) -> list[Resource]:
        """TopicPolicy resources that may replace the policy of any topic of the stack."""
        return self.untraceable(TOPIC_POLICY, "arn", [TOPIC])

    # Keys ---------------------------------------------------------------------------

    def aliases_named(self, name: str) -> list[Resource]:
        return [a for a in self.of_type(ALIAS) if known_str(a.get("name")) == name]

    def key_of_alias(self, alias: Resource) -> Resource | None:
        target = known_str(alias.get("targetKeyId"))
        if target is not None:
            keys = self.keys_identified_by(target)
            return keys[0] if keys else None
        linked = self.linked(alias, "targetKeyId", [KEY])
        return linked[0] if linked else None

    def keys_identified_by(self, value: str) -> list[Resource]:
        """Keys whose known ID or ARN equals a reference."""
        return [
            k
            for k in self.of_type(KEY)
            if value in {known_str(k.get("keyId")), known_str(k.get("arn")), known_str(k.get("id"))}
        ]

    def is_aws_managed_alias(self, alias: Resource) -> bool:
        name = known_str(alias.get("name"))
        return name is not None and name.strip().lower() == AWS_MANAGED_SNS_ALIAS

    def topic_key(self, topic: Resource) -> KeyReference:
        """Resolve `kmsMasterKeyId`: alias name, alias ARN, key ID/ARN, or by dependency."""
        value = topic.get("kmsMasterKeyId")
        if value is None or value == "":
            return KeyReference("none")
        reference = known_str(value)
        if reference is not None:
            alias_name = kms_alias_name(reference)
            if alias_name is not None:
                if alias_name.lower() == AWS_MANAGED_SNS_ALIAS:
                    return KeyReference("aws-managed", reference)
                for alias in self.aliases_named(alias_name):
                    key = self.key_of_alias(alias)
                    if key is not None:
                        return KeyReference("key", reference, key, via=f"alias {alias_name}")
                nameless = [a for a in self.of_type(ALIAS) if is_unknown(a.get("name"))]
                if nameless and not self.linked(topic, "kmsMasterKeyId", [KEY, ALIAS]):
                    return KeyReference(
                        "unknown",
                        reference,
                        note=(
                            f"`kmsMasterKeyId` of topic {topic.label} is '{reference}', and the "
                            f"`name` of alias {', '.join(a.label for a in nameless)} is unknown "
                            "at preview, so it is not known which key that alias names"
                        ),
                    )
            else:
                # A key ID or ARN: it may be the target of an alias read into the stack.
                for alias in self.of_type(ALIAS):
                    targets = {
                        known_str(alias.get("targetKeyId")),
                        known_str(alias.get("targetKeyArn")),
                    }
                    if reference in targets and self.is_aws_managed_alias(alias):
                        return KeyReference(
                            "aws-managed",
                            reference,
                            via=f"alias resource '{alias.name}' ({AWS_MANAGED_SNS_ALIAS})",
                        )
                keys = self.keys_identified_by(reference)
                if keys:
                    return KeyReference("key", reference, keys[0], via="its key ID")
        linked = self._key_by_dependency(topic)
        if linked is not None:
            return linked
        if reference is not None:
            return KeyReference("outside", reference)
        return KeyReference(
            "unknown",
            note=(
                f"`kmsMasterKeyId` of topic {topic.label} is unknown at preview and does not "
                "come from a key or alias in this stack"
            ),
        )

    def _key_by_dependency(self, topic: Resource) -> KeyReference | None:
        for resource in self.linked(topic, "kmsMasterKeyId", [KEY, ALIAS]):
            if resource.type == KEY:
                return KeyReference(
                    "key",
                    known_str(topic.get("kmsMasterKeyId")),
                    resource,
                    via=f"key resource '{resource.name}'",
                )
            if self.is_aws_managed_alias(resource):
                return KeyReference(
                    "aws-managed",
                    None,
                    via=f"alias resource '{resource.name}' ({AWS_MANAGED_SNS_ALIAS})",
                )
            key = self.key_of_alias(resource)
            if key is not None:
                return KeyReference("key", None, key, via=f"alias resource '{resource.name}'")
        return None

    def key_policy_replacers(self, key: Resource) -> list[Resource]:
        """KeyPolicy resources attached to the key; each replaces its whole key policy."""
        replacers = []
        for key_policy in self.of_type(KEY_POLICY):
            key_id = known_str(key_policy.get("keyId"))
            targets = (
                self.keys_identified_by(key_id)
                if key_id
                else self.linked(key_policy, "keyId", [KEY])
            )
            if key in targets:
                replacers.append(key_policy)
        return replacers

    def key_policy_documents(self, key: Resource) -> list[tuple[Resource, str, Document]]:
        """The key's effective key policy: its KeyPolicy resources, or else its own `policy`.

        A KeyPolicy replaces the key's whole policy, so the key's own `policy` no longer
        applies once one is attached; several KeyPolicy resources are a conflict.
        """
        replacers = self.key_policy_replacers(key)
        if replacers:
            return [(kp, "policy", parse_document(kp.get("policy"))) for kp in replacers]
        own = parse_document(key.get("policy"))
        return [(key, "policy", own)] if own.present else []

    def untraceable_key_policies(self) -> list[Resource]:
        """KeyPolicy resources that may replace the key policy of any key of the stack."""
        return self.untraceable(KEY_POLICY, "keyId", [KEY])

    # Roles --------------------------------------------------------------------------

    def role_name(self, role: Resource) -> str | None:
        name = known_str(role.get("name"))
        if name is not None:
            return name
        arn = known_str(role.get("arn"))
        parsed = parse_arn(arn) if arn else None
        return iam_resource_name(parsed, "role") if parsed else None

    def roles_for(self, holder: Resource, prop: str) -> tuple[list[Resource], bool]:
        """Roles a property (a role ARN or name) points at; second item: it was unknown."""
        value = holder.get(prop)
        reference = known_str(value)
        if reference is not None:
            parsed = parse_arn(reference)
            name = iam_resource_name(parsed, "role") if parsed else reference
            return [r for r in self.of_type(ROLE) if self.role_name(r) == name], False
        if is_unknown(value):
            return self.linked(holder, prop, [ROLE]), True
        return [], False

    def _refers_to_role(self, holder: Resource, prop: str, role: Resource) -> bool:
        value = holder.get(prop)
        if isinstance(value, list):
            names = {known_str(v) for v in value}
            if self.role_name(role) in names:
                return True
            return role in self.linked(holder, prop, [ROLE])
        roles, _ = self.roles_for(holder, prop)
        return role in roles

    def _may_refer_to_role(self, holder: Resource, prop: str) -> bool:
        """A role reference that is unknown at preview and does not come from a role here."""
        return _has_unknown(holder.get(prop)) and not self.linked(holder, prop, [ROLE])

    def _policy_for_arn(self, holder: Resource, prop: str, arn: str | None) -> Resource | None:
        if arn is not None:
            parsed = parse_arn(arn)
            name = iam_resource_name(parsed, "policy") if parsed else None
            for policy in self.of_type(IAM_POLICY):
                if known_str(policy.get("arn")) == arn or (
                    name and known_str(policy.get("name")) == name
                ):
                    return policy
            return None
        linked = self.linked(holder, prop, [IAM_POLICY])
        return linked[0] if linked else None

    def role_permissions(self, role: Resource) -> RolePermissions:
        """Every permission policy of a role the stack declares, and attachments it cannot see."""
        result = RolePermissions()
        inline = role.get("inlinePolicies")
        if is_unknown(inline):
            result.unknown.append(f"`inlinePolicies` of role {role.label} is unknown at preview")
        elif isinstance(inline, list):
            for index, item in enumerate(inline):
                if isinstance(item, dict) and item.get("policy") not in (None, ""):
                    label = f"inline policy '{item.get('name') or index}'"
                    result.sources.append(
                        PermissionSource(label, parse_document(item.get("policy")), role)
                    )
        for role_policy in self.of_type(ROLE_POLICY):
            if self._refers_to_role(role_policy, "role", role):
                result.sources.append(
                    PermissionSource(
                        f"role policy {role_policy.label}",
                        parse_document(role_policy.get("policy")),
                        role_policy,
                    )
                )
            elif self._may_refer_to_role(role_policy, "role"):
                result.unknown.append(_unknown_role_note(role_policy, "role", role))
        attached: list[tuple[Resource, str, Any]] = []
        managed = role.get("managedPolicyArns")
        if is_unknown(managed):
            result.unknown.append(f"`managedPolicyArns` of role {role.label} is unknown at preview")
        elif isinstance(managed, list):
            attached.extend((role, "managedPolicyArns", arn) for arn in managed)
        for holder_type, prop in ((ROLE_POLICY_ATTACHMENT, "role"), (POLICY_ATTACHMENT, "roles")):
            for attachment in self.of_type(holder_type):
                if self._refers_to_role(attachment, prop, role):
                    attached.append((attachment, "policyArn", attachment.get("policyArn")))
                elif self._may_refer_to_role(attachment, prop):
                    result.unknown.append(_unknown_role_note(attachment, prop, role))
        for holder, prop, value in attached:
            arn = known_str(value)
            policy = self._policy_for_arn(holder, prop, arn)
            if policy is not None:
                result.sources.append(
                    PermissionSource(
                        f"attached policy {policy.label}",
                        parse_document(policy.get("policy")),
                        policy,
                    )
                )
            elif arn is not None:
                result.outside_arns.append(arn)
            elif is_unknown(value):
                result.unknown.append(f"`{prop}` of {holder.label} is unknown at preview")
        return result


def _has_unknown(value: Any) -> bool:
    """An unknown value, or a list with an unknown item (a list of role names, say)."""
    if isinstance(value, list):
        return any(is_unknown(item) for item in value)
    return is_unknown(value)


def _unknown_role_note(holder: Resource, prop: str, role: Resource) -> str:
    return (
        f"`{prop}` of {holder.label} is unknown at preview and does not come from a role in "
        f"this stack, so it is not known whether it adds permissions to role {role.label}"
    )
