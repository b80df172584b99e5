"""The shape of the stack's settings: the models (frozen dataclasses, one field per
key, the key being the field's name in camelCase), their defaults and bounds, and what
each key expects (for messages), with an example value a fix sets. `structure` checks raw
settings against these models."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Literal

MAX_DESTINATIONS = 25  # the service's quota of linked WABAs per Region
TOP_LEVEL_KEYS = ("destinations", "topic", "connectRole", "tags")


def camel(name: str) -> str:
    """A field's key: `key_deletion_window_days` is `keyDeletionWindowDays`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def bounds(low: int, high: int) -> dict[str, Any]:
    """A field's inclusive bounds: a number's value, a list's length."""
    return {"bounds": (low, high)}


@dataclass(frozen=True)
class DestinationSettings:
    """One WABA and where its events go."""

    waba_id: str
    type: Literal["sns", "connect"]
    connect_instance_arn: str | None = None
    topic_arn: str | None = None
    role_arn: str | None = None
    takeover: bool = False
    verify: bool = True


@dataclass(frozen=True)
class TopicSettings:
    """The topic (and its key) this stack creates for SNS destinations."""

    name: str | None = None
    key_rotation: bool = True
    key_deletion_window_days: int = field(default=30, metadata=bounds(7, 30))
    protect: bool = False


@dataclass(frozen=True)
class ConnectRoleSettings:
    """The Connect two-way channel role this stack creates when none is given."""

    name: str | None = None


def model_keys(model: type) -> tuple[str, ...]:
    """A model's keys, in the order they are checked."""
    return tuple(camel(f.name) for f in fields(model))


def required_keys(model: type) -> frozenset[str]:
    """The keys of a model that have no default."""
    return frozenset(
        camel(f.name)
        for f in fields(model)
        if f.default is MISSING and f.default_factory is MISSING
    )


def needs_own_topic(kind: object, topic_arn: object) -> bool:
    """A destination needs the stack's topic when it is SNS and brings none of its own."""
    return kind == "sns" and not topic_arn


def needs_own_role(kind: object, role_arn: object) -> bool:
    """A destination needs the stack's role when it is Connect and brings none of its own."""
    return kind == "connect" and not role_arn


def default_topic_name(project: str, stack: str) -> str:
    return f"{project}-{stack}-events"


def default_connect_role_name(project: str, stack: str) -> str:
    return f"{project}-{stack}-connect-channel"


@dataclass(frozen=True)
class StackSettings:
    """The whole validated configuration of one stack."""

    destinations: list[DestinationSettings] = field(metadata=bounds(1, MAX_DESTINATIONS))
    topic: TopicSettings = field(default_factory=TopicSettings)
    connect_role: ConnectRoleSettings = field(default_factory=ConnectRoleSettings)
    tags: dict[str, str] = field(default_factory=dict)

    def topic_name(self, project: str, stack: str) -> str:
        return self.topic.name or default_topic_name(project, stack)

    def connect_role_name(self, project: str, stack: str) -> str:
        return self.connect_role.name or default_connect_role_name(project, stack)

    @property
    def needs_topic(self) -> bool:
        """A topic is created when an SNS destination does not bring its own."""
        return any(needs_own_topic(d.type, d.topic_arn) for d in self.destinations)

    @property
    def needs_connect_role(self) -> bool:
        """A role is created when a Connect destination does not bring its own."""
        return any(needs_own_role(d.type, d.role_arn) for d in self.destinations)


EXAMPLE_WABA = "waba-0123456789abcdef"
# Examples are values a fix command sets (quoted there, so `<partition>` stays text).
EXAMPLE_CONNECT = (
    "arn:<partition>:connect:us-east-1:111122223333:instance/aaaabbbb-cccc-dddd-eeee-ffff00001111"
)
EXAMPLE_TOPIC = "arn:<partition>:sns:us-east-1:111122223333:whatsapp-events"
EXAMPLE_ROLE = "arn:<partition>:iam::111122223333:role/whatsapp-connect-channel"
EXAMPLE_TOPIC_NAME = "whatsapp-events"
EXAMPLE_ROLE_NAME = "whatsapp-connect-channel"
TOPIC_NAME_EXPECTED = "a standard SNS topic name"
ROLE_NAME_EXPECTED = "an IAM role name"

# What each key expects, for messages; keyed by the last part of the key path.
EXPECTED: dict[str, tuple[str, str]] = {
    "destinations": (f"a list of 1 to {MAX_DESTINATIONS} destinations (one per WABA)", ""),
    "wabaId": (
        "'waba-<id>' or 'arn:<partition>:social-messaging:<region>:<account>:waba/<id>'",
        EXAMPLE_WABA,
    ),
    "type": ("'sns' or 'connect'", "sns"),
    "connectInstanceArn": (
        "an Amazon Connect instance ARN, only on destinations of type 'connect'",
        EXAMPLE_CONNECT,
    ),
    "topicArn": (
        "the ARN of an existing standard (not .fifo) SNS topic, only on destinations of type 'sns'",
        EXAMPLE_TOPIC,
    ),
    "roleArn": (
        "the ARN of an existing IAM role, only on destinations of type 'connect'",
        EXAMPLE_ROLE,
    ),
    "takeover": ("true or false", "false"),
    "verify": ("true or false", "true"),
    "topic": ("an object with name, keyRotation, keyDeletionWindowDays, protect", ""),
    "name": ("a name", EXAMPLE_TOPIC_NAME),
    "keyRotation": ("true or false", "true"),
    "keyDeletionWindowDays": ("a whole number of days from 7 to 30", "30"),
    "protect": ("true or false", "true"),
    "connectRole": ("an object with name", ""),
    "tags": ("a map of tag keys to string values", ""),
}
