"""The consumer's resources pass social-messaging-guard, driven over gRPC as the engine does."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from consumer_harness import ProgramRun, RegisteredResource

from destination_review.policy_analyzer import AnalyzedResource, PolicyPackServer, Violation


@pytest.fixture(scope="module")
def guard() -> Iterator[PolicyPackServer]:
    """One policy pack server for the module: starting it is the slow part."""
    with PolicyPackServer() as server:
        yield server


def _analyzed(resource: RegisteredResource) -> AnalyzedResource:
    return AnalyzedResource(
        type=resource.type,
        name=resource.name,
        properties=resource.inputs,
        urn=resource.urn,
        dependencies=resource.dependencies,
        property_dependencies=resource.property_dependencies,
        parent=resource.parent,
    )


def _verdict(guard: PolicyPackServer, run: ProgramRun) -> list[Violation]:
    return guard.analyze_all([_analyzed(r) for r in run.resources])


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "up"])
def test_consumer_passes_the_policy_pack(
    guard: PolicyPackServer, run_consumer: Callable[..., ProgramRun], preview: bool
) -> None:
    run = run_consumer(preview=preview)
    # The pack must see the consumer's grants, or a pass proves nothing.
    assert {r.type for r in run.resources} >= {
        "aws:kms/key:Key",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:sns/topicSubscription:TopicSubscription",
    }

    violations = _verdict(guard, run)

    assert violations == []  # not even "can't run policy during preview"


def test_the_pack_would_catch_a_queue_policy_without_source_account(
    guard: PolicyPackServer, run_consumer: Callable[..., ProgramRun]
) -> None:
    run = run_consumer(preview=True)
    queue_policy = run.named("whatsapp-events-queue-policy")
    document = queue_policy.document()
    del document["Statement"][0]["Condition"]["StringEquals"]
    queue_policy.inputs["policy"] = json.dumps(document)

    violations = _verdict(guard, run)

    assert [(v.policy_name, v.enforcement_level, v.urn) for v in violations] == [
        ("service-principal-confused-deputy", "mandatory", queue_policy.urn)
    ]
