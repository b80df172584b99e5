"""The one IAM evaluator's confinement question: does a grant to the service also hold
for another account's or another Region's WABA? The project's own documents are
confined; each way of loosening a condition is caught."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.policy_documents import (
    connect_channel_trust_policy,
    topic_key_policy,
    topic_policy,
)
from components.waba import delivery
from components.waba.delivery import (
    DeliveryContext,
    key_policy_problems,
    topic_policy_problems,
    trust_problems,
)

PARTITION, REGION, ACCOUNT = "aws-cn", "cn-north-1", "123456789012"
WABA = f"arn:{PARTITION}:social-messaging:{REGION}:{ACCOUNT}:waba/0123456789abcdef"
TOPIC = f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:events"
KEY = f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:{PARTITION}:iam::{ACCOUNT}:role/channel"
CONTEXT = DeliveryContext.from_waba_arn(WABA)


def kinds(document: dict[str, Any], which: str) -> list[str]:
    if which == "key":
        problems = key_policy_problems(KEY, document, CONTEXT, confined=True)
    elif which == "topic":
        problems = topic_policy_problems(TOPIC, document, CONTEXT, confined=True)
    else:
        problems = trust_problems(ROLE, document, CONTEXT, confined=True)
    return [p.kind for p in problems]


DOCUMENTS = {
    "key": lambda: topic_key_policy(PARTITION, REGION, ACCOUNT),
    "topic": lambda: topic_policy(PARTITION, REGION, ACCOUNT, TOPIC),
    "trust": lambda: connect_channel_trust_policy(PARTITION, REGION, ACCOUNT),
}
UNCONFINED = {"key": "key-policy-unconfined", "topic": "topic-policy-unconfined"}


def grant(document: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in document["Statement"] if "Condition" in s and s["Effect"] == "Allow")


@pytest.mark.parametrize("which", list(DOCUMENTS))
def test_the_projects_documents_are_confined(which: str) -> None:
    assert kinds(DOCUMENTS[which](), which) == []


@pytest.mark.parametrize("which", list(DOCUMENTS))
def test_a_grant_without_conditions_is_unconfined(which: str) -> None:
    document = DOCUMENTS[which]()
    del grant(document)["Condition"]
    assert kinds(document, which) == [UNCONFINED.get(which, "trust-policy-unconfined")]


@pytest.mark.parametrize("which", list(DOCUMENTS))
def test_a_source_arn_with_any_region_is_unconfined(which: str) -> None:
    document = DOCUMENTS[which]()
    condition = grant(document)["Condition"]
    condition["ArnLike"]["aws:SourceArn"] = f"arn:{PARTITION}:social-messaging:*:{ACCOUNT}:*"
    assert kinds(document, which) == [UNCONFINED.get(which, "trust-policy-unconfined")]


@pytest.mark.parametrize("which", list(DOCUMENTS))
def test_the_source_arn_alone_still_confines(which: str) -> None:
    document = DOCUMENTS[which]()
    del grant(document)["Condition"]["StringEquals"]
    assert kinds(document, which) == []


def test_a_grant_for_another_account_is_no_grant() -> None:
    document = topic_key_policy(PARTITION, REGION, "999999999999")
    assert kinds(document, "key") == ["key-policy-no-grant"]


def test_the_statement_to_add_is_the_projects_own() -> None:
    document = topic_policy(PARTITION, REGION, ACCOUNT, TOPIC)
    document["Statement"] = [s for s in document["Statement"] if "Condition" not in s]
    [problem] = topic_policy_problems(TOPIC, document, CONTEXT)
    assert f'"aws:SourceArn": "arn:{PARTITION}:social-messaging:{REGION}:{ACCOUNT}:*"' in problem
    assert problem.kind == "topic-policy-no-grant"


def _regex_wildcard(pattern: str, value: str) -> bool:
    """IAM's wildcard semantics written the obvious way, to compare against."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, re.S) is not None


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.text("ab*?:", max_size=8), st.text("ab*?:", max_size=10))
def test_wildcards_match_as_iam_reads_them(pattern: str, value: str) -> None:
    assert delivery._wildcard(pattern, value) == _regex_wildcard(pattern, value)
    assert delivery._wildcard(pattern.upper(), value, ignore_case=True) == _regex_wildcard(
        pattern, value
    )


def test_a_hostile_pattern_in_a_live_policy_is_judged_not_backtracked() -> None:
    """`a*a*…*b` against a long run of `a` takes a backtracking regex exponential time;
    a policy read from an account may hold it. It is judged (no match) in one pass."""
    pattern = "*".join("a" * 30) + "*b"
    statement = {"Effect": "Allow", "Principal": {"Service": "*"}, "Action": "sns:Publish"}
    document = {"Statement": [{**statement, "Resource": pattern}]}
    granted = delivery.granted_actions(document, ["sns:Publish"], {}, "a" * 2048)
    assert granted == set()
