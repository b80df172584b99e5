"""The real program (`__main__.py`) under Pulumi's mocks: resources, documents, outputs."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.waba.sweep import GUARD_TYPE
from destination_review.render import UNKNOWN, WABA_DESTINATION_TYPE, Rendering, Target
from tests.conftest import (
    NS,
    ROOT,
    WABA_A,
    WABA_B,
    WABA_C,
    RenderFn,
    connect_arn,
    policy,
    stack_config,
)
from tests.document_checks import (
    assert_channel_role_permissions,
    assert_key_policy,
    assert_topic_policy,
    assert_trust_policy,
)

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
ROLE = "aws:iam/role:Role"
TOPIC_DELETION = "pulumi-python:dynamic/social-messaging:TopicDeletion"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TARGET = Target("aws", "us-east-1", "111122223333")


def sns_only() -> dict[str, Any]:
    return {
        f"{NS}:destinations": [
            {"wabaId": WABA_A, "type": "sns"},
            {"wabaId": WABA_B, "type": "sns", "takeover": True, "verify": False},
        ],
        f"{NS}:topic": {"name": "whatsapp-events"},
        f"{NS}:tags": {"team": "messaging"},
    }


def connect_only(target: Target = TARGET) -> dict[str, Any]:
    return {
        f"{NS}:destinations": [
            {"wabaId": WABA_A, "type": "connect", "connectInstanceArn": connect_arn(target)},
        ],
        f"{NS}:connectRole": {"name": "whatsapp-channel"},
    }


def mixed(target: Target = TARGET) -> dict[str, Any]:
    return {
        f"{NS}:destinations": [
            {"wabaId": WABA_A, "type": "sns"},
            {"wabaId": WABA_C, "type": "connect", "connectInstanceArn": connect_arn(target)},
        ],
        f"{NS}:tags": {"team": "messaging"},
    }


def waba_destinations(rendering: Rendering) -> dict[str, dict[str, Any]]:
    return {r.inputs["wabaId"]: r.inputs for r in rendering.of_type(WABA_DESTINATION_TYPE)}


def custom_types(rendering: Rendering) -> list[str]:
    """The custom resources, without the stack's claims guard (tests/waba/test_sweep.py)."""
    return sorted(r.type for r in rendering.resources if r.custom and r.type != GUARD_TYPE)


def assert_encrypted_topic(
    rendering: Rendering, target: Target, topic_name: str, tags: dict[str, str]
) -> None:
    p, r, a = target.partition, target.region, target.account_id
    topic_arn = f"arn:{p}:sns:{r}:{a}:{topic_name}"
    key = rendering.one(KEY)
    assert key.inputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    assert key.inputs["keyUsage"] == "ENCRYPT_DECRYPT"
    assert key.inputs["tags"] == tags
    assert_key_policy(policy(key.inputs, "policy"), p, r, a)
    alias = rendering.one(ALIAS)
    assert alias.inputs["name"] == f"alias/{topic_name}"
    assert alias.property_dependencies["targetKeyId"] == [key.urn]
    topic = rendering.one(TOPIC)
    assert topic.inputs["name"] == topic_name
    assert topic.inputs["fifoTopic"] is False
    assert topic.inputs["kmsMasterKeyId"] == f"alias/{topic_name}"
    assert topic.inputs["tags"] == tags
    assert alias.urn in topic.dependencies
    topic_policy = rendering.one(TOPIC_POLICY)
    assert topic_policy.property_dependencies["arn"] == [topic.urn]
    assert_topic_policy(policy(topic_policy.inputs, "policy"), p, r, a, topic_arn)


def assert_channel_role(rendering: Rendering, target: Target, role_name: str) -> None:
    p, r, a = target.partition, target.region, target.account_id
    role = rendering.one(ROLE)
    assert role.inputs["name"] == role_name
    assert_trust_policy(policy(role.inputs, "assumeRolePolicy"), p, r, a)
    permissions = rendering.one(ROLE_POLICY)
    assert permissions.inputs["role"] == role_name
    assert role.urn in permissions.dependencies
    assert_channel_role_permissions(policy(permissions.inputs, "policy"))


