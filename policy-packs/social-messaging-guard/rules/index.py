"""The stack index: every resource the pack reads, and every link between them, built once.

Built once per `AnalyzeStack` and shared by the stack policies, it holds the nodes by URN,
by kind, by name, by ARN or ID, and by reference (which topic and key policies replace
which topic's or key's policy, which policies reach which role), so that each lookup a
policy makes costs the same whatever the stack's size.

At `pulumi preview` many outputs (ARNs, key IDs) are unknown, so links are made by what is
known (explicit names, ARNs built from names, alias names) and, where a property is
unknown, by the engine's property dependencies, which say which resources it came from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .adapters import adapt
from .arns import iam_resource_name, kms_alias_name, parse_arn, sns_topic_name
from .documents import Document, parse_document
from .model import (
    ALIAS,
    ARN,
    DESTINATION,
    ID,
    INLINE_DOCUMENT,
    INLINE_NAME,
    INLINE_POLICIES,
    KEY,
    KEY_ID,
    KEY_POLICY,
    KMS_KEY,
    MANAGED_POLICY,
    MANAGED_POLICY_ARNS,
    NAME,
    POLICY,
    POLICY_ARN,
    POLICY_ATTACHMENT,
    ROLE,
    ROLE_POLICY,
    ROLES,
    TARGET_KEY,
    TARGET_KEY_ARN,
    TARGETS,
    TOPIC,
    TOPIC_POLICY,
    Node,
)
from .values import Resource, is_unknown

AWS_MANAGED_SNS_ALIAS = "alias/aws/sns"

T = TypeVar("T")


def known_str(value: Any) -> str | None:
    """A property that is a known, non-empty string; None for absent, empty or unknown."""
    if isinstance(value, str) and value and not is_unknown(value):
        return value
    return None


def has_unknown(value: Any) -> bool:
    """An unknown value, or a list with an unknown item (a list of role names, say)."""
    if isinstance(value, list):
        return any(is_unknown(item) for item in value)
    return is_unknown(value)


def references(value: Any) -> list[str]:
    """The known strings of a one-or-many reference property."""
    items = value if isinstance(value, list) else [value]
    return [s for s in (known_str(item) for item in items) if s is not None]


@dataclass(frozen=True)
class KeyReference:
    """What a topic's `kmsMasterKeyId` resolves to within the stack.

    kind: "none" (not encrypted), "aws-managed", "key" (a key in the stack),
    "outside" (a customer key that is not in this stack) or "unknown".
    """

    kind: str
    value: str | None = None
    key: Node | None = None
    via: str = ""
    note: str = ""


@dataclass(frozen=True)
class PermissionSource:
    """One permission policy of a role: inline, a role policy, or an attached policy."""

    label: str
    document: Document
    resource: Node


@dataclass
class RolePermissions:
    """A role's permission policies; `unknown` holds full sentences on what preview hides."""

    sources: list[PermissionSource] = field(default_factory=list)
    outside_arns: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


