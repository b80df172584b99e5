"""What the producer stack publishes, read through a stack reference and checked once.

The producer (project `social-messaging-destinations`) exports camelCase outputs:
`accountId`, `region`, `partition`, `topicArn`, `topicName`, `kmsKeyArn`, `kmsKeyAlias`,
`connectRoleArn` and `destinations`. Only what the consumer uses is read; unknown keys
inside `destinations` are ignored so the producer can add fields without breaking us.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from consumer.arns import parse_topic_arn

# The outputs read from the producer stack, in the order they are reported.
PRODUCER_OUTPUT_NAMES = (
    "accountId",
    "region",
    "partition",
    "topicArn",
    "kmsKeyArn",
    "destinations",
)


class ProducerStackError(pulumi.RunError):
    """The producer stack's outputs cannot feed this consumer; the message says why."""


@dataclass(frozen=True)
class ProducerDestination:
    """One WABA's event destination as the producer reports it."""

    waba_id: str
    type: str  # "sns" or "connect"
    event_destination_arn: str


@dataclass(frozen=True)
class ProducerOutputs:
    """The producer's topic and where it lives."""

    stack: str
    account_id: str
    region: str
    partition: str
    topic_arn: str
    kms_key_arn: str
    destinations: tuple[ProducerDestination, ...]

    @property
    def waba_ids_on_topic(self) -> list[str]:
        """The WABAs whose events reach this topic, i.e. the events the queue receives."""
        return sorted(
            d.waba_id
            for d in self.destinations
            if d.type == "sns" and d.event_destination_arn == self.topic_arn
        )


def _required_text(stack: str, outputs: Mapping[str, Any], name: str) -> str:
    """A string output that must be present and non-empty."""
    value = outputs.get(name)
    if not isinstance(value, str) or not value:
        received = "nothing (no such output)" if value is None else repr(value)
        raise ProducerStackError(
            f"Producer stack '{stack}' output '{name}': got {received}; expected a "
            f"non-empty string. Fix: run `pulumi up` on the producer stack with a version "
            f"that exports '{name}', or point producerStack at the right stack."
        )
    return value


def _destinations(stack: str, value: Any) -> tuple[ProducerDestination, ...]:
    """Parse `destinations`, keeping the keys the consumer uses and ignoring the rest."""
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ProducerStackError(
            f"Producer stack '{stack}' output 'destinations': got a "
            f"{type(value).__name__}; expected a list of "
            "{wabaId, type, eventDestinationArn, roleArn} objects. Fix: run `pulumi up` "
            "on the producer stack with a current version of the program."
        )
    parsed = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping) or not isinstance(item.get("wabaId"), str):
            raise ProducerStackError(
                f"Producer stack '{stack}' output 'destinations[{index}]': expected an "
                "object with a string 'wabaId'. Fix: run `pulumi up` on the producer "
                "stack with a current version of the program."
            )
        parsed.append(
            ProducerDestination(
                waba_id=item["wabaId"],
                type=str(item.get("type") or ""),
                event_destination_arn=str(item.get("eventDestinationArn") or ""),
            )
        )
    return tuple(parsed)


def parse_producer_outputs(stack: str, outputs: Mapping[str, Any]) -> ProducerOutputs:
    """Check the producer's outputs once, so every later step can trust them.

    An empty `topicArn` means the producer has only Amazon Connect destinations: there
    is no topic, and so nothing this consumer can subscribe to.
    """
    topic_arn = outputs.get("topicArn")
    if not topic_arn:
        raise ProducerStackError(
            f"Producer stack '{stack}' output 'topicArn' is empty: that stack has no SNS "
            "event destination (its WABAs deliver to Amazon Connect or nowhere), so there "
            "is no topic to subscribe to. Fix: give a WABA an SNS destination in the "
            "producer stack and run `pulumi up` there, or point producerStack at a stack "
            f"that has one (pulumi config set producerStack <org>/<project>/<stack>)."
        )
    if not isinstance(topic_arn, str) or (topic := parse_topic_arn(topic_arn)) is None:
        raise ProducerStackError(
            f"Producer stack '{stack}' output 'topicArn': got {topic_arn!r}; expected an "
            "SNS topic ARN 'arn:<partition>:sns:<region>:<account>:<name>'. Fix: point "
            "producerStack at a social-messaging-destinations stack."
        )
    account_id = _required_text(stack, outputs, "accountId")
    region = _required_text(stack, outputs, "region")
    partition = outputs.get("partition") or topic.partition
    reported = (partition, region, account_id)
    if reported != (topic.partition, topic.region, topic.account_id):
        raise ProducerStackError(
            f"Producer stack '{stack}': topicArn {topic_arn!r} is in partition "
            f"'{topic.partition}', Region '{topic.region}', account '{topic.account_id}', "
            f"but the stack reports partition '{partition}', region '{region}', accountId "
            f"'{account_id}'. Fix: run `pulumi refresh` and `pulumi up` on the producer "
            "stack so that its outputs agree."
        )
    kms_key_arn = outputs.get("kmsKeyArn") or ""
    return ProducerOutputs(
        stack=stack,
        account_id=account_id,
        region=region,
        partition=partition,
        topic_arn=topic_arn,
        kms_key_arn=kms_key_arn if isinstance(kms_key_arn, str) else "",
        destinations=_destinations(stack, outputs.get("destinations")),
    )


def read_producer(reference: pulumi.StackReference, stack: str) -> pulumi.Output[ProducerOutputs]:
    """Read the producer's outputs by name and check them together.

    `get_output` rather than `require_output`: a missing output then gets a message that
    names it and says how to fix it, instead of a bare KeyError.
    """
    values = {name: reference.get_output(name) for name in PRODUCER_OUTPUT_NAMES}
    return pulumi.Output.all(**values).apply(lambda outputs: parse_producer_outputs(stack, outputs))
