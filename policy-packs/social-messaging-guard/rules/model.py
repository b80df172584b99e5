"""One model of the resources the policies judge, whatever provider family wrote them.

A policy reads "a topic", "a key and its policy", "a role, its trust and every permission
attached to it" through `Node.get(field)`, with field names of the model's own; each
provider family's adapter (`adapter_aws`, `adapter_aws_native`) says which of its
property names holds each field. Messages name the provider's property
(`Node.prop(field)`), so the author reads the name they wrote. A resource no adapter knows
(another provider, a component) has no node and is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .values import Resource

# Kinds of resource the policies judge.
TOPIC = "topic"
TOPIC_POLICY = "topic policy"  # replaces the whole policy of the topics it names
KEY = "key"
KEY_POLICY = "key policy"  # replaces the whole key policy of its key
ALIAS = "alias"
ROLE = "role"
ROLE_POLICY = "role policy"  # an inline permission policy of the roles it names
MANAGED_POLICY = "managed policy"  # attached by ARN, or (aws-native) to the roles it names
POLICY_ATTACHMENT = "policy attachment"  # attaches a managed policy by ARN to roles
QUEUE = "queue"
QUEUE_POLICY = "queue policy"
CONNECT_INSTANCE = "connect instance"
DESTINATION = "destination"

# Fields of the model. A shape maps the fields its kind has to the provider's properties.
NAME = "name"
NAME_PREFIX = "name_prefix"
ARN = "arn"
FIFO = "fifo"
KMS_KEY = "kms_key"
POLICY = "policy"
TARGETS = "targets"  # what a topic, key or queue policy applies to: ARNs, IDs or URLs
SPEC = "spec"
USAGE = "usage"
KEY_ID = "key_id"
ID = "id"
TARGET_KEY = "target_key"
TARGET_KEY_ARN = "target_key_arn"
TRUST_POLICY = "trust_policy"
INLINE_POLICIES = "inline_policies"
INLINE_NAME = "inline_policies.name"
INLINE_DOCUMENT = "inline_policies.policy"
MANAGED_POLICY_ARNS = "managed_policy_arns"
ROLES = "roles"  # the roles a role policy, managed policy or attachment names
POLICY_ARN = "policy_arn"
WABA_ID = "waba_id"
EVENT_DESTINATION_ARN = "event_destination_arn"
ROLE_ARN = "role_arn"


@dataclass(frozen=True)
class Shape:
    """How one provider type holds one kind of resource.

    `properties` maps model fields to the provider's property names; `documents` lists the
    fields that hold a resource or trust policy (one with a `Principal`), the documents
    `service-principal-confused-deputy` reads.
    """

    family: str
    kind: str
    properties: Mapping[str, str]
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Node:
    """A resource of the stack seen through its family's adapter."""

    resource: Resource
    shape: Shape

    @property
    def kind(self) -> str:
        return self.shape.kind

    @property
    def urn(self) -> str:
        return self.resource.urn

    @property
    def type(self) -> str:
        return self.resource.type

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def label(self) -> str:
        return self.resource.label

    def has(self, field_name: str) -> bool:
        """Whether this provider type has the field at all (aws-native topics have no policy)."""
        return field_name in self.shape.properties

    def prop(self, field_name: str) -> str:
        """The provider's name of a field, for messages and property dependencies."""
        return self.shape.properties.get(field_name, field_name)

    def may_hold_unknowns(self, field_name: str) -> bool:
        """False when unwrapping the property found no unknown value anywhere inside it."""
        free = self.resource.unknown_free
        return free is None or self.prop(field_name) not in free

    def get(self, field_name: str) -> Any:
        prop = self.shape.properties.get(field_name)
        return self.resource.props.get(prop) if prop is not None else None


@dataclass(frozen=True)
class Family:
    """One provider family: its type tokens and how each holds the model's fields."""

    name: str
    shapes: Mapping[str, Shape] = field(default_factory=dict)


def shape(
    family: str, kind: str, properties: Mapping[str, str], documents: tuple[str, ...] = ()
) -> Shape:
    return Shape(family, kind, dict(properties), documents)