class StackIndex:
    """The stack's nodes with the lookups the stack policies share."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.nodes: list[Node] = []
        self.by_urn: dict[str, Node] = {}
        self._by_kind: dict[str, list[Node]] = defaultdict(list)
        for resource in resources:
            node = adapt(resource)
            if node is not None:
                self.nodes.append(node)
                self.by_urn[node.urn] = node
                self._by_kind[node.kind].append(node)
        self._documents: dict[tuple[str, str], Document] = {}
        self._memo: dict[str, Any] = {}
        self._index_names()
        self._index_attachments()

    # Building -----------------------------------------------------------------------

    def _index_names(self) -> None:
        self._topics_by_name: dict[str, list[Node]] = defaultdict(list)
        for topic in self.of_kind(TOPIC):
            name = self.topic_name(topic)
            if name is not None:
                self._topics_by_name[name].append(topic)
        self._keys_by_reference: dict[str, list[Node]] = defaultdict(list)
        for key in self.of_kind(KEY):
            for value in {known_str(key.get(f)) for f in (KEY_ID, ARN, ID)} - {None}:
                self._keys_by_reference[str(value)].append(key)
        self._aliases_by_name: dict[str, list[Node]] = defaultdict(list)
        self._aliases_by_target: dict[str, list[Node]] = defaultdict(list)
        self.nameless_aliases: list[Node] = []
        for alias in self.of_kind(ALIAS):
            name = known_str(alias.get(NAME))
            if name is not None:
                self._aliases_by_name[name].append(alias)
            elif is_unknown(alias.get(NAME)):
                self.nameless_aliases.append(alias)
            for target in {known_str(alias.get(f)) for f in (TARGET_KEY, TARGET_KEY_ARN)} - {None}:
                self._aliases_by_target[str(target)].append(alias)
        self._roles_by_name: dict[str, list[Node]] = defaultdict(list)
        for role in self.of_kind(ROLE):
            name = self.role_name(role)
            if name is not None:
                self._roles_by_name[name].append(role)
        self.crowded_topics = _crowd(self._topics_by_name)
        self.crowded_roles = _crowd(self._roles_by_name)
        self._policies_by_arn: dict[str, list[Node]] = defaultdict(list)
        self._policies_by_name: dict[str, list[Node]] = defaultdict(list)
        for policy in self.of_kind(MANAGED_POLICY):
            arn = known_str(policy.get(ARN))
            if arn is not None:
                self._policies_by_arn[arn].append(policy)
            name = known_str(policy.get(NAME))
            if name is not None:
                self._policies_by_name[name].append(policy)

    def _index_attachments(self) -> None:
        """Resolve once what every topic policy, key policy and role permission applies to."""
        self._topic_policies = self._attach(TOPIC_POLICY, self._topics_of)
        self.untraceable_topic_policies = self._untraceable(TOPIC_POLICY, TARGETS, [TOPIC])
        self._key_policies = self._attach(KEY_POLICY, self._keys_of)
        self.untraceable_key_policies = self._untraceable(KEY_POLICY, TARGETS, [KEY])
        self._role_holders: dict[str, list[Node]] = defaultdict(list)
        self._untraceable_role_holders: list[Node] = []
        for kind in (ROLE_POLICY, MANAGED_POLICY, POLICY_ATTACHMENT):
            for holder in self.of_kind(kind):
                if not holder.has(ROLES):
                    continue
                for role in self.roles_for(holder, ROLES)[0]:
                    self._role_holders[role.urn].append(holder)
                if self.may_refer_to_untraced(holder, ROLES, [ROLE]):
                    self._untraceable_role_holders.append(holder)
        self._untraceable_urns = {h.urn for h in self._untraceable_role_holders}

    def _attach(self, kind: str, targets_of: Callable[[Node], list[Node]]) -> dict[str, list[Node]]:
        attached: dict[str, list[Node]] = defaultdict(list)
        for holder in self.of_kind(kind):
            for target in targets_of(holder):  # distinct targets, so no holder twice
                attached[target.urn].append(holder)
        return attached

    def _untraceable(self, kind: str, field_name: str, target_kinds: list[str]) -> list[Node]:
        return [
            h for h in self.of_kind(kind) if self.may_refer_to_untraced(h, field_name, target_kinds)
        ]

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A result several policies need, computed once per stack."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # General lookups ----------------------------------------------------------------

    def of_kind(self, kind: str) -> list[Node]:
        return self._by_kind.get(kind, [])

    def destinations(self) -> list[Node]:
        return self.of_kind(DESTINATION)

    def document(self, node: Node, field_name: str = POLICY) -> Document:
        """A node's policy document, parsed once per stack."""
        key = (node.urn, field_name)
        found = self._documents.get(key)
        if found is None:
            found = parse_document(node.get(field_name), node.may_hold_unknowns(field_name))
            self._documents[key] = found
        return found

    def linked(self, holder: Node, field_name: str, kinds: Iterable[str]) -> list[Node]:
        """Nodes of the given kinds that a property was computed from.

        Property dependencies are precise; when the engine sent none for the property,
        the resource's plain dependencies are used if exactly one of them has a wanted kind.
        """
        wanted = set(kinds)
        prop = holder.prop(field_name)
        resource = holder.resource
        urns = resource.property_dependencies.get(prop)
        if urns is not None:
            return [n for n in (self.by_urn.get(u) for u in urns) if n and n.kind in wanted]
        candidates = [
            n for n in (self.by_urn.get(u) for u in resource.dependencies) if n and n.kind in wanted
        ]
        return candidates if len(candidates) == 1 else []

    def may_refer_to_untraced(self, holder: Node, field_name: str, kinds: Iterable[str]) -> bool:
        """A reference that is unknown at preview and does not come from a node here."""
        return has_unknown(holder.get(field_name)) and not self.linked(holder, field_name, kinds)

    def _resolve(
        self,
        holder: Node,
        field_name: str,
        kind: str,
        by_reference: Callable[[str], list[Node]],
    ) -> tuple[list[Node], bool]:
        """Nodes a one-or-many reference names; second item: part of it was unknown."""
        value = holder.get(field_name)
        found: list[Node] = []
        seen: set[str] = set()
        candidates = [n for reference in references(value) for n in by_reference(reference)]
        unknown = has_unknown(value)
        if unknown:
            candidates.extend(self.linked(holder, field_name, [kind]))
        for node in candidates:
            if node.urn not in seen:
                seen.add(node.urn)
                found.append(node)
        return found, unknown

    # Topics -------------------------------------------------------------------------

    def topic_name(self, topic: Node) -> str | None:
        name = known_str(topic.get(NAME))
        if name is not None:
            return name
        arn = known_str(topic.get(ARN))
        parsed = parse_arn(arn) if arn else None
        return sns_topic_name(parsed) if parsed else None

    def topics_named(self, name: str) -> list[Node]:
        return self._topics_by_name.get(name, [])

    def _topics_by_arn(self, arn: str) -> list[Node]:
        parsed = parse_arn(arn)
        name = sns_topic_name(parsed) if parsed else None
        return self.topics_named(name) if name else []

    def topics_for(self, holder: Node, field_name: str) -> tuple[list[Node], bool]:
        """Topics a property (SNS topic ARNs) points at; second item: it was unknown."""
        return self._resolve(holder, field_name, TOPIC, self._topics_by_arn)

    def _topics_of(self, topic_policy: Node) -> list[Node]:
        return self.topics_for(topic_policy, TARGETS)[0]

    def topic_policy_replacers(self, topic: Node) -> list[Node]:
        """Topic policy resources attached to the topic; each replaces its whole policy."""
        return self._topic_policies.get(topic.urn, [])

    def topic_policy_documents(self, topic: Node) -> list[tuple[Node, str, Document]]:
        """The topic's effective policy: its topic policy resources, or else its own policy.

        A TopicPolicy (or aws-native TopicInlinePolicy) sets the topic's whole policy
        attribute, so the topic's own `policy` no longer applies once one is attached.
        Several are a conflict (the last applied wins); all are returned and the rules
        report it.
        """
        replacers = self.topic_policy_replacers(topic)
        if replacers:
            return [(tp, tp.prop(POLICY), self.document(tp)) for tp in replacers]
        if not topic.has(POLICY):
            return []
        own = self.document(topic)
        return [(topic, topic.prop(POLICY), own)] if own.present else []

    # Keys ---------------------------------------------------------------------------

    def keys_identified_by(self, value: str) -> list[Node]:
        """Keys whose known ID or ARN equals a reference."""
        return self._keys_by_reference.get(value, [])

    def _keys_of(self, key_policy: Node) -> list[Node]:
        return self._resolve(key_policy, TARGETS, KEY, self.keys_identified_by)[0]

    def key_of_alias(self, alias: Node) -> Node | None:
        target = known_str(alias.get(TARGET_KEY))
        if target is not None:
            keys = self.keys_identified_by(target)
            return keys[0] if keys else None
        linked = self.linked(alias, TARGET_KEY, [KEY])
        return linked[0] if linked else None

    def is_aws_managed_alias(self, alias: Node) -> bool:
        name = known_str(alias.get(NAME))
        return name is not None and name.strip().lower() == AWS_MANAGED_SNS_ALIAS

    def topic_key(self, topic: Node) -> KeyReference:
        """Resolve `kmsMasterKeyId` (alias name, alias ARN, key ID/ARN, or by dependency)."""
        return self.memo(f"topic-key {topic.urn}", lambda: self._topic_key(topic))

    def _topic_key(self, topic: Node) -> KeyReference:
        prop = topic.prop(KMS_KEY)
        value = topic.get(KMS_KEY)
        if value is None or value == "":
            return KeyReference("none")
        reference = known_str(value)
        if reference is not None:
            alias_name = kms_alias_name(reference)
            if alias_name is not None:
                if alias_name.lower() == AWS_MANAGED_SNS_ALIAS:
                    return KeyReference("aws-managed", reference)
                for alias in self._aliases_by_name.get(alias_name, []):
                    key = self.key_of_alias(alias)
                    if key is not None:
                        return KeyReference("key", reference, key, via=f"alias {alias_name}")
                nameless = self.nameless_aliases
                if nameless and not self.linked(topic, KMS_KEY, [KEY, ALIAS]):
                    return KeyReference(
                        "unknown",
                        reference,
                        note=(
                            f"`{prop}` of topic {topic.label} is '{reference}', and the "
                            f"`{nameless[0].prop(NAME)}` of alias "
                            f"{', '.join(a.label for a in nameless)} is unknown "
                            "at preview, so it is not known which key that alias names"
                        ),
                    )
            else:
                # A key ID or ARN: it may be the target of an alias read into the stack.
                for alias in self._aliases_by_target.get(reference, []):
                    if self.is_aws_managed_alias(alias):
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
                f"`{prop}` of topic {topic.label} is unknown at preview and does not "
                "come from a key or alias in this stack"
            ),
        )

    def _key_by_dependency(self, topic: Node) -> KeyReference | None:
        for node in self.linked(topic, KMS_KEY, [KEY, ALIAS]):
            if node.kind == KEY:
                return KeyReference(
                    "key", known_str(topic.get(KMS_KEY)), node, via=f"key resource '{node.name}'"
                )
            if self.is_aws_managed_alias(node):
                return KeyReference(
                    "aws-managed",
                    None,
                    via=f"alias resource '{node.name}' ({AWS_MANAGED_SNS_ALIAS})",
                )
            key = self.key_of_alias(node)
            if key is not None:
                return KeyReference("key", None, key, via=f"alias resource '{node.name}'")
        return None

    def key_policy_replacers(self, key: Node) -> list[Node]:
        """KeyPolicy resources attached to the key; each replaces its whole key policy."""
        return self._key_policies.get(key.urn, [])

    def key_policy_documents(self, key: Node) -> list[tuple[Node, str, Document]]:
        """The key's effective key policy: its KeyPolicy resources, or else its own policy.

        A KeyPolicy replaces the key's whole policy, so the key's own policy no longer
        applies once one is attached; several KeyPolicy resources are a conflict.
        """
        replacers = self.key_policy_replacers(key)
        if replacers:
            return [(kp, kp.prop(POLICY), self.document(kp)) for kp in replacers]
        own = self.document(key)
        return [(key, key.prop(POLICY), own)] if own.present else []

    # Roles --------------------------------------------------------------------------

    def role_name(self, role: Node) -> str | None:
        name = known_str(role.get(NAME))
        if name is not None:
            return name
        arn = known_str(role.get(ARN))
        parsed = parse_arn(arn) if arn else None
        return iam_resource_name(parsed, "role") if parsed else None

    def _roles_by_reference(self, reference: str) -> list[Node]:
        parsed = parse_arn(reference)
        name = iam_resource_name(parsed, "role") if parsed else reference
        return self._roles_by_name.get(name, []) if name else []

    def roles_for(self, holder: Node, field_name: str) -> tuple[list[Node], bool]:
        """Roles a property (role ARNs or names) points at; second item: it was unknown."""
        return self._resolve(holder, field_name, ROLE, self._roles_by_reference)

    def _policy_for_arn(self, holder: Node, field_name: str, arn: str | None) -> Node | None:
        if arn is not None:
            found = self._policies_by_arn.get(arn)
            if found:
                return found[0]
            parsed = parse_arn(arn)
            name = iam_resource_name(parsed, "policy") if parsed else None
            by_name = self._policies_by_name.get(name, []) if name else []
            return by_name[0] if by_name else None
        linked = self.linked(holder, field_name, [MANAGED_POLICY])
        return linked[0] if linked else None

    def role_permissions(self, role: Node) -> RolePermissions:
        """Every permission policy of a role the stack declares, and attachments it cannot see."""
        return self.memo(f"role-permissions {role.urn}", lambda: self._role_permissions(role))

    def _role_permissions(self, role: Node) -> RolePermissions:
        result = RolePermissions()
        inline = role.get(INLINE_POLICIES)
        if is_unknown(inline):
            result.unknown.append(
                f"`{role.prop(INLINE_POLICIES)}` of role {role.label} is unknown at preview"
            )
        elif isinstance(inline, list):
            for index, item in enumerate(inline):
                document = item.get(role.prop(INLINE_DOCUMENT)) if isinstance(item, dict) else None
                if document not in (None, ""):
                    label = f"inline policy '{item.get(role.prop(INLINE_NAME)) or index}'"
                    result.sources.append(PermissionSource(label, parse_document(document), role))
        attached: list[tuple[Node, str, Any]] = []
        managed = role.get(MANAGED_POLICY_ARNS)
        if is_unknown(managed):
            result.unknown.append(
                f"`{role.prop(MANAGED_POLICY_ARNS)}` of role {role.label} is unknown at preview"
            )
        elif isinstance(managed, list):
            attached.extend((role, MANAGED_POLICY_ARNS, arn) for arn in managed)
        for holder in self._role_holders.get(role.urn, []):
            if holder.kind == POLICY_ATTACHMENT:
                attached.append((holder, POLICY_ARN, holder.get(POLICY_ARN)))
            else:
                what = "role policy" if holder.kind == ROLE_POLICY else "managed policy"
                result.sources.append(
                    PermissionSource(f"{what} {holder.label}", self.document(holder), holder)
                )
        known = {h.urn for h in self._role_holders.get(role.urn, [])}
        # Named one by one up to a few, then counted, so many roles and many such policies
        # cost their sum, not their product.
        first = self._untraceable_role_holders[: len(known) + NAMED_UNTRACED]
        untraced = [h for h in first if h.urn not in known][:NAMED_UNTRACED]
        others = len(self._untraceable_role_holders) - len(known & self._untraceable_urns)
        others -= len(untraced)
        for position, holder in enumerate(untraced, 1):
            more = others if position == len(untraced) else 0
            result.unknown.append(_unknown_role_note(holder, role, more))
        for holder, field_name, value in attached:
            arn = known_str(value)
            policy = self._policy_for_arn(holder, field_name, arn)
            if policy is not None:
                result.sources.append(
                    PermissionSource(
                        f"attached policy {policy.label}", self.document(policy), policy
                    )
                )
            elif arn is not None:
                result.outside_arns.append(arn)
            elif is_unknown(value):
                result.unknown.append(
                    f"`{holder.prop(field_name)}` of {holder.label} is unknown at preview"
                )
        return result


def _unknown_role_note(holder: Node, role: Node, others: int) -> str:
    also = f" (as is that of {others:,} more)" if others > 0 else ""
    return (
        f"`{holder.prop(ROLES)}` of {holder.label} is unknown at preview{also} and does not come "
        f"from a role in this stack, so it is not known whether it adds permissions to role "
        f"{role.label}"
    )


# A stack that declares one topic or role name more often than this is refused (AWS keeps
# one of a name per account and Region); only the first ones are judged, so that lookups
# by name stay bounded whatever the stack.
MAX_SAME_NAME = 8
# Policies whose roles are unknown at preview that a role's notes name one by one.
NAMED_UNTRACED = 3


def _crowd(by_name: dict[str, list[Node]]) -> dict[str, int]:
    """Names declared more than `MAX_SAME_NAME` times, with how often; their lists cut."""
    crowded = {name: len(nodes) for name, nodes in by_name.items() if len(nodes) > MAX_SAME_NAME}
    for name in crowded:
        del by_name[name][MAX_SAME_NAME:]
    return crowded
