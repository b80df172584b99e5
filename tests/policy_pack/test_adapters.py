"""The adapters' type tokens and property names are the SDKs' own, and the pack needs no SDK.

`pulumi_aws` and `pulumi_aws_native` are test-time references only: every type token an
adapter reads must be the token of a resource class of that SDK, and every property name
must be one of that class's properties (or of the nested type it reads), so that a name
is never guessed and a rename in a provider release shows up here.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pulumi_aws
import pulumi_aws_native
import pytest
from rules.adapter_aws import ADAPTER as AWS
from rules.adapter_aws_native import ADAPTER as AWS_NATIVE
from rules.model import INLINE_DOCUMENT, INLINE_NAME, Shape

from destination_review.policy_analyzer import PACK_DIR

# Fields that are not properties of the resource itself: nested inline policy fields are
# checked against the nested output type, and `id` is the engine's own.
NESTED = {INLINE_NAME, INLINE_DOCUMENT}
NESTED_TYPES: dict[str, type] = {
    "aws:iam/role:Role": pulumi_aws.iam.outputs.RoleInlinePolicy,
    "aws-native:iam:Role": pulumi_aws_native.iam.outputs.RolePolicy,
}


def sdk_class(token: str) -> type:
    """The SDK resource class of a type token (`aws:sns/topic:Topic`, `aws-native:sns:Topic`)."""
    package, module, name = token.split(":")
    sdk = pulumi_aws if package == "aws" else pulumi_aws_native
    module_name = module.split("/")[0]
    found = getattr(importlib.import_module(f"{sdk.__name__}.{module_name}"), name)
    assert isinstance(found, type)
    return found


def pulumi_names(cls: type) -> set[str]:
    """The engine's names of a class's properties, from the SDK's `@pulumi.getter(name=...)`."""
    return {
        str(getattr(member.fget, "_pulumi_name"))  # noqa: B009 (set by @pulumi.getter)
        for _, member in inspect.getmembers(cls)
        if isinstance(member, property) and hasattr(member.fget, "_pulumi_name")
    }


def type_token(cls: type) -> str:
    source = inspect.getsource(getattr(cls, "_internal_init"))  # noqa: B009
    match = re.search(r"__init__\(\s*'([^']+)'", source)
    assert match, cls
    return match.group(1)


def shapes() -> Iterator[tuple[str, Shape]]:
    """Every shape whose type the installed SDKs have (see `NOT_IN_SDK` for the others)."""
    for family in (AWS, AWS_NATIVE):
        yield from ((t, s) for t, s in family.shapes.items() if t not in NOT_IN_SDK)


# Types CloudFormation defines that the installed SDK does not serve yet (Cloud Control does
# not), read by the names aws-native gives every CloudFormation property (lower camel case).
# Once the SDK has one, the test below checks it like the others and this entry must go.
NOT_IN_SDK: dict[str, set[str]] = {
    # AWS::SQS::QueuePolicy: Queues (a list of queue URLs) and PolicyDocument.
    "aws-native:sqs:QueuePolicy": {"queues", "policyDocument"},
}


def in_sdk(token: str) -> bool:
    package, module, name = token.split(":")
    sdk = pulumi_aws if package == "aws" else pulumi_aws_native
    return hasattr(importlib.import_module(f"{sdk.__name__}.{module.split('/')[0]}"), name)


@pytest.mark.parametrize("token", sorted(NOT_IN_SDK))
def test_types_read_ahead_of_the_sdk_use_cloudformations_property_names(token: str) -> None:
    assert not in_sdk(token), f"the SDK now has {token}: remove it from NOT_IN_SDK"
    assert set(AWS_NATIVE.shapes[token].properties.values()) == NOT_IN_SDK[token]


@pytest.mark.parametrize(("token", "shape"), list(shapes()), ids=[t for t, _ in shapes()])
def test_every_type_token_and_property_is_the_sdks_own(token: str, shape: Shape) -> None:
    cls = sdk_class(token)
    assert type_token(cls) == token
    names = pulumi_names(cls) | {"id"}
    for field_name, prop in shape.properties.items():
        if field_name in NESTED:
            assert prop in pulumi_names(NESTED_TYPES[token]), (token, field_name, prop)
        else:
            assert prop in names, f"{token} has no property `{prop}` (field {field_name})"
    for field_name in shape.documents:
        assert field_name in shape.properties, (token, field_name)


def test_each_family_has_its_own_names_for_the_same_fields() -> None:
    """The reason for two adapters: the same idea is spelt differently in each SDK."""
    assert AWS.shapes["aws:kms/key:Key"].properties["spec"] == "customerMasterKeySpec"
    assert AWS_NATIVE.shapes["aws-native:kms:Key"].properties["spec"] == "keySpec"
    assert AWS_NATIVE.shapes["aws-native:kms:Key"].properties["policy"] == "keyPolicy"
    assert "policy" not in AWS_NATIVE.shapes["aws-native:sns:Topic"].properties


def test_the_pack_needs_neither_sdk_at_run_time() -> None:
    requirements = (PACK_DIR / "requirements.txt").read_text(encoding="utf-8")
    assert "pulumi-aws" not in requirements and "pulumi_aws" not in requirements
    imported: set[str] = set()
    for path in Path(PACK_DIR).rglob("*.py"):
        if "venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module)
    assert not {name for name in imported if name.startswith("pulumi_aws")}, imported
