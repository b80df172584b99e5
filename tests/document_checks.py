"""What each generated policy document must grant and refuse, judged by the library's one
IAM evaluator (components/waba/delivery.py) rather than compared with a copy of the code
under test. Only the channel role's permissions are compared word for word: AWS documents
that policy's exact text, so the text is the contract (tests/golden/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from components.waba.delivery import (
    TOPIC_ACTIONS,
    DeliveryContext,
    granted_actions,
    key_policy_problems,
    topic_policy_problems,
    trust_problems,
)

GOLDEN = Path(__file__).parent / "golden"
# What the service must never get from the key, the topic or the role's trust, even for
# this account's WABAs: administration, and anything beyond delivering events.
KEY_ACTIONS_REFUSED = (
    "kms:Encrypt",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
)
TOPIC_ACTIONS_REFUSED = ("sns:Subscribe", "sns:SetTopicAttributes", "sns:DeleteTopic")
# What the account must keep over its own key and topic (AWS's default policies give it).
KEY_ADMINISTRATION = ("kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DescribeKey")
TOPIC_ADMINISTRATION = ("sns:SetTopicAttributes", "sns:DeleteTopic", "sns:Subscribe")


def delivery(partition: str, region: str, account: str) -> DeliveryContext:
    """The request context of a delivery for a WABA of this account and Region."""
    waba = f"arn:{partition}:social-messaging:{region}:{account}:waba/0123456789abcdef"
    return DeliveryContext.from_waba_arn(waba)


def root_allowed(document: dict[str, Any], account: str, partition: str) -> set[str]:
    """The actions an Allow statement gives the account root (through IAM) without
    conditions: what keeps the resource administrable."""
    root = f"arn:{partition}:iam::{account}:root"
    allowed: set[str] = set()
    for statement in document["Statement"]:
        principal = statement.get("Principal")
        if statement["Effect"] == "Allow" and isinstance(principal, dict):
            if principal.get("AWS") == root and "Condition" not in statement:
                actions = statement["Action"]
                allowed.update([actions] if isinstance(actions, str) else actions)
    return allowed


def covers(patterns: set[str], action: str) -> bool:
    service = action.split(":", 1)[0]
    return action in patterns or f"{service}:*" in patterns


def assert_key_policy(document: dict[str, Any], partition: str, region: str, account: str) -> None:
    context = delivery(partition, region, account)
    key = f"arn:{partition}:kms:{region}:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert key_policy_problems(key, document, context, confined=True) == []
    values = context.condition_values()
    assert granted_actions(document, KEY_ACTIONS_REFUSED, values, key) == set()
    assert all(covers(root_allowed(document, account, partition), a) for a in KEY_ADMINISTRATION)


def assert_topic_policy(
    document: dict[str, Any], partition: str, region: str, account: str, topic: str
) -> None:
    context = delivery(partition, region, account)
    assert topic_policy_problems(topic, document, context, confined=True) == []
    values = context.condition_values()
    assert granted_actions(document, TOPIC_ACTIONS_REFUSED, values, topic) == set()
    # Publish is for this topic only, and never over plain HTTP.
    other_topic = topic.rsplit(":", 1)[0] + ":someone-elses-topic"
    assert granted_actions(document, TOPIC_ACTIONS, values, other_topic) == set()
    plain_http = {**values, "aws:securetransport": "false"}
    assert granted_actions(document, TOPIC_ACTIONS, plain_http, topic) == set()
    assert all(covers(root_allowed(document, account, partition), a) for a in TOPIC_ADMINISTRATION)


def assert_trust_policy(
    document: dict[str, Any], partition: str, region: str, account: str
) -> None:
    context = delivery(partition, region, account)
    role = f"arn:{partition}:iam::{account}:role/channel"
    assert trust_problems(role, document, context, confined=True) == []
    assert [s["Action"] for s in document["Statement"]] == ["sts:AssumeRole"]


def documented_channel_role_permissions() -> dict[str, Any]:
    return dict(json.loads((GOLDEN / "connect-channel-role-permissions.json").read_text()))


def assert_channel_role_permissions(document: dict[str, Any]) -> None:
    assert document == documented_channel_role_permissions()
