"""Pure functions that return the policy documents this project writes.

Each function takes the partition, Region and account explicitly (never an ambient
default), so the same code is right in `aws`, `aws-cn` and `aws-us-gov`, and every
document is a plain dict known at `pulumi preview`.
"""

from __future__ import annotations

from typing import Any

from components.arns import (
    SOCIAL_MESSAGING_PRINCIPAL,
    account_root_arn,
    social_messaging_source_arn,
)

PolicyDocument = dict[str, Any]
POLICY_VERSION = "2012-10-17"

# The actions SNS's own default topic policy grants to the topic owner's account.
SNS_OWNER_ACTIONS = [
    "sns:AddPermission",
    "sns:DeleteTopic",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:Publish",
    "sns:RemovePermission",
    "sns:SetTopicAttributes",
    "sns:Subscribe",
]

# The documented permissions of the Amazon Connect two-way channel role, nothing more.
CONNECT_EVENT_DELIVERY_ACTIONS = ["connect:SendIntegrationEvent"]
CONNECT_PHONE_NUMBER_IMPORT_ACTIONS = [
    "connect:ImportPhoneNumber",
    "social-messaging:GetLinkedWhatsAppBusinessAccountPhoneNumber",
    "social-messaging:TagResource",
]


def confused_deputy_condition(partition: str, region: str, account_id: str) -> dict[str, Any]:
    """Both conditions that stop another account's WABA from using a grant to the service.

    `aws:SourceAccount` pins the caller's account exactly; `aws:SourceArn` pins the
    service, partition, Region and account, with the wildcard only under `ArnLike`.
    """
    return {
        "StringEquals": {"aws:SourceAccount": account_id},
        "ArnLike": {"aws:SourceArn": social_messaging_source_arn(partition, region, account_id)},
    }


def topic_key_policy(partition: str, region: str, account_id: str) -> PolicyDocument:
    """Key policy for the topic's customer managed key.

    The account root statement keeps the key administrable through IAM (without it a key
    can become unmanageable); the second lets End User Messaging Social encrypt what it
    publishes to the topic. `Resource: "*"` in a key policy means "this key".
    """
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "EnableAccountAdministration",
                "Effect": "Allow",
                "Principal": {"AWS": account_root_arn(partition, account_id)},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AllowSocialMessagingToUseKey",
                "Effect": "Allow",
                "Principal": {"Service": SOCIAL_MESSAGING_PRINCIPAL},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": confused_deputy_condition(partition, region, account_id),
            },
        ],
    }


def topic_policy(partition: str, region: str, account_id: str, topic_arn: str) -> PolicyDocument:
    """Topic policy: the owner's access, the service's publish grant, and TLS only.

    Setting a topic policy replaces SNS's default one, so the owner's statement keeps what
    the default gave the account (through the account principal instead of `*` plus
    `AWS:SourceOwner`, which grants the same and reads plainly).
    """
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "AllowAccountOwnerAccess",
                "Effect": "Allow",
                "Principal": {"AWS": account_root_arn(partition, account_id)},
                "Action": list(SNS_OWNER_ACTIONS),
                "Resource": topic_arn,
            },
            {
                "Sid": "AllowSocialMessagingPublish",
                "Effect": "Allow",
                "Principal": {"Service": SOCIAL_MESSAGING_PRINCIPAL},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": confused_deputy_condition(partition, region, account_id),
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": list(SNS_OWNER_ACTIONS),
                "Resource": topic_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def connect_channel_trust_policy(partition: str, region: str, account_id: str) -> PolicyDocument:
    """Trust policy of the Connect two-way channel role: only this account's WABAs."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "AllowSocialMessagingToAssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": SOCIAL_MESSAGING_PRINCIPAL},
                "Action": "sts:AssumeRole",
                "Condition": confused_deputy_condition(partition, region, account_id),
            }
        ],
    }


def connect_channel_permissions_policy() -> PolicyDocument:
    """Permissions of the Connect two-way channel role, exactly as documented.

    The documented policy uses `Resource: "*"`: `connect:SendIntegrationEvent` and the
    phone-number import have no resource-level scoping to narrow to.
    """
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "AllowOperationsForEventDelivery",
                "Effect": "Allow",
                "Action": list(CONNECT_EVENT_DELIVERY_ACTIONS),
                "Resource": "*",
            },
            {
                "Sid": "AllowOperationsForPhoneNumberImport",
                "Effect": "Allow",
                "Action": list(CONNECT_PHONE_NUMBER_IMPORT_ACTIONS),
                "Resource": "*",
            },
        ],
    }
