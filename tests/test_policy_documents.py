"""The policy documents, exactly, in every partition, and as parliament sees them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from parliament import analyze_policy_string

from components.policy_documents import (
    connect_channel_permissions_policy,
    connect_channel_trust_policy,
    topic_key_policy,
    topic_policy,
)
from tests.document_checks import (
    assert_channel_role_permissions,
    assert_key_policy,
    assert_topic_policy,
    assert_trust_policy,
)

TARGETS = [
    ("aws", "us-east-1", "111122223333"),
    ("aws-cn", "cn-northwest-1", "222233334444"),
    ("aws-us-gov", "us-gov-west-1", "333344445555"),
]


@pytest.mark.parametrize(("partition", "region", "account"), TARGETS)
def test_key_policy_keeps_the_key_manageable_and_grants_the_service_with_conditions(
    partition: str, region: str, account: str
) -> None:
    assert_key_policy(topic_key_policy(partition, region, account), partition, region, account)


@pytest.mark.parametrize(("partition", "region", "account"), TARGETS)
def test_topic_policy_grants_publish_on_the_exact_topic_and_denies_plain_http(
    partition: str, region: str, account: str
) -> None:
    topic = f"arn:{partition}:sns:{region}:{account}:events"
    document = topic_policy(partition, region, account, topic)
    assert_topic_policy(document, partition, region, account, topic)


@pytest.mark.parametrize(("partition", "region", "account"), TARGETS)
def test_channel_role_trusts_only_this_accounts_social_messaging(
    partition: str, region: str, account: str
) -> None:
    document = connect_channel_trust_policy(partition, region, account)
    assert_trust_policy(document, partition, region, account)


def test_channel_role_permissions_are_exactly_the_documented_actions() -> None:
    assert_channel_role_permissions(connect_channel_permissions_policy())


def _without_conditions(document: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    for statement in broken["Statement"]:
        if statement["Effect"] == "Allow":
            statement.pop("Condition", None)
    return broken


def _any_resource(document: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    for statement in broken["Statement"]:
        statement["Resource"] = "*"
    return broken


def _without_tls_deny(document: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    broken["Statement"] = [s for s in broken["Statement"] if s["Effect"] == "Allow"]
    return broken


def _service_may_do_everything(document: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    for statement in broken["Statement"]:
        if isinstance(statement.get("Principal"), dict) and "Service" in statement["Principal"]:
            statement["Action"] = "*"
    return broken


def _judgements(partition: str, region: str, account: str) -> dict[str, Any]:
    topic = f"arn:{partition}:sns:{region}:{account}:events"
    return {
        "key": (
            topic_key_policy(partition, region, account),
            lambda d: assert_key_policy(d, partition, region, account),
        ),
        "topic": (
            topic_policy(partition, region, account, topic),
            lambda d: assert_topic_policy(d, partition, region, account, topic),
        ),
        "trust": (
            connect_channel_trust_policy(partition, region, account),
            lambda d: assert_trust_policy(d, partition, region, account),
        ),
    }


BREAKAGES = [
    ("key", _without_conditions),
    ("key", _service_may_do_everything),
    ("topic", _without_conditions),
    ("topic", _any_resource),
    ("topic", _without_tls_deny),
    ("topic", _service_may_do_everything),
    ("trust", _without_conditions),
    ("trust", _service_may_do_everything),
]


@pytest.mark.parametrize(
    ("document", "breakage"), BREAKAGES, ids=lambda b: getattr(b, "__name__", b)
)
def test_each_check_refuses_a_document_broken_the_way_a_reviewer_fears(
    document: str, breakage: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    """The checks above can fail: each breakage of a generated document is caught."""
    generated, judge = _judgements(*TARGETS[0])[document]
    judge(generated)
    with pytest.raises(AssertionError):
        judge(breakage(generated))


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
