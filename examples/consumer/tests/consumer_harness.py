"""Run the consumer's real `__main__.py` under Pulumi mocks, with a mocked StackReference.

Shared by the consumer's tests (imported by name: pytest puts this folder on sys.path).

Each run gets a fresh root stack, a fresh config and a fresh monitor (`set_mocks` is
process-wide state), records every resource the program registers as the engine would
see it (type, name, URN, camelCase inputs, dependencies), and resolves the stack exports.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import json
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

CONSUMER_DIR = Path(__file__).resolve().parents[1]
MAIN = CONSUMER_DIR / "__main__.py"
PROJECT = "social-messaging-consumer"
STACK = "dev"
PRODUCER_STACK = "organization/social-messaging-destinations/dev"
UNKNOWN = rpc.UNKNOWN  # the engine's sentinel for a value computed during `up`

# The consumer package lives next to `__main__.py`, which Pulumi puts on sys.path.
if str(CONSUMER_DIR) not in sys.path:
    sys.path.insert(0, str(CONSUMER_DIR))


def producer_outputs(
    partition: str = "aws",
    region: str = "eu-west-1",
    account_id: str = "111122223333",
    topic_name: str = "whatsapp-events-dev",
) -> dict[str, Any]:
    """The outputs a social-messaging-destinations stack exports, for one SNS and one
    Connect destination."""
    topic_arn = f"arn:{partition}:sns:{region}:{account_id}:{topic_name}"
    key_arn = f"arn:{partition}:kms:{region}:{account_id}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    role_arn = f"arn:{partition}:iam::{account_id}:role/social-messaging-destinations-dev-connect"
    return {
        "accountId": account_id,
        "region": region,
        "partition": partition,
        "topicArn": topic_arn,
        "topicName": topic_name,
        "kmsKeyArn": key_arn,
        "kmsKeyAlias": f"alias/{topic_name}",
        "connectRoleArn": role_arn,
        "destinations": [
            {
                "wabaId": "waba-0123456789abcdef0123456789abcdef",
                "type": "sns",
                "eventDestinationArn": topic_arn,
                "roleArn": "",
                "addedLater": "ignored by consumers",
            },
            {
                "wabaId": "waba-fedcba9876543210fedcba9876543210",
                "type": "connect",
                "eventDestinationArn": (
                    f"arn:{partition}:connect:{region}:{account_id}:instance/"
                    "aaaabbbb-cccc-dddd-eeee-ffff00001111"
                ),
                "roleArn": role_arn,
            },
        ],
    }


@dataclass(frozen=True)
class Location:
    """What the aws invokes report: where this stack's provider deploys."""

    partition: str = "aws"
    region: str = "eu-west-1"
    account_id: str = "111122223333"


@dataclass
class RegisteredResource:
    """One resource as the program registered it, in the engine's terms."""

    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    parent: str
    custom: bool
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]

    def document(self, key: str = "policy") -> dict[str, Any]:
        """A JSON policy input, decoded."""
        value = self.inputs[key]
        assert isinstance(value, str), f"{self.name}.{key} is not a known JSON string"
        decoded: dict[str, Any] = json.loads(value)
        return decoded


@dataclass
class ProgramRun:
    """Everything one run of the program registered and exported."""

    resources: list[RegisteredResource] = field(default_factory=list)
    exports: dict[str, Any] = field(default_factory=dict)
    stack_reference: dict[str, Any] = field(default_factory=dict)

    def named(self, name: str) -> RegisteredResource:
        """The resource with this logical name (names are unique in the program)."""
        matches = [r for r in self.resources if r.name == name]
        assert len(matches) == 1, f"expected one resource named {name!r}, got {len(matches)}"
        return matches[0]

    def of_type(self, type_: str) -> list[RegisteredResource]:
        """Every resource of one type token."""
        return [r for r in self.resources if r.type == type_]


