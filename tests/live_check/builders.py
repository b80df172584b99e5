"""What the live check's tests set up in moto and the emulator: destinations as this
project builds them (its own policy documents), then broken one way at a time."""

from __future__ import annotations

import json
from typing import Any

import boto3

from components.policy_documents import (
    connect_channel_permissions_policy,
    connect_channel_trust_policy,
)
from components.waba.claim import Identity, Previous, claim_for
from components.waba.state import EventDestination
from tests.fakes.fixtures import AwsDoubles
from tests.waba.builders import connect_instance, make_topic

QUEUE = "arn:aws:sqs:{region}:{account}:whatsapp-events"


def subscribed_topic(aws: AwsDoubles, name: str = "whatsapp-events", **options: Any) -> str:
    """A good encrypted topic with one confirmed subscription (an SQS queue)."""
    topic = make_topic(aws.region, aws.account, name=name, **options)
    subscribe(aws, topic)
    return topic


def subscribe(aws: AwsDoubles, topic: str) -> None:
    sns = boto3.client("sns", region_name=topic.split(":")[3])
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=QUEUE.format(region=aws.region, account=aws.account),
    )


def channel_role(
    aws: AwsDoubles,
    name: str = "whatsapp-channel",
    trust: dict[str, Any] | None = None,
    permissions: dict[str, Any] | None = None,
) -> str:
    """A two-way channel role with the project's trust and permissions documents,
    unless told otherwise."""
    iam = boto3.client("iam")
    document = trust or connect_channel_trust_policy("aws", aws.region, aws.account)
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(document))
    iam.put_role_policy(
        RoleName=name,
        PolicyName="channel",
        PolicyDocument=json.dumps(permissions or connect_channel_permissions_policy()),
    )
    return str(role["Role"]["Arn"])


def connect_waba(aws: AwsDoubles, role: str, name: str = "Support") -> str:
    return aws.emulator.link_waba(
        name,
        region=aws.region,
        destination=connect_instance(aws.account, aws.region),
        role_arn=role,
    )


def claim(aws: AwsDoubles, waba: str, destination: str, stack: str = "prod") -> None:
    """The claim a stack's resource writes on the WABA when it sets `destination`."""
    identity = Identity("social-messaging-destinations", stack, "orders-waba")
    written = claim_for(identity, "token-1", EventDestination(destination), Previous())
    aws.emulator.set_tags(waba, written.to_tags())
