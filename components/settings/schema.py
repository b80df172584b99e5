"""The shape of the stack's settings: pydantic models, defaults, and what each key
expects (for messages), with an example value a fix sets."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

MAX_DESTINATIONS = 25  # the service's quota of linked WABAs per Region
TOP_LEVEL_KEYS = ("destinations", "topic", "connectRole", "tags")


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class DestinationSettings(_Model):
    """One WABA and where its events go."""

    waba_id: str
    type: Literal["sns", "connect"]
    connect_instance_arn: str | None = None
    topic_arn: str | None = None
    role_arn: str | None = None
    takeover: bool = False
    verify: bool = True


class TopicSettings(_Model):
    """The topic (and its key) this stack creates for SNS destinations."""

    name: str | None = None
    key_rotation: bool = True
    key_deletion_window_days: int = Field(default=30, ge=7, le=30)
    protect: bool = False


class ConnectRoleSettings(_Model):
    """The Connect two-way channel role this stack creates when none is given."""

    name: str | None = None


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


class StackSettings(_Model):
    """The whole validated configuration of one stack."""

    destinations: list[DestinationSettings] = Field(min_length=1, max_length=MAX_DESTINATIONS)
    topic: TopicSettings = TopicSettings()
    connect_role: ConnectRoleSettings = ConnectRoleSettings()
    tags: dict[str, str] = Field(default_factory=dict)

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