def test_dev_stack_builds_one_encrypted_topic_for_its_waba(run_program: RenderFn) -> None:
    rendering = run_program(stack_config("dev"), stack="dev", preview=False, target=TARGET)
    name = "social-messaging-destinations-dev-events"
    tags = {"environment": "dev", "owner": "platform-team"}
    assert custom_types(rendering) == sorted(
        [KEY, ALIAS, TOPIC, TOPIC_POLICY, TOPIC_DELETION, WABA_DESTINATION_TYPE]
    )
    assert_encrypted_topic(rendering, TARGET, name, tags)
    key = rendering.one(KEY)
    assert key.inputs["deletionWindowInDays"] == 7
    assert key.inputs["enableKeyRotation"] is True
    assert not key.protect
    topic_arn = f"arn:aws:sns:us-east-1:111122223333:{name}"
    destination = rendering.one(WABA_DESTINATION_TYPE)
    assert destination.inputs["wabaId"] == WABA_A
    assert destination.inputs["eventDestinationArn"] == topic_arn
    assert "roleArn" not in destination.inputs
    assert destination.inputs["region"] == "us-east-1"
    assert destination.inputs["takeover"] is False
    assert destination.inputs["verify"] is True
    # Created after, and destroyed before, everything that delivers its events.
    assert {
        r.urn for r in rendering.resources if r.type in (KEY, ALIAS, TOPIC, TOPIC_POLICY)
    } <= set(destination.dependencies)
    waba_arn = f"arn:aws:social-messaging:us-east-1:111122223333:waba/{WABA_A[5:]}"
    key_id = rendering.outputs["kmsKeyArn"].rsplit("/", 1)[-1]
    assert re.fullmatch(r"[0-9a-f]{32}", key_id)
    assert rendering.outputs == {
        "accountId": "111122223333",
        "region": "us-east-1",
        "partition": "aws",
        "topicArn": topic_arn,
        "topicName": name,
        "kmsKeyArn": f"arn:aws:kms:us-east-1:111122223333:key/{key_id}",
        "kmsKeyAlias": f"alias/{name}",
        "destinations": [
            {
                "wabaId": WABA_A,
                "type": "sns",
                "eventDestinationArn": topic_arn,
                "roleArn": None,
                "takeover": False,
                "wabaArn": waba_arn,
                "wabaName": f"rendered WABA {WABA_A[5:]}",
                "registrationStatus": "COMPLETE",
                "adopted": False,
                # Decided by the provider at `pulumi up`; the offline render has none.
                "ownership": None,
                "notice": None,
                "previousEventDestinationArn": "",
            }
        ],
    }


def test_prod_stack_protects_its_key_and_topic_and_adds_a_channel_role(
    run_program: RenderFn,
) -> None:
    target = Target("aws", "eu-west-1", "111122223333")
    rendering = run_program(stack_config("prod"), stack="prod", preview=False, target=target)
    name = "social-messaging-destinations-prod-events"
    tags = {"environment": "prod", "owner": "platform-team", "data-classification": "confidential"}
    assert_encrypted_topic(rendering, target, name, tags)
    assert_channel_role(rendering, target, "social-messaging-destinations-prod-connect-channel")
    for type_ in (KEY, ALIAS, TOPIC, TOPIC_POLICY):
        assert rendering.one(type_).protect, f"{type_} is not protected in prod"
    assert rendering.one(KEY).inputs["deletionWindowInDays"] == 30
    assert rendering.one(ROLE).inputs["tags"] == tags
    role_arn = "arn:aws:iam::111122223333:role/social-messaging-destinations-prod-connect-channel"
    destinations = waba_destinations(rendering)
    assert (
        destinations[WABA_C]["eventDestinationArn"]
        == stack_config("prod")[f"{NS}:destinations"][1]["connectInstanceArn"]
    )
    assert destinations[WABA_C]["roleArn"] == role_arn
    assert all(d["takeover"] is False for d in destinations.values())
    assert rendering.outputs["connectRoleArn"] == role_arn
    assert [d["type"] for d in rendering.outputs["destinations"]] == ["sns", "connect"]


def test_sns_only_stack_shares_one_topic_and_makes_no_role(run_program: RenderFn) -> None:
    rendering = run_program(sns_only(), stack="test", preview=False, target=TARGET)
    assert custom_types(rendering) == sorted(
        [
            KEY,
            ALIAS,
            TOPIC,
            TOPIC_POLICY,
            TOPIC_DELETION,
            WABA_DESTINATION_TYPE,
            WABA_DESTINATION_TYPE,
        ]
    )
    assert_encrypted_topic(rendering, TARGET, "whatsapp-events", {"team": "messaging"})
    topic_arn = "arn:aws:sns:us-east-1:111122223333:whatsapp-events"
    destinations = waba_destinations(rendering)
    assert {d["eventDestinationArn"] for d in destinations.values()} == {topic_arn}
    assert destinations[WABA_B]["takeover"] is True
    assert (destinations[WABA_A]["verify"], destinations[WABA_B]["verify"]) == (True, False)
    assert "connectRoleArn" not in rendering.outputs
    assert [d["roleArn"] for d in rendering.outputs["destinations"]] == [None, None]


