"""Where the consumer deploys, and the check that it is where the producer's topic is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_aws as aws

from consumer.producer import ProducerOutputs, ProducerStackError


@dataclass(frozen=True)
class ConsumerLocation:
    """The partition, Region and account that this stack's AWS provider deploys to."""

    partition: str
    region: str
    account_id: str


def check_same_location(producer: ProducerOutputs, consumer: ConsumerLocation) -> None:
    """The queue must live in the topic's account and Region.

    The producer's topic policy lets only its own account subscribe, and an SNS
    subscription is created in the topic's Region; deploying elsewhere would fail late,
    during `pulumi up`, so the mismatch is reported at preview instead.
    """
    if (consumer.partition, consumer.region, consumer.account_id) == (
        producer.partition,
        producer.region,
        producer.account_id,
    ):
        return
    raise ProducerStackError(
        f"The producer stack '{producer.stack}' publishes to {producer.topic_arn!r} "
        f"(partition '{producer.partition}', Region '{producer.region}', account "
        f"'{producer.account_id}'), but this stack deploys to partition "
        f"'{consumer.partition}', Region '{consumer.region}', account "
        f"'{consumer.account_id}'. Expected the same account and Region: the topic "
        "accepts subscriptions only from its own account, in its own Region. Fix: "
        f"pulumi config set aws:region {producer.region}, and deploy with credentials "
        f"for account {producer.account_id}."
    )


def current_location() -> pulumi.Output[ConsumerLocation]:
    """Ask the provider where it deploys, as `pulumi preview` and `up` both can."""
    return pulumi.Output.all(
        aws.get_partition_output().partition,
        aws.get_region_output().region,
        aws.get_caller_identity_output().account_id,
    ).apply(lambda v: ConsumerLocation(partition=v[0], region=v[1], account_id=v[2]))


def checked_location(
    producer: pulumi.Output[ProducerOutputs], location: pulumi.Output[ConsumerLocation]
) -> pulumi.Output[ConsumerLocation]:
    """The consumer's location, which fails the program if it is not the producer's.

    Every ARN and policy is built from this value, so no resource is registered with a
    document that points at the wrong account or Region.
    """

    def check(values: list[Any]) -> ConsumerLocation:
        producer_outputs, consumer_location = values
        check_same_location(producer_outputs, consumer_location)
        return cast(ConsumerLocation, consumer_location)

    return pulumi.Output.all(producer, location).apply(check)
