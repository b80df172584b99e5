"""The program's own stacks at preview: no violation, nothing left undecided; and the
three classic mistakes are refused at preview by a mandatory violation."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from destination_review.policy_analyzer import PolicyPackServer, Violation
from tests.policy_pack.program_stacks import program_stack, with_properties

PARTITIONS = [("aws", "eu-west-1"), ("aws-cn", "cn-northwest-1"), ("aws-us-gov", "us-gov-west-1")]


@pytest.fixture(scope="module")
def server() -> Iterator[PolicyPackServer]:
    with PolicyPackServer() as running:
        yield running


@pytest.mark.parametrize("kind", ["sns", "connect", "both"])
@pytest.mark.parametrize(("partition", "region"), PARTITIONS)
def test_program_stack_passes_every_policy_and_decides_at_preview(
    server: PolicyPackServer, kind: str, partition: str, region: str
) -> None:
    violations = server.analyze_all(program_stack(kind, partition, region, "444455556666"))
    assert violations == []


def _mandatory(violations: list[Violation], policy: str) -> list[Violation]:
    return [v for v in violations if v.policy_name == policy and v.enforcement_level == "mandatory"]


def test_fifo_topic_name_is_refused_at_preview(server: PolicyPackServer) -> None:
    violations = server.analyze_all(program_stack("sns", topic="whatsapp-events.fifo"))
    refused = _mandatory(violations, "waba-destination-topic-standard")
    assert {v.urn.rsplit("::", 1)[-1] for v in refused} == {
        "whatsapp-events-topic",
        "whatsapp-waba-0123456789abcdef0123456789abcdef",
    }
    assert not any(v.could_not_run for v in violations)


def test_asymmetric_key_is_refused_at_preview(server: PolicyPackServer) -> None:
    resources = [
        with_properties(r, customerMasterKeySpec="RSA_4096") if r.type == "aws:kms/key:Key" else r
        for r in program_stack("sns")
    ]
    violations = server.analyze_all(resources)
    refused = _mandatory(violations, "kms-key-symmetric")
    assert len(refused) == 1 and "RSA_4096" in refused[0].message
    assert refused[0].urn.endswith("aws:kms/key:Key::whatsapp-events-key")
    assert not any(v.could_not_run for v in violations)


def test_trust_policy_without_conditions_is_refused_at_preview(server: PolicyPackServer) -> None:
    def strip_conditions(document: str) -> str:
        parsed = json.loads(document)
        for statement in parsed["Statement"]:
            statement.pop("Condition", None)
        return json.dumps(parsed)

    resources = [
        with_properties(r, assumeRolePolicy=strip_conditions(r.properties["assumeRolePolicy"]))
        if r.type == "aws:iam/role:Role"
        else r
        for r in program_stack("connect")
    ]
    violations = server.analyze_all(resources)
    messages = [v.message for v in _mandatory(violations, "service-principal-confused-deputy")]
    assert len(messages) == 2
    assert any("aws:SourceAccount" in m for m in messages) and any(
        "aws:SourceArn" in m for m in messages
    )
    # The delivery rule sees the same hole from the destination's side.
    assert _mandatory(violations, "waba-destination-delivery-permissions")
    assert not any(v.could_not_run for v in violations)
