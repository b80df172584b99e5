"""Fuzzing the pack with hypothesis: stacks a hostile or careless author could write.

Three properties, each over the pack's own servicer (the code the engine's gRPC calls run):

- nothing escapes: every `AnalyzeStack` and `Analyze` answers, and the answer serialises
  (what gRPC does next; a lone surrogate used to fail there);
- the work stays linear: a stack repeated twice as often costs at most about twice the
  Python calls (work counted, never timed);
- no grant to a service principal without the confused-deputy conditions passes.

CI runs a bounded, derandomised number of examples; `python -m benchmarks.pack_fuzz` runs
the same properties for longer (`PACK_FUZZ_EXAMPLES`).
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE as UNKNOWN
from rules.adapters import DESTINATION_TYPE, SHAPES

from destination_review.policy_analyzer import (
    AnalyzedResource,
    Secret,
    make_urn,
    stack_request,
    to_struct,
)
from tests.policy_pack.work import calls_to_judge, servicer

EXAMPLES = int(os.environ.get("PACK_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=EXAMPLES <= 200,  # the suite's runs repeat; a long run explores
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ACCOUNT = "111122223333"
NAMES = ["events", "other", "channel", "events.fifo", "key", "\u00e9v\u00e9nements"]
SERVICES = [
    "social-messaging.amazonaws.com",
    "sns.amazonaws.com",
    "events.amazonaws.com",
    "lambda.amazonaws.com",
    "logs.eu-west-1.amazonaws.com",
    "delivery.logs.amazonaws.com",
]
ARNS = [
    f"arn:aws:sns:us-east-1:{ACCOUNT}:events",
    f"arn:aws:sns:us-east-1:{ACCOUNT}:events.fifo",
    f"arn:aws:social-messaging:us-east-1:{ACCOUNT}:waba/*",
    f"arn:aws:iam::{ACCOUNT}:role/channel",
    f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234",
    f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/0a1b",
    "arn:aws:sns:us-east-1:*:events",
    "alias/aws/sns",
    "alias/events",
    "not-an-arn",
]
TYPES = sorted(SHAPES) + [DESTINATION_TYPE]

# Leaves an author (or a provider) may put anywhere, hostile ones included.
numbers = st.one_of(
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=True, allow_infinity=True),
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    st.just(UNKNOWN),
    st.sampled_from(NAMES + ARNS + SERVICES + [ACCOUNT, "*", "Allow", "Deny"]),
    st.text(max_size=12),
)


def nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for level in range(depth):
        value = {"a": value} if level % 2 else [value]
    return value


deep = st.builds(nested, st.integers(0, 600), leaves)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

condition_keys = st.sampled_from(
    ["aws:SourceAccount", "aws:SourceArn", "aws:sourceaccount", "aws:SourceOwner", "kms:ViaService"]
)
operators = st.sampled_from(
    ["StringEquals", "ArnLike", "ArnEquals", "StringLike", "StringEqualsIfExists",
     "ForAnyValue:StringEquals", "Null", "stringequals", "StringNotEquals"]
)  # fmt: skip
condition_values = st.one_of(
    st.sampled_from([ACCOUNT, "999988887777", *ARNS, UNKNOWN]),
    st.lists(st.sampled_from([ACCOUNT, *ARNS]), max_size=3),
)
conditions = st.dictionaries(
    operators, st.dictionaries(condition_keys, condition_values, max_size=3), max_size=3
)
principals = st.one_of(
    st.just("*"),
    st.builds(lambda s: {"Service": s}, st.sampled_from(SERVICES)),
    st.builds(lambda s: {"Service": s}, st.lists(st.sampled_from(SERVICES), max_size=4)),
    st.builds(lambda a: {"AWS": a}, st.sampled_from([f"arn:aws:iam::{ACCOUNT}:root", "*"])),
    values,
)
statements = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "allow", UNKNOWN])},
    optional={
        "Sid": st.text(max_size=6),
        "Principal": principals,
        "NotPrincipal": principals,
        "Action": st.one_of(
            st.sampled_from(["sns:Publish", "kms:*", "sts:AssumeRole", "*", "sqs:SendMessage"]),
            st.lists(st.sampled_from(["kms:Decrypt", "kms:GenerateDataKey*", "connect:*"])),
        ),
        "Resource": st.sampled_from(["*", *ARNS]),
        "Condition": st.one_of(conditions, values),
    },
)
documents = st.builds(
    lambda statements, version: {"Version": version, "Statement": statements},
    st.lists(statements, max_size=4),
    st.sampled_from(["2012-10-17", UNKNOWN]),
)


def as_text(document: Any, escape: bool, duplicate: bool) -> str:
    """A document as JSON text: maybe with non-ASCII escaped (lone surrogates included) and
    a key repeated, as a hand-written policy may have."""
    text = json.dumps(document, ensure_ascii=escape)
    if duplicate and '"Statement": ' in text:
        text = text.replace('"Statement": ', '"Statement": [], "Statement": ', 1)
    return text


policy_values = st.one_of(
    documents,
    st.builds(as_text, documents, st.booleans(), st.booleans()),
    st.builds(lambda t: json.dumps({"Statement": [{"Sid": t, "Effect": "Allow"}]}), st.text()),
    st.builds(lambda n: "[" * n + "]" * n, st.integers(0, 3000)),
    deep,
    values,
)
maybe_secret = st.one_of(st.just(False), st.just(False), st.just(True))


@st.composite
def resources(draw: st.DrawFn, index: int = 0) -> AnalyzedResource:
    type_ = draw(st.sampled_from(TYPES))
    props = SHAPES[type_].properties.values() if type_ in SHAPES else [
        "wabaId", "eventDestinationArn", "roleArn"
    ]  # fmt: skip
    properties: dict[str, Any] = {}
    for prop in props:
        if draw(st.booleans()):
            policyish = "olicy" in prop or prop in ("keyPolicy", "assumeRolePolicy")
            value = draw(policy_values if policyish else st.one_of(values, deep))
            properties[prop] = Secret(value) if draw(maybe_secret) else value
    return AnalyzedResource(type_, f"r{index}-{draw(st.sampled_from(NAMES))}", properties)


@st.composite
def stacks(draw: st.DrawFn) -> list[AnalyzedResource]:
    size = draw(st.integers(1, 8))
    found = [draw(resources(index)) for index in range(size)]
    urns = [r.resolved_urn for r in found]
    return [
        AnalyzedResource(
            r.type,
            r.name,
            r.properties,
            property_dependencies={
                prop: draw(st.lists(st.sampled_from(urns), max_size=2))
                for prop in draw(st.lists(st.sampled_from(sorted(r.properties) or ["x"])))
            },
        )
        for r in found
    ]


def analyze(running: Any, resource: AnalyzedResource) -> analyzer_pb2.AnalyzeResponse:
    request = analyzer_pb2.AnalyzeRequest(
        type=resource.type, name=resource.name, urn=resource.resolved_urn
    )
    request.properties.CopyFrom(to_struct(resource.properties))
    response = running.Analyze(request, None)
    response.SerializeToString()  # what gRPC does with it
    return response


@FUZZ
@given(stacks())
def test_no_exception_escapes_the_pack(stack: list[AnalyzedResource]) -> None:
    running = servicer()
    response = running.AnalyzeStack(stack_request(stack), None)
    assert response.SerializeToString() is not None
    for diagnostic in response.diagnostics:
        assert "could not judge" not in diagnostic.message, diagnostic.message
    for resource in stack:
        for diagnostic in analyze(running, resource).diagnostics:
            assert "could not judge" not in diagnostic.message, diagnostic.message


def repeated(unit: list[AnalyzedResource], times: int) -> list[AnalyzedResource]:
    """The unit `times` over, each copy its own resources (names, URNs and links renamed)."""
    copies: list[AnalyzedResource] = []
    for copy in range(times):
        renamed = {r.resolved_urn: make_urn(r.type, f"{r.name}-{copy}") for r in unit}
        copies.extend(
            AnalyzedResource(
                r.type,
                f"{r.name}-{copy}",
                r.properties,
                property_dependencies={
                    k: [renamed.get(u, u) for u in v] for k, v in r.property_dependencies.items()
                },
            )
            for r in unit
        )
    return copies


@settings(FUZZ, max_examples=max(5, EXAMPLES // 4))
@given(stacks())
def test_the_work_grows_linearly_with_the_stack(unit: list[AnalyzedResource]) -> None:
    small = calls_to_judge(repeated(unit, 10))
    large = calls_to_judge(repeated(unit, 20))
    # Twice the stack, at most about twice the calls (fixed costs make it less).
    assert large <= 2.3 * small + 2_000, (small, large)


required_keys = st.sets(st.sampled_from(["aws:SourceAccount", "aws:SourceArn"]), min_size=1)
services_outside_their_own_rules = st.sampled_from(SERVICES)
holders = st.sampled_from(
    [
        ("aws:iam/role:Role", "assumeRolePolicy"),
        ("aws-native:iam:Role", "assumeRolePolicyDocument"),
        ("aws:sns/topic:Topic", "policy"),
        ("aws:sns/topicPolicy:TopicPolicy", "policy"),
        ("aws-native:sns:TopicPolicy", "policyDocument"),
        ("aws:kms/key:Key", "policy"),
        ("aws-native:kms:Key", "keyPolicy"),
        ("aws:sqs/queuePolicy:QueuePolicy", "policy"),
        ("aws-native:sqs:QueueInlinePolicy", "policyDocument"),
        ("aws-native:sqs:QueuePolicy", "policyDocument"),
    ]
)


@st.composite
def unconditioned_grants(draw: st.DrawFn) -> tuple[AnalyzedResource, str]:
    """A document with one Allow to a service principal that lacks a required key, among
    other statements; the key left out is missing under every operator."""
    missing = draw(required_keys)
    block = draw(conditions)
    kept = {
        operator: {k: v for k, v in keys.items() if k.lower() not in {m.lower() for m in missing}}
        for operator, keys in block.items()
    }
    grant = {
        "Effect": "Allow",
        "Principal": {"Service": draw(services_outside_their_own_rules)},
        "Action": draw(st.sampled_from(["sns:Publish", "kms:Decrypt", "sts:AssumeRole", "*"])),
        "Resource": "*",
        "Condition": kept,
    }
    others = draw(st.lists(statements, max_size=3))
    position = draw(st.integers(0, len(others)))
    document = {
        "Version": "2012-10-17",
        "Statement": [*others[:position], grant, *others[position:]],
    }
    type_, prop = draw(holders)
    value: Any = json.dumps(document) if draw(st.booleans()) else document
    return AnalyzedResource(type_, "holder", {prop: value}), json.dumps(grant)


@FUZZ
@given(unconditioned_grants())
def test_no_grant_to_a_service_without_the_conditions_passes(
    case: tuple[AnalyzedResource, str],
) -> None:
    resource, grant = case
    response = analyze(servicer(), resource)
    refused = [
        d
        for d in response.diagnostics
        # The engine puts a resource policy's violation without URN on the resource.
        if d.enforcementLevel == analyzer_pb2.MANDATORY and d.urn in ("", resource.resolved_urn)
    ]
    assert refused, grant
