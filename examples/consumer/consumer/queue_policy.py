"""Policy documents for the consumer's queue, dead-letter queue and key, as pure functions.

Every grant to `sns.amazonaws.com` carries both confused-deputy conditions: the message
must come from the producer's topic (`aws:SourceArn`) in the producer's account
(`aws:SourceAccount`). Without them, any SNS topic in any account could fill the queue.
"""

from __future__ import annotations

import json
from typing import Any

SNS_SERVICE_PRINCIPAL = "sns.amazonaws.com"
POLICY_VERSION = "2012-10-17"

Document = dict[str, Any]


def source_conditions(topic_arn: str, topic_account_id: str) -> dict[str, dict[str, str]]:
    """The confused-deputy conditions that pin a grant to one topic in one account.

    ArnEquals, not ArnLike: the topic ARN is exact and a wildcard would widen the grant.
    """
    return {
        "ArnEquals": {"aws:SourceArn": topic_arn},
        "StringEquals": {"aws:SourceAccount": topic_account_id},
    }


def deny_insecure_transport(queue_arn: str) -> Document:
    """Refuse every request to the queue that does not use TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sqs:*",
        "Resource": queue_arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def queue_policy_document(queue_arn: str, topic_arn: str, topic_account_id: str) -> Document:
    """Let the producer's topic, and only it, deliver to the queue over TLS."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "AllowProducerTopicToSendMessage",
                "Effect": "Allow",
                "Principal": {"Service": SNS_SERVICE_PRINCIPAL},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": source_conditions(topic_arn, topic_account_id),
            },
            deny_insecure_transport(queue_arn),
        ],
    }


def dead_letter_queue_policy_document(dead_letter_queue_arn: str) -> Document:
    """The dead-letter queue takes no outside deliveries: SQS moves messages itself."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [deny_insecure_transport(dead_letter_queue_arn)],
    }


def queue_key_policy_document(
    account_root_arn: str, topic_arn: str, topic_account_id: str
) -> Document:
    """The key policy of the customer managed key that encrypts both queues.

    SNS encrypts each message for the queue with this key, so it needs
    `kms:GenerateDataKey*` and `kms:Decrypt`; the AWS managed key `alias/aws/sqs` cannot
    be granted to a service principal, which is why the consumer owns its key. The
    account statement lets IAM policies in the consumer's account grant readers
    `kms:Decrypt`.
    """
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "EnableAccountAdministration",
                "Effect": "Allow",
                "Principal": {"AWS": account_root_arn},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AllowProducerTopicToUseKey",
                "Effect": "Allow",
                "Principal": {"Service": SNS_SERVICE_PRINCIPAL},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": source_conditions(topic_arn, topic_account_id),
            },
        ],
    }


def redrive_policy(dead_letter_queue_arn: str, max_receive_count: int) -> str:
    """After `max_receive_count` failed receives SQS moves a message to the DLQ.

    `maxReceiveCount` must be a JSON number, not a string, or SQS rejects the policy.
    """
    return json.dumps(
        {"deadLetterTargetArn": dead_letter_queue_arn, "maxReceiveCount": max_receive_count}
    )


def to_json(document: Document) -> str:
    """Stable JSON, so an unchanged document never shows up as a diff."""
    return json.dumps(document, sort_keys=True)
