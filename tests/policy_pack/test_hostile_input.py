"""The pack is an organisation's preview gate: no input may fail a preview or blow it up.

Each crash below was reproduced over gRPC (the engine's own path) before it was fixed; the
pack must now answer every one with violations, never with an error.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE as UNKNOWN
from rules import confused_deputy, topic_standard

from benchmarks.policy_pack import HOSTILE_SHAPES, loud_statement, stack
from destination_review.policy_analyzer import (
    AnalyzedResource,
    PolicyPackServer,
    Secret,
    Violation,
    stack_request,
)
from tests.policy_pack.program_stacks import program_stack, with_properties
from tests.policy_pack.work import calls_to_judge, servicer

ACCOUNT = "111122223333"


@pytest.fixture(autouse=True)
def default_config(server: PolicyPackServer) -> None:
    server.configure({})


SERVICE = {"Service": "sns.amazonaws.com"}
GOOD_CONDITION = {
    "StringEquals": {"aws:SourceAccount": ACCOUNT},
    "ArnLike": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"},
}


def nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def trust(principal: Any, condition: Any = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def role(policy: Any, name: str = "assumed", **extra: Any) -> AnalyzedResource:
    return AnalyzedResource("aws:iam/role:Role", name, {"assumeRolePolicy": policy, **extra})


def mandatory(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.enforcement_level == "mandatory"]


def sns_stack(**topic_policy: Any) -> list[AnalyzedResource]:
    """The program's own SNS stack, its topic policy's properties changed."""
    return [
        with_properties(r, **topic_policy) if r.type == "aws:sns/topicPolicy:TopicPolicy" else r
        for r in program_stack("sns")
    ]


# Crashes reproduced over gRPC -------------------------------------------------------------


def test_a_lone_surrogate_escaped_in_valid_json_comes_back_escaped(
    server: PolicyPackServer,
) -> None:
    # Was: "'utf-8' codec can't encode character '\ud800'", the whole call failed.
    text = json.dumps({"Statement": [{"Sid": "\ud800", "Effect": "Allow", "Principal": SERVICE,
                                      "Action": "sns:Publish"}]})  # fmt: skip
    assert "\\ud800" in text
    topic = AnalyzedResource("aws:sns/topic:Topic", "alerts", {"name": "alerts", "policy": text})
    violations = mandatory(server.analyze(topic))
    assert violations and all("statement '\\ud800'" in v.message for v in violations)
    # In the stack too: an action of the channel role's policy, which a stack policy quotes.
    wide = json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "connect:\udc00Send", "Resource": "*"}]}
    )
    stack = [
        with_properties(r, policy=wide) if r.type == "aws:iam/rolePolicy:RolePolicy" else r
        for r in program_stack("connect")
    ]
    refused = mandatory(server.analyze_stack(stack))
    assert any("`connect:\\udc00Send`" in v.message for v in refused)


def test_a_principal_nested_330_levels_is_refused_not_a_recursion_error(
    server: PolicyPackServer,
) -> None:
    for policy in (
        json.dumps(trust(nested(330, UNKNOWN))),  # as text, an unknown at the bottom
        trust(nested(330, "x")),  # as an object
    ):
        (violation,) = server.analyze(role(policy))
        assert violation.enforcement_level == "mandatory"
        assert "nested more than 32 levels deep" in violation.message


def test_json_text_nested_990_levels_is_refused(server: PolicyPackServer) -> None:
    # Was: RecursionError from json.loads, which `parse_text` did not catch.
    (violation,) = server.analyze(role("[" * 990 + "]" * 990))
    assert violation.enforcement_level == "mandatory"
    assert "`assumeRolePolicy` of 'assumed'" in violation.message
    assert "nested more than 32 levels deep" in violation.message


def test_any_property_nested_400_levels_answers_the_whole_stack(
    server: PolicyPackServer,
) -> None:
    # Was: one property nested ~195 levels failed the whole AnalyzeStack.
    stack = [
        with_properties(r, tags=nested(400, "x")) if r.type == "aws:sns/topic:Topic" else r
        for r in sns_stack(policy=nested(400, "x"))
    ]
    violations = server.analyze_stack(stack)
    (refused,) = [v for v in violations if "nested more than 32 levels deep" in v.message]
    assert refused.enforcement_level == "mandatory"
    assert "`policy` of 'whatsapp-events-topic-policy'" in refused.message
    assert server.analyze(stack[4]) == []  # the topic: its deep tags are not read


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_values(server: PolicyPackServer, number: float) -> None:
    # Was: "Fail to serialize NaN for Value.number_value" in pulumi-policy's reading.
    unconditioned = role(json.dumps(trust(SERVICE)), maxSessionDuration=number)
    assert len(mandatory(server.analyze(unconditioned))) == 2  # judged as without the number
    stack = [
        with_properties(r, kmsMasterKeyId="alias/aws/sns", deliveryPolicy=number)
        if r.type == "aws:sns/topic:Topic"
        else r
        for r in program_stack("sns")
    ]
    assert [v.policy_name for v in server.analyze_stack(stack)] == [
        "sns-topic-customer-managed-key"
    ]


# Fail closed ------------------------------------------------------------------------------


def diagnostics(response: analyzer_pb2.AnalyzeResponse) -> list[tuple[str, int, str, str]]:
    return [(d.policyName, d.enforcementLevel, d.urn, d.message) for d in response.diagnostics]


def test_a_fault_in_a_stack_check_refuses_that_resource_and_the_rest_is_judged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stack = [
        with_properties(r, kmsMasterKeyId="alias/aws/sns") if r.type == "aws:sns/topic:Topic" else r
        for r in program_stack("sns")
    ]
    before = diagnostics(servicer().AnalyzeStack(stack_request(stack), None))

    def failing(topic: Any) -> Any:
        raise RuntimeError("a fault inside the check")

    monkeypatch.setattr(topic_standard, "fifo_problems", failing)
    after = diagnostics(servicer().AnalyzeStack(stack_request(stack), None))
    faults = [d for d in after if d not in before]
    (fault,) = faults
    policy, level, urn, message = fault
    assert policy == "waba-destination-topic-standard" and level == analyzer_pb2.MANDATORY
    assert urn.endswith("aws:sns/topic:Topic::whatsapp-events-topic")
    assert "could not judge topic 'whatsapp-events-topic'" in message
    assert "RuntimeError: a fault inside the check" in message
    assert set(before) <= set(after)  # every other policy still reports what it found


def test_a_fault_in_the_resource_check_is_mandatory_even_at_advisory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing(*args: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(confused_deputy, "confused_deputy_problems", failing)
    running = servicer()
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    request.policyConfig[
        "service-principal-confused-deputy"
    ].enforcementLevel = analyzer_pb2.ADVISORY
    running.Configure(request, None)
    resource = role(json.dumps(trust(SERVICE)))
    analyze = analyzer_pb2.AnalyzeRequest(
        type=resource.type, name=resource.name, urn=resource.resolved_urn
    )
    analyze.properties.update({"assumeRolePolicy": resource.properties["assumeRolePolicy"]})
    (fault,) = diagnostics(running.Analyze(analyze, None))
    assert fault[1] == analyzer_pb2.MANDATORY and fault[2] == resource.resolved_urn
    assert "could not judge 'assumed' (aws:iam/role:Role)" in fault[3]


def test_a_wrong_setting_still_fails_the_call_naming_it(server: PolicyPackServer) -> None:
    import grpc

    request = analyzer_pb2.ConfigureAnalyzerRequest()
    entry = analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.MANDATORY)
    entry.properties.update({"exemptServices": ["social-messaging"]})
    request.policyConfig["service-principal-confused-deputy"].CopyFrom(entry)
    server.stub.Configure(request)
    with pytest.raises(grpc.RpcError) as error:
        server.analyze(role(json.dumps(trust(SERVICE))))
    assert "`exemptServices`" in str(error.value.details())


# Secrets, duplicate keys, caps --------------------------------------------------------------


def test_secret_values_are_redacted_in_every_message(server: PolicyPackServer) -> None:
    secret_account = "999988887777"
    condition = {"StringEquals": {"aws:SourceAccount": "not-an-account"}}
    document = json.dumps(trust({"Service": "events.amazonaws.com"}, condition))
    violations = server.analyze(
        role(Secret(document.replace("not-an-account", f"x{secret_account}")))
    )
    assert violations and all(secret_account not in v.message for v in violations)
    assert any("[secret]" in v.message for v in violations)
    # A secret `eventDestinationArn` quoted by a stack policy.
    fifo_arn = f"arn:aws:sns:us-east-1:{ACCOUNT}:secret-name.fifo"
    stack = [
        with_properties(r, eventDestinationArn=Secret(fifo_arn))
        if r.type.endswith(":WabaEventDestination")
        else r
        for r in program_stack("sns")
    ]
    refused = mandatory(server.analyze_stack(stack))
    assert refused and all("secret-name" not in v.message for v in refused)
    assert any("[secret]" in v.message for v in refused)


def test_a_duplicate_key_is_refused_as_ambiguous(server: PolicyPackServer) -> None:
    good = json.dumps(GOOD_CONDITION)
    text = (
        '{"Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, '
        f'"Action": "sts:AssumeRole", "Condition": {{}}, "Condition": {good}}}]}}'
    )
    (violation,) = server.analyze(role(text))
    assert violation.enforcement_level == "mandatory"
    assert "names the key `Condition` twice" in violation.message
    # The same document without the empty duplicate passes.
    assert server.analyze(role(text.replace('"Condition": {}, ', ""))) == []


def test_one_loud_statement_yields_a_bounded_answer(server: PolicyPackServer) -> None:
    # Was: 400 service principals x 400 non-ARN SourceArn values gave 160,401 violations.
    statement = loud_statement(400, 400)
    topic = AnalyzedResource(
        "aws:sns/topic:Topic",
        "loud",
        {"name": "loud", "policy": json.dumps({"Statement": [statement]})},
    )
    violations = server.analyze(topic)
    assert 1 < len(violations) <= 11
    assert sum(len(v.message) for v in violations) < 10_000
    assert "390 more found, and the grants to 399 more service principals" in (
        violations[-1].message
    )


# Linear time on the hostile shapes (work counted, never timed) -------------------


@pytest.mark.parametrize("shape", HOSTILE_SHAPES)
def test_hostile_shapes_cost_linear_work(shape: str) -> None:
    # Were: RSA keys x key policies of unknown key, roles x role policies of unknown role,
    # topics of one name, topic policies on one topic: each quadratic or worse.
    small, large = calls_to_judge(stack(shape, 300)), calls_to_judge(stack(shape, 600))
    assert large <= 2.2 * small, (shape, small, large)


def test_a_hostile_stack_costs_about_what_a_realistic_one_does() -> None:
    hostile, realistic = (
        calls_to_judge(stack("hostile-mix", 600)),
        calls_to_judge(stack("project", 600)),
    )
    assert hostile <= 2 * realistic, (hostile, realistic)