def _engine_view(value: Any) -> Any:
    """Inputs as the engine forwards them: unknowns as the sentinel, secrets unwrapped."""
    if isinstance(value, pulumi.output.Unknown):
        return UNKNOWN
    if rpc.is_rpc_secret(value):
        return _engine_view(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {k: _engine_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_engine_view(v) for v in value]
    return value


class RecordingMonitor(MockMonitor):
    """A mock monitor that also records each registration request."""

    def __init__(self, mocks: Mocks, run: ProgramRun) -> None:
        super().__init__(mocks)
        self.run = run

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - the gRPC method name
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
            self.run.resources.append(
                RegisteredResource(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    inputs=_engine_view(inputs),
                    parent=request.parent,
                    custom=request.custom,
                    dependencies=list(request.dependencies),
                    property_dependencies={
                        key: list(deps.urns) for key, deps in request.propertyDependencies.items()
                    },
                )
            )
        return response


class ConsumerMocks(Mocks):
    """Answers the engine's questions the way AWS and the producer stack would."""

    def __init__(
        self, outputs: dict[str, Any], location: Location, preview: bool, run: ProgramRun
    ) -> None:
        self.outputs = outputs
        self.location = location
        self.preview = preview
        self.run = run

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        loc = self.location
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": loc.account_id,
                "arn": f"arn:{loc.partition}:iam::{loc.account_id}:user/deployer",
                "userId": "AIDAEXAMPLE",
                "id": loc.account_id,
            }, []
        if args.token == "aws:index/getRegion:getRegion":
            return {"region": loc.region, "name": loc.region, "id": loc.region}, []
        if args.token == "aws:index/getPartition:getPartition":
            return {
                "partition": loc.partition,
                "dnsSuffix": "amazonaws.com",
                "id": loc.partition,
            }, []
        raise AssertionError(f"unexpected invoke {args.token}")

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ == "pulumi:pulumi:StackReference":
            self.run.stack_reference = dict(args.inputs)
            return args.resource_id or args.name, {
                "name": args.inputs.get("name"),
                "outputs": copy.deepcopy(self.outputs),
                "secretOutputNames": [],
            }
        state = dict(args.inputs)
        if self.preview:
            # Provider-computed attributes (ARNs, URLs, ids) are unknown at preview.
            return None, state
        loc = self.location
        if args.typ == "aws:sqs/queue:Queue":
            name = args.inputs["name"]
            state["arn"] = f"arn:{loc.partition}:sqs:{loc.region}:{loc.account_id}:{name}"
            state["url"] = f"https://sqs.{loc.region}.amazonaws.com/{loc.account_id}/{name}"
            return state["url"], state
        if args.typ == "aws:kms/key:Key":
            key_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
            state["keyId"] = key_id
            state["arn"] = f"arn:{loc.partition}:kms:{loc.region}:{loc.account_id}:key/{key_id}"
            return key_id, state
        if args.typ == "aws:sns/topicSubscription:TopicSubscription":
            state["arn"] = f"{args.inputs['topic']}:5f2a9c1e-0000-4000-8000-000000000001"
            return state["arn"], state
        return f"{args.name}-id", state


def run_program(
    outputs: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    location: Location | None = None,
    preview: bool = False,
) -> ProgramRun:
    """Run `__main__.py` once with fresh runtime state and return what it did."""
    result = ProgramRun()
    values = {"producerStack": PRODUCER_STACK} if config is None else config
    pulumi.runtime.set_all_config(
        {
            f"{PROJECT}:{key}": value if isinstance(value, str) else json.dumps(value)
            for key, value in values.items()
        }
    )
    mocks = ConsumerMocks(
        producer_outputs() if outputs is None else outputs,
        location or Location(),
        preview,
        result,
    )
    # A fresh root stack and monitor: the previous test's state must not leak in.
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.set_mocks(
        mocks,
        project=PROJECT,
        stack=STACK,
        preview=preview,
        monitor=RecordingMonitor(mocks, result),
    )

    async def exports() -> None:
        stack = pulumi.runtime.settings.get_root_resource()
        assert stack is not None
        for name, value in stack.outputs.items():  # type: ignore[attr-defined]
            output = pulumi.Output.from_input(value)
            known = await output.is_known()
            result.exports[name] = await output.future() if known else UNKNOWN

    @pulumi.runtime.test
    def program() -> Any:
        runpy.run_path(str(MAIN), run_name="__main__")
        return asyncio.ensure_future(exports())

    try:
        program()
    finally:
        # A failed run leaves futures whose exception nobody retrieved; finalize them
        # now, not later inside an unrelated allocation-heavy call such as ast.parse.
        gc.collect()
    return result


def reset_runtime() -> None:
    """Leave no config or root stack behind for the next test in the process."""
    pulumi.runtime.set_all_config({})
    pulumi.runtime.settings.ROOT.set(None)
