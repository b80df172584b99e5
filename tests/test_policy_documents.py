"""The policy documents, exactly, in every partition, and as parliament sees them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from parliament import analyze_policy_string

from components.policy_documents import (
    connect_channel_permissions_policy,
    connect_channel_trust_policy,
    topic_key_policy,
    topic_policy,
)
from tests import expected

TARGETS = [
    ("aws", "us-east-1", "111122223333"),
    ("aws-cn", "cn-northwest-1", "222233334444"),
    ("aws-us-gov", "us-gov-west-1", "333344445555"),
]


@pytest.mark.parametrize(("partition", "region", "account"), TARGETS)
def test_key_policy_keeps_the_key_manageable_and_grants_the_service_with_conditions(
    partition: str, region: str, account: str
) -> None:
    assert topic_key_policy(partition, region, account) == expected.key_policy(
        partition, region, account
    )


@pytest.mark.parametrize(("partition", "region", "account"), TARGETS)
def test_topic_policy_grants_publish_on_the_exact_topic_and_denies_plain_http(
    partition: str, region: str, account: str
) -> None:
    topic = f"arn:{partition}:sns:{region}:{account}:events"
    assert topic_policy(partition, region, account, topic) == expected.topic_policy(
        partition, region, account, topic
    )


@pytest.mark.parametrize(("partition", "region", "account"), TARGETS)
def test_channel_role_trusts_only_this_accounts_social_messaging(
    partition: str, region: str, account: str
) -> None:
    assert connect_channel_trust_policy(partition, region, account) == expected.trust_policy(
        partition, region, account
    )


def test_channel_role_permissions_are_exactly_the_documented_actions() -> None:
    assert connect_channel_permissions_policy() == expected.PERMISSIONS_POLICY


# parliament lints every document as an identity policy. These findings are expected, and
# each is accepted for a stated reason; anything else fails the test.
PARLIAMENT_ALLOWED: dict[str, dict[str, str]] = {
    "key policy": {
        # The account root statement is what keeps a key administrable through IAM.
        "PERMISSIONS_MANAGEMENT_ACTIONS": "kms:* for the account root, as AWS's default key policy",
        # In a key policy, "Resource": "*" means "this key" and nothing else.
        "RESOURCE_STAR": "a key policy's Resource is always the key itself",
    },
    "topic policy": {
        # The owner's statement restores what SNS's default topic policy gives the account.
        "PERMISSIONS_MANAGEMENT_ACTIONS": "SNS default owner actions for the account root",
    },
    "trust policy": {
        # Trust policies name no Resource by design; parliament reads them as identity policies.
        "MALFORMED": "Statement contains neither Resource nor NotResource",
    },
    "permissions policy": {
        # The documented two-way channel policy; these actions take no narrower resource
        # that is known before the phone numbers are imported.
        "RESOURCE_STAR": "documented Connect two-way channel role permissions",
    },
}


def documents(partition: str, region: str, account: str) -> dict[str, dict[str, Any]]:
    return {
        "key policy": topic_key_policy(partition, region, account),
        "topic policy": topic_policy(
            partition, region, account, f"arn:{partition}:sns:{region}:{account}:events"
        ),
        "trust policy": connect_channel_trust_policy(partition, region, account),
        "permissions policy": connect_channel_permissions_policy(),
    }


@pytest.mark.parametrize(("partition", "region", "account"), TARGETS)
def test_parliament_finds_nothing_outside_the_commented_allow_list(
    partition: str, region: str, account: str
) -> None:
    for kind, document in documents(partition, region, account).items():
        findings = analyze_policy_string(
            json.dumps(document), include_community_auditors=True
        ).findings
        unexpected = [
            (f.issue, f.detail) for f in findings if f.issue not in PARLIAMENT_ALLOWED[kind]
        ]
        assert unexpected == [], f"{kind}: {unexpected}"
        if kind == "trust policy":
            assert {f.detail for f in findings} <= {PARLIAMENT_ALLOWED[kind]["MALFORMED"]}


def test_parliament_would_flag_a_broken_document() -> None:
    """The allow-list does not hide real problems: an unknown action is still reported."""
    broken = connect_channel_permissions_policy()
    broken["Statement"][0]["Action"] = ["connect:SendIntegrationEvents"]
    issues = {f.issue for f in analyze_policy_string(json.dumps(broken)).findings}
    assert "UNKNOWN_ACTION" in issues
