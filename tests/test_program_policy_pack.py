"""The program's own stacks, rendered as `pulumi preview` sees them, through the policy pack."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from destination_review.policy_analyzer import PolicyPackServer, Violation
from destination_review.render import RenderedResource, Target, render
from destination_review.review import analyzed
from tests.conftest import stack_config

CANT_RUN = "can't run policy"


@pytest.fixture(scope="module")
def server() -> Iterator[PolicyPackServer]:
    with PolicyPackServer() as running:
        yield running


def preview(stack: str) -> list[RenderedResource]:
    target = Target("aws", str(stack_config(stack)["aws:region"]), "111122223333")
    return render(stack_config(stack), stack=stack, target=target, preview=True).resources


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_example_stacks_have_no_violation_and_every_rule_decides_at_preview(
    server: PolicyPackServer, stack: str
) -> None:
    violations = server.analyze_all(analyzed(preview(stack)))
    assert violations == []


def mutate(
    resources: list[RenderedResource], type_: str, change: Callable[[dict], None]
) -> list[RenderedResource]:
    result = []
    for resource in resources:
        if resource.type == type_:
            inputs = json.loads(json.dumps(resource.inputs))
            change(inputs)
            resource = replace(resource, inputs=inputs)
        result.append(resource)
    return result


def fifo(inputs: dict) -> None:
    inputs["name"] += ".fifo"


def fifo_destination(inputs: dict) -> None:
    if inputs["eventDestinationArn"].split(":")[2] == "sns":
        inputs["eventDestinationArn"] += ".fifo"


def asymmetric(inputs: dict) -> None:
    inputs["customerMasterKeySpec"] = "RSA_2048"


def unconditional_trust(inputs: dict) -> None:
    document = json.loads(inputs["assumeRolePolicy"])
    del document["Statement"][0]["Condition"]
    inputs["assumeRolePolicy"] = json.dumps(document)


VARIANTS = {
    "FIFO topic name": ("aws:sns/topic:Topic", fifo, "waba-destination-topic-standard"),
    "FIFO destination ARN": (
        "pulumi-python:dynamic/social-messaging:WabaEventDestination",
        fifo_destination,
        "waba-destination-topic-standard",
    ),
    "asymmetric key": ("aws:kms/key:Key", asymmetric, "kms-key-symmetric"),
    "trust policy without conditions": (
        "aws:iam/role:Role",
        unconditional_trust,
        "service-principal-confused-deputy",
    ),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_broken_variant_of_prod_gets_a_mandatory_violation_at_preview(
    server: PolicyPackServer, variant: str
) -> None:
    type_, change, policy = VARIANTS[variant]
    violations: list[Violation] = server.analyze_all(
        analyzed(mutate(preview("prod"), type_, change))
    )
    assert any(
        v.policy_name == policy and v.enforcement_level == "mandatory" for v in violations
    ), violations
    assert not any(CANT_RUN in v.message for v in violations)
