"""The consumer stack's configuration, validated once, with errors a person can act on.

This is the only module that reads `pulumi.Config`. A bad value stops the program before
any resource is registered, with one line per problem naming the key, the value received,
what was expected and the command that fixes it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

CONFIG_NAMESPACE = "social-messaging-consumer"
EXAMPLE_PRODUCER_STACK = "organization/social-messaging-destinations/dev"
DEAD_LETTER_SUFFIX = "-dlq"

# SQS queue names: 1-80 of [A-Za-z0-9_-]; the dead-letter queue adds DEAD_LETTER_SUFFIX.
_QUEUE_NAME = re.compile(rf"^[A-Za-z0-9_-]{{1,{80 - len(DEAD_LETTER_SUFFIX)}}}$")
# Stack names: "stack", "project/stack" or "organization/project/stack".
_STACK_PART = re.compile(r"^[A-Za-z0-9_.-]+$")

_EXAMPLES: dict[str, str] = {
    "producerStack": EXAMPLE_PRODUCER_STACK,
    "queueName": "orders-whatsapp-events",
    "maxReceiveCount": "5",
    "messageRetentionSeconds": "345600",
    "visibilityTimeoutSeconds": "60",
    "keyDeletionWindowInDays": "30",
    "rawMessageDelivery": "true",
    "tags": '\'{"team": "orders"}\'',
}


class ConsumerSettingsError(pulumi.RunError):
    """Every problem in the consumer's configuration, reported together."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"Invalid stack configuration in namespace '{CONFIG_NAMESPACE}':\n{lines}")


class ConsumerSettings(BaseModel):
    """What the consumer needs to know; defaults suit a team reading events with a worker.

    Field names are snake_case in Python and camelCase in the stack file.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid"
    )

    producer_stack: str = Field(
        description="The producer stack to read outputs from, as a stack reference name."
    )
    queue_name: str = Field(description="Name of the SQS queue; the DLQ adds '-dlq'.")
    max_receive_count: int = Field(5, ge=1, le=1000)
    # 4 days is the SQS default; the dead-letter queue always keeps 14 days (the maximum)
    # because SQS keeps a message's original enqueue time when it moves it to a DLQ.
    message_retention_seconds: int = Field(345_600, ge=60, le=1_209_600)
    visibility_timeout_seconds: int = Field(60, ge=0, le=43_200)
    key_deletion_window_in_days: int = Field(30, ge=7, le=30)
    raw_message_delivery: bool = True
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("producer_stack")
    @classmethod
    def _stack_reference_name(cls, value: str) -> str:
        """A stack reference name has one to three '/'-separated parts, none empty."""
        parts = value.split("/")
        if not 1 <= len(parts) <= 3 or not all(_STACK_PART.match(part) for part in parts):
            raise ValueError(
                "a stack reference name such as 'organization/<project>/<stack>' "
                "(local backend) or '<org>/<project>/<stack>' (Pulumi Cloud)"
            )
        return value

    @field_validator("queue_name")
    @classmethod
    def _standard_queue_name(cls, value: str) -> str:
        """A standard SNS topic cannot deliver to a FIFO queue, and SQS limits the name."""
        if value.endswith(".fifo"):
            raise ValueError(
                "a standard queue name: the producer's topic is a standard topic and "
                "standard topics cannot deliver to FIFO ('.fifo') queues"
            )
        if not _QUEUE_NAME.match(value):
            raise ValueError(
                f"1-{80 - len(DEAD_LETTER_SUFFIX)} characters of letters, digits, '-' or '_' "
                f"(SQS allows 80, and the dead-letter queue adds '{DEAD_LETTER_SUFFIX}')"
            )
        return value

    @property
    def dead_letter_queue_name(self) -> str:
        """The DLQ sits next to the queue so that operators find it by name."""
        return f"{self.queue_name}{DEAD_LETTER_SUFFIX}"


def default_queue_name(project: str, stack: str) -> str:
    """One queue per consumer stack, so two stacks in one account never collide."""
    return f"{project}-{stack}-whatsapp-events"


def _describe(error: Mapping[str, Any]) -> str:
    """Turn one pydantic error into 'key: got X; expected Y. Fix: command'."""
    key = ".".join(str(part) for part in error["loc"]) or "<root>"
    top_key = str(error["loc"][0]) if error["loc"] else key
    expected = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        received = "nothing (the key is missing)"
        expected = "a value"
    elif error["type"] == "extra_forbidden":
        return (
            f"{CONFIG_NAMESPACE}:{key}: is not a setting of this project. "
            f"Fix: pulumi config rm {key}"
        )
    else:
        received = repr(error["input"])
    example = _EXAMPLES.get(top_key, "<value>")
    return (
        f"{CONFIG_NAMESPACE}:{key}: got {received}; expected {expected}. "
        f"Fix: pulumi config set {top_key} {example}"
    )


def parse_settings(values: Mapping[str, Any], project: str, stack: str) -> ConsumerSettings:
    """Validate raw config values (camelCase keys, as strings or objects) in one pass.

    Pure, so that every rule is tested without a Pulumi runtime.
    """
    raw = {key: value for key, value in values.items() if value is not None}
    raw.setdefault("queueName", default_queue_name(project, stack))
    try:
        return ConsumerSettings.model_validate(raw)
    except ValidationError as error:
        raise ConsumerSettingsError([_describe(problem) for problem in error.errors()]) from None


def load_settings(config: pulumi.Config, project: str, stack: str) -> ConsumerSettings:
    """Read every known key from the stack configuration and validate them together."""
    keys = [field.alias for field in ConsumerSettings.model_fields.values() if field.alias]
    values: dict[str, Any] = {key: config.get(key) for key in keys if key != "tags"}
    try:
        values["tags"] = config.get_object("tags")
    except pulumi.ConfigTypeError:
        raise ConsumerSettingsError(
            [
                f"{CONFIG_NAMESPACE}:tags: got a value that is not JSON; expected a JSON "
                f"object of strings. Fix: pulumi config set tags {_EXAMPLES['tags']}"
            ]
        ) from None
    return parse_settings(values, project, stack)
