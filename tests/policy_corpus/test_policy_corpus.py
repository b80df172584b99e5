"""A corpus of stacks written from AWS's documented examples and scanners' fixtures, in both
provider families and with every way of attaching a policy, judged over the real gRPC path.

One YAML file per policy. Each case names its `source` and lists exactly the violations of
its policy (or of every policy, with `all_policies`) that `pulumi preview` must show: a
missing violation is a miss, an extra one a false alarm, and both fail the case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from destination_review.policy_analyzer import PolicyPackServer
from tests.policy_pack.corpus_cases import POLICY_NAMES, Case, judge, load_corpus

CORPUS_DIR = Path(__file__).parent
CASES = load_corpus(CORPUS_DIR)


def _types(case: Case) -> set[str]:
    return {resource.type for resource in case.resources}


@pytest.fixture(scope="module")
def server() -> Iterator[PolicyPackServer]:
    with PolicyPackServer() as running:
        yield running


def test_every_policy_has_good_and_bad_cases_in_both_families_with_attachments() -> None:
    assert sorted(path.stem for path in CORPUS_DIR.glob("*.yaml")) == sorted(POLICY_NAMES)
    for policy in POLICY_NAMES:
        cases = [case for case in CASES if case.file_policy == policy]
        assert {bool(case.expected) for case in cases} == {True, False}, policy
        types = set().union(*(_types(case) for case in cases))
        assert any(t.startswith("aws:") for t in types), policy
        assert any(t.startswith("aws-native:") for t in types), policy
        attachments = {
            "aws-native:sns:TopicPolicy",
            "aws-native:sns:TopicInlinePolicy",
            "aws-native:iam:RolePolicy",
            "aws-native:iam:ManagedPolicy",
            "aws:sns/topicPolicy:TopicPolicy",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "aws:kms/keyPolicy:KeyPolicy",
        }
        assert types & attachments, policy
    assert Counter(case.file_policy for case in CASES).most_common()[-1][1] >= 6


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(server: PolicyPackServer, case: Case) -> None:
    assert case.source, f"case {case.id!r} must name its source"
    judge(server, case)
