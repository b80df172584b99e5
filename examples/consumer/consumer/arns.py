"""Partition-aware ARNs for the consumer's resources.

ARNs are built from the partition the provider reports (`aws`, `aws-cn`, `aws-us-gov`),
so the same program works in every partition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SNS_TOPIC_ARN = re.compile(
    r"^arn:(?P<partition>[a-z-]+):sns:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<name>[A-Za-z0-9_.-]{1,256})$"
)


@dataclass(frozen=True)
class TopicArn:
    """The parts of an SNS topic ARN that the consumer checks and reuses."""

    partition: str
    region: str
    account_id: str
    name: str


def parse_topic_arn(arn: str) -> TopicArn | None:
    """Split an SNS topic ARN, or return None when the value is not one."""
    match = _SNS_TOPIC_ARN.match(arn)
    if match is None:
        return None
    return TopicArn(
        partition=match["partition"],
        region=match["region"],
        account_id=match["account"],
        name=match["name"],
    )


def queue_arn(partition: str, region: str, account_id: str, queue_name: str) -> str:
    """An SQS queue's ARN from its explicit name, known before the queue exists.

    Policies built from it are complete at `pulumi preview`, so the policy pack can judge
    them before anything is created.
    """
    return f"arn:{partition}:sqs:{region}:{account_id}:{queue_name}"


def account_root_arn(partition: str, account_id: str) -> str:
    """The account principal that delegates key access to the account's IAM policies."""
    return f"arn:{partition}:iam::{account_id}:root"
