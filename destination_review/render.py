"""Render the program without the Pulumi CLI, credentials or network.

The program runs under Pulumi's own mock runtime (`pulumi.runtime.set_mocks`), the same
interface its unit tests use. The mocks answer the aws invokes with a chosen partition,
Region and account and record every resource registration exactly as the engine would
receive it: inputs (unknown values as the engine's sentinel), parent, dependencies and
property dependencies. The offline review and the tests both read programs this way.
"""

from __future__ import annotations

import gc
import hashlib
import json
import runpy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks

from components.arns import dns_suffix, iam_role_arn, sns_topic_arn
from components.pulumi_compat import (
    SECRET_SIGNATURE,
    SIGNATURE_KEY,
    UNKNOWN,
    Unknown,
    run_program,
    sync_await,
)
from components.waba.ids import waba_id_part

REDACTED = "[secret]"
# The source tree's project (tests render it); the review renders the project it runs in.
PROJECT_DIR = Path(__file__).resolve().parent.parent
WABA_DESTINATION_TYPE = "pulumi-python:dynamic/social-messaging:WabaEventDestination"


@dataclass(frozen=True)
class Target:
    """The AWS partition, Region and account a rendering pretends to run in."""

    partition: str = "aws"
    region: str = "us-east-1"
    account_id: str = "111122223333"


@dataclass
class RenderedResource:
    """One resource registration, as the engine (and a policy pack) would see it."""

    type: str
    name: str
    urn: str
    custom: bool
    inputs: dict[str, Any]
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False


@dataclass
class Rendering:
    resources: list[RenderedResource]
    outputs: dict[str, Any]

    def of_type(self, type_: str) -> list[RenderedResource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str) -> RenderedResource:
        found = self.of_type(type_)
        if len(found) != 1:
            raise AssertionError(f"expected one {type_}, found {len(found)}")
        return found[0]


def _stable_id(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:32]


def _plain(value: Any) -> Any:
    """Protobuf-decoded inputs with secrets shown as a marker, never their value."""
    if isinstance(value, dict):
        if value.get(SIGNATURE_KEY) == SECRET_SIGNATURE:
            return REDACTED
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf carries every number as a double
    return value


class ProgramMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and invokes the way AWS would, offline.

    In preview mode only the inputs come back, so every provider-computed output stays
    unknown, as it does in `pulumi preview`.
    """

    def __init__(self, target: Target, preview: bool) -> None:
        self.target = target
        self.preview = preview

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        t = self.target
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            arn = f"arn:{t.partition}:iam::{t.account_id}:user/reviewer"
            return {
                "accountId": t.account_id,
                "arn": arn,
                "userId": "AIDAREVIEW",
                "id": t.account_id,
            }, []
        if args.token == "aws:index/getPartition:getPartition":
            suffix = dns_suffix(t.partition)
            return {"partition": t.partition, "dnsSuffix": suffix, "id": t.partition}, []
        if args.token == "aws:index/getRegion:getRegion":
            return {"region": t.region, "name": t.region, "id": t.region}, []
        raise NotImplementedError(f"no offline answer for invoke {args.token}")

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        resource_id = _stable_id(args.typ, args.name)
        if self.preview:
            return "", inputs
        t = self.target
        computed: dict[str, Any] = {}
        if args.typ == "aws:kms/key:Key":
            computed = {
                "arn": f"arn:{t.partition}:kms:{t.region}:{t.account_id}:key/{resource_id}",
                "keyId": resource_id,
            }
        elif args.typ == "aws:kms/alias:Alias":
            computed = {"arn": f"arn:{t.partition}:kms:{t.region}:{t.account_id}:{inputs['name']}"}
        elif args.typ == "aws:sns/topic:Topic":
            computed = {"arn": sns_topic_arn(t.partition, t.region, t.account_id, inputs["name"])}
        elif args.typ == "aws:iam/role:Role":
            computed = {
                "arn": iam_role_arn(t.partition, t.account_id, inputs["name"]),
                "uniqueId": "AROA" + resource_id[:17].upper(),
            }
        elif args.typ == WABA_DESTINATION_TYPE:
            waba = waba_id_part(str(inputs.get("wabaId", "")))
            computed = {
                "wabaArn": (
                    f"arn:{t.partition}:social-messaging:{t.region}:{t.account_id}:waba/{waba}"
                ),
                "wabaName": f"rendered WABA {waba}",
                "registrationStatus": "COMPLETE",
                "adopted": False,
                "previousEventDestinationArn": "",
                "previousRoleArn": "",
            }
        return resource_id, {**inputs, **computed}


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, also keeping what the engine would pass to a policy pack."""

    def __init__(self, mocks: ProgramMocks) -> None:
        super().__init__(mocks)
        self.registrations: list[RenderedResource] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                RenderedResource(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    custom=bool(request.custom),
                    inputs=_plain(json_format.MessageToDict(request.object)),
                    parent=request.parent,
                    dependencies=list(request.dependencies),
                    property_dependencies={
                        key: list(value.urns) for key, value in request.propertyDependencies.items()
                    },
                    protect=bool(request.protect),
                )
            )
        return response


def _config_value(value: Any) -> str:
    """Config values reach a Pulumi program as strings; objects as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def render(
    config: Mapping[str, Any],
    *,
    stack: str = "dev",
    project: str = "social-messaging-destinations",
    target: Target | None = None,
    preview: bool = True,
    program: Path = PROJECT_DIR / "__main__.py",
    registrations: list[RenderedResource] | None = None,
) -> Rendering:
    """Run the program under mocks with `config` (full keys, e.g. `ns:destinations`).

    Raises whatever the program raises, such as a SettingsError for an invalid config;
    pass `registrations` to see what was registered before it did.
    """
    target = target or Target()
    mocks = ProgramMocks(target, preview)
    monitor = _RecordingMonitor(mocks)
    if registrations is not None:
        monitor.registrations = registrations
    pulumi.runtime.set_all_config({k: _config_value(v) for k, v in config.items()})
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)

    namespace: dict[str, Any] = {}

    def run() -> None:
        namespace.update(runpy.run_path(str(program), run_name="__main__"))

    try:
        run_program(run)
        outputs = sync_await(_resolve(namespace.get("outputs", {})))
    except BaseException:
        # A failed program leaves futures nobody awaited; collecting them now keeps their
        # clean-up from running at an arbitrary later point in the interpreter.
        gc.collect()
        raise
    return Rendering(resources=monitor.registrations, outputs=outputs)


async def _resolve(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Wait for every output; unknown ones (preview) come back as the sentinel."""
    resolved: dict[str, Any] = {}
    for key, value in outputs.items():
        resolved[key] = _mark_unknowns(await pulumi.Output.from_input(value).future(True))
    return resolved


def _mark_unknowns(value: Any) -> Any:
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: _mark_unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark_unknowns(v) for v in value]
    return value