def test_connect_only_stack_makes_the_role_and_no_topic(run_program: RenderFn) -> None:
    rendering = run_program(connect_only(), stack="test", preview=False, target=TARGET)
    assert custom_types(rendering) == sorted([ROLE, ROLE_POLICY, WABA_DESTINATION_TYPE])
    assert_channel_role(rendering, TARGET, "whatsapp-channel")
    destination = rendering.one(WABA_DESTINATION_TYPE)
    role_arn = "arn:aws:iam::111122223333:role/whatsapp-channel"
    assert destination.inputs["eventDestinationArn"] == connect_arn(TARGET)
    assert destination.inputs["roleArn"] == role_arn
    assert {rendering.one(ROLE).urn, rendering.one(ROLE_POLICY).urn} <= set(
        destination.dependencies
    )
    outputs = rendering.outputs
    assert (outputs["topicArn"], outputs["kmsKeyArn"], outputs["kmsKeyAlias"]) == ("", "", "")
    assert outputs["connectRoleArn"] == role_arn
    assert outputs["destinations"][0]["roleArn"] == role_arn


def test_existing_topic_and_role_are_used_and_nothing_is_created_for_them(
    run_program: RenderFn,
) -> None:
    topic = "arn:aws:sns:us-east-1:111122223333:existing-events"
    role = "arn:aws:iam::111122223333:role/existing-channel"
    config = {
        f"{NS}:destinations": [
            {"wabaId": WABA_A, "type": "sns", "topicArn": topic},
            {
                "wabaId": WABA_B,
                "type": "connect",
                "connectInstanceArn": connect_arn(TARGET),
                "roleArn": role,
            },
        ]
    }
    rendering = run_program(config, stack="test", preview=False, target=TARGET)
    assert custom_types(rendering) == [WABA_DESTINATION_TYPE, WABA_DESTINATION_TYPE]
    destinations = waba_destinations(rendering)
    assert destinations[WABA_A]["eventDestinationArn"] == topic
    assert destinations[WABA_B]["roleArn"] == role


def test_mixed_stack_gives_each_waba_its_own_kind_of_destination(run_program: RenderFn) -> None:
    rendering = run_program(mixed(), stack="test", preview=False, target=TARGET)
    assert_encrypted_topic(
        rendering, TARGET, "social-messaging-destinations-test-events", {"team": "messaging"}
    )
    assert_channel_role(rendering, TARGET, "social-messaging-destinations-test-connect-channel")
    destinations = waba_destinations(rendering)
    assert "roleArn" not in destinations[WABA_A]
    assert destinations[WABA_C]["roleArn"].endswith(
        ":role/social-messaging-destinations-test-connect-channel"
    )
    assert [d["wabaId"] for d in rendering.outputs["destinations"]] == [WABA_A, WABA_C]


POLICY_INPUTS = {
    KEY: "policy",
    TOPIC_POLICY: "policy",
    ROLE: "assumeRolePolicy",
    ROLE_POLICY: "policy",
}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_preview_every_policy_document_is_a_known_string(run_program: RenderFn, stack: str) -> None:
    target = Target("aws", stack_config(stack)["aws:region"], "111122223333")
    rendering = run_program(stack_config(stack), stack=stack, preview=True, target=target)
    documents = [r for r in rendering.resources if r.type in POLICY_INPUTS]
    assert len(documents) == (2 if stack == "dev" else 4)
    for resource in documents:
        value = resource.inputs[POLICY_INPUTS[resource.type]]
        assert isinstance(value, str) and UNKNOWN not in value, resource.type
        assert policy(resource.inputs, POLICY_INPUTS[resource.type])["Statement"]
    # Provider-computed values really are unknown in this mode...
    assert rendering.one(ALIAS).inputs["targetKeyId"] == UNKNOWN
    assert rendering.outputs["kmsKeyArn"] == UNKNOWN
    # ...while everything a policy pack judges a destination by is known.
    for destination in rendering.of_type(WABA_DESTINATION_TYPE):
        for key in ("wabaId", "eventDestinationArn", "region"):
            assert destination.inputs[key] not in (UNKNOWN, None, "")
    assert UNKNOWN not in rendering.one(TOPIC).inputs.values()


PARTITIONS = [
    Target("aws", "us-west-2", "111122223333"),
    Target("aws-cn", "cn-north-1", "222233334444"),
    Target("aws-us-gov", "us-gov-east-1", "333344445555"),
]


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


@pytest.mark.parametrize("target", PARTITIONS, ids=lambda t: t.partition)
def test_every_arn_and_condition_is_in_the_stacks_partition(
    run_program: RenderFn, target: Target
) -> None:
    rendering = run_program(mixed(target), stack="test", preview=False, target=target)
    found = []
    for resource in rendering.resources:
        for text in strings(resource.inputs) + strings(rendering.outputs):
            for arn in re.findall(r"arn:[a-z-]+:", text):
                found.append(arn)
                assert arn == f"arn:{target.partition}:", f"{resource.type}: {text}"
    assert len(found) > 10
    p, r, a = target.partition, target.region, target.account_id
    assert_key_policy(policy(rendering.one(KEY).inputs, "policy"), p, r, a)
    assert_trust_policy(policy(rendering.one(ROLE).inputs, "assumeRolePolicy"), p, r, a)


def test_no_code_hard_codes_the_commercial_partition() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", ".venv", "venv"} or "tests" in relative.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "arn:aws:" in line:
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
