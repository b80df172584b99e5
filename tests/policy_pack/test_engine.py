"""One stack index per `AnalyzeStack`: built once from the request and shared by the five
stack policies, built again for the next request, and blind to resources no adapter reads.

Driven through pulumi-policy's own Analyzer servicer in this process, so the requests are
real protobuf messages, as the engine sends them.
"""

from __future__ import annotations

import ast
import importlib
from typing import Any

import pytest
import rules.engine
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer
from rules import PACK_NAME, policies
from rules.index import StackIndex

from destination_review.policy_analyzer import PACK_DIR, make_urn, to_struct


def request(resources: list[tuple[str, str, dict[str, Any]]]) -> analyzer_pb2.AnalyzeStackRequest:
    message = analyzer_pb2.AnalyzeStackRequest()
    for type_, name, properties in resources:
        item = message.resources.add()
        item.type, item.name, item.urn = type_, name, make_urn(type_, name)
        item.properties.CopyFrom(to_struct(properties))
    return message


FIFO_STACK: list[tuple[str, str, dict[str, Any]]] = [
    ("aws-native:sns:Topic", "events", {"topicName": "events.fifo", "fifoTopic": True}),
    (
        "pulumi-python:dynamic/social-messaging:WabaEventDestination",
        "destination",
        {"wabaId": "waba-1", "eventDestinationArn": "arn:aws:sns:us-east-1:1:events.fifo"},
    ),
    ("aws:lambda/function:Function", "app", {"role": "arn:aws:iam::1:role/app"}),
]


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[StackIndex]:
    """Every StackIndex the pack builds, in order."""
    built: list[StackIndex] = []

    class Counting(StackIndex):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(rules.engine, "StackIndex", Counting)
    monkeypatch.setattr(rules.engine, "SHARED", rules.engine.SharedIndex())
    return built


def servicer() -> _PolicyAnalyzerServicer:
    return _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", policies(), EnforcementLevel.MANDATORY)


def test_the_stack_policies_of_one_request_share_one_index(builds: list[StackIndex]) -> None:
    response = servicer().AnalyzeStack(request(FIFO_STACK), None)
    assert len(builds) == 1
    # Each stack policy still reports under its own name and level.
    assert {(d.policyName, d.enforcementLevel) for d in response.diagnostics} == {
        ("waba-destination-topic-standard", analyzer_pb2.MANDATORY),
        ("sns-topic-customer-managed-key", analyzer_pb2.MANDATORY),
        ("waba-destination-delivery-permissions", analyzer_pb2.MANDATORY),
    }


def test_each_request_gets_its_own_index_even_with_the_same_resources(
    builds: list[StackIndex],
) -> None:
    analyzer = servicer()
    first = analyzer.AnalyzeStack(request(FIFO_STACK), None)
    fixed = [
        (t, n, {**p, "topicName": "events", "fifoTopic": False}) if n == "events" else (t, n, p)
        for t, n, p in FIFO_STACK
    ]
    second = analyzer.AnalyzeStack(request(fixed), None)
    assert len(builds) == 2 and builds[0] is not builds[1]

    def fifo_findings(response: analyzer_pb2.AnalyzeResponse) -> int:
        return sum(d.policyName == "waba-destination-topic-standard" for d in response.diagnostics)

    # fifoTopic, topicName and the destination's ARN; then only the ARN, still `.fifo`.
    assert (fifo_findings(first), fifo_findings(second)) == (3, 1)


def test_resources_no_adapter_reads_are_left_out_of_the_index(builds: list[StackIndex]) -> None:
    servicer().AnalyzeStack(request(FIFO_STACK), None)
    assert [node.name for node in builds[0].nodes] == ["events", "destination"]


def test_each_policy_module_holds_its_metadata_and_the_pack_only_lists_them() -> None:
    modules = [
        "topic_standard",
        "key_symmetric",
        "customer_managed_key",
        "confused_deputy",
        "delivery_permissions",
        "channel_role",
    ]
    listed = [policy.name for policy in policies()]
    for module_name, name in zip(modules, listed, strict=True):
        module = importlib.import_module(f"rules.{module_name}")
        assert module.POLICY_NAME == name and module.policy().name == name
    pack = ast.parse((PACK_DIR / "rules" / "pack.py").read_text(encoding="utf-8"))
    called = {
        node.func.attr
        for node in ast.walk(pack)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert called == {"policy"}  # no metadata of its own: it calls each module's policy()
