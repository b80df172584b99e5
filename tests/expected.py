"""The documents a reviewer expects, written out literally (not built by the code under test)."""

from __future__ import annotations

from typing import Any

OWNER_ACTIONS = [
    "sns:AddPermission",
    "sns:DeleteTopic",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:Publish",
    "sns:RemovePermission",
    "sns:SetTopicAttributes",
    "sns:Subscribe",
]


def deputy(partition: str, region: str, account: str) -> dict[str, Any]:
    return {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:{partition}:social-messaging:{region}:{account}:*"},
    }


def key_policy(partition: str, region: str, account: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EnableAccountAdministration",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AllowSocialMessagingToUseKey",
                "Effect": "Allow",
                "Principal": {"Service": "social-messaging.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": deputy(partition, region, account),
            },
        ],
    }


def topic_policy(partition: str, region: str, account: str, topic: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowAccountOwnerAccess",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": OWNER_ACTIONS,
                "Resource": topic,
            },
            {
                "Sid": "AllowSocialMessagingPublish",
                "Effect": "Allow",
                "Principal": {"Service": "social-messaging.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic,
                "Condition": deputy(partition, region, account),
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": OWNER_ACTIONS,
                "Resource": topic,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def trust_policy(partition: str, region: str, account: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowSocialMessagingToAssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": "social-messaging.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": deputy(partition, region, account),
            }
        ],
    }


PERMISSIONS_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowOperationsForEventDelivery",
            "Effect": "Allow",
            "Action": ["connect:SendIntegrationEvent"],
            "Resource": "*",
        },
        {
            "Sid": "AllowOperationsForPhoneNumberImport",
            "Effect": "Allow",
            "Action": [
                "connect:ImportPhoneNumber",
                "social-messaging:GetLinkedWhatsAppBusinessAccountPhoneNumber",
                "social-messaging:TagResource",
            ],
            "Resource": "*",
        },
    ],
}
