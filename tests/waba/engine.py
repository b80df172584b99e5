"""Drive the dynamic provider the way the Pulumi engine does: start
`python -m pulumi.dynamic` from the project root, read its port from stdout, and call
its gRPC ResourceProvider service with Struct properties."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROJECT_ROOT = Path(__file__).resolve().parents[2]
URN = (
    "urn:pulumi:dev::social-messaging-destinations::"
    "pulumi-python:dynamic/social-messaging:WabaEventDestination::support"
)


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


def plain(message: struct_pb2.Struct) -> dict[str, Any]:
    return dict(json_format.MessageToDict(message))


@contextmanager
def dynamic_provider(env: dict[str, str], stderr: Path) -> Iterator[Any]:
    """A running `python -m pulumi.dynamic` and a configured gRPC stub to it."""
    with stderr.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "pulumi.dynamic"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        try:
            assert process.stdout is not None
            port = process.stdout.readline().decode().strip()
            assert port.isdigit(), f"no port printed; stderr: {stderr.read_text()}"
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                grpc.channel_ready_future(channel).result(timeout=30)
                stub = provider_pb2_grpc.ResourceProviderStub(channel)
                stub.Configure(provider_pb2.ConfigureRequest(args=struct({})))
                yield stub
        finally:
            process.terminate()
            process.wait(timeout=30)


def urn_of(name: str, stack: str = "dev", project: str = "social-messaging-destinations") -> str:
    return (
        f"urn:pulumi:{stack}::{project}::"
        f"pulumi-python:dynamic/social-messaging:WabaEventDestination::{name}"
    )


class EngineRefused(Exception):
    """Check refused the inputs: what `pulumi preview`/`up` prints per property."""


class Engine:
    """The engine's order of calls for each command, over gRPC: `up` is Check, then
    Create (new) or Diff and Update; a replacement the engine decides (`--replace`, a
    rename without an alias) is Check, Create of the new resource, then Delete of the
    old one at the end (create-before-delete); `refresh` is Read (a blank id drops the
    resource); `destroy` is Delete. States are what the engine keeps: outputs."""

    def __init__(self, stub: Any, serialised: str) -> None:
        self.stub = stub
        self.serialised = serialised

    def check(self, name: str, news: dict[str, Any], olds: dict[str, Any] | None = None) -> Any:
        checked = self.stub.Check(
            provider_pb2.CheckRequest(
                urn=urn_of(name),
                olds=struct(olds or {}),
                news=struct({**news, "__provider": self.serialised}),
            )
        )
        if checked.failures:
            raise EngineRefused({f.property: f.reason for f in checked.failures})
        return checked.inputs

    def create(self, name: str, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        inputs = self.check(name, news)
        created = self.stub.Create(provider_pb2.CreateRequest(urn=urn_of(name), properties=inputs))
        return created.id, plain(created.properties)

    def diff(self, name: str, id_: str, state: dict[str, Any], news: dict[str, Any]) -> Any:
        inputs = self.check(name, news, state)
        return self.stub.Diff(
            provider_pb2.DiffRequest(id=id_, urn=urn_of(name), olds=struct(state), news=inputs)
        ), inputs

    def up(
        self, name: str, id_: str, state: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        """`pulumi up` of an existing resource: Diff, then Update in place (or nothing)."""
        diff, inputs = self.diff(name, id_, state, news)
        assert list(diff.replaces) == [], "this step expects an update in place"
        if diff.changes != provider_pb2.DiffResponse.DIFF_SOME:
            return state
        updated = self.stub.Update(
            provider_pb2.UpdateRequest(id=id_, urn=urn_of(name), olds=struct(state), news=inputs)
        )
        return plain(updated.properties)

    def replace(
        self, old_name: str, new_name: str, id_: str, state: dict[str, Any], news: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """`pulumi up --replace` (same name) or a rename without `aliases` (another
        name): the new resource is created first, then the old one is deleted."""
        new_id, new_state = self.create(new_name, news)
        self.destroy(old_name, id_, state)
        return new_id, new_state

    def refresh(self, name: str, id_: str, state: dict[str, Any]) -> dict[str, Any] | None:
        read = self.stub.Read(
            provider_pb2.ReadRequest(id=id_, urn=urn_of(name), properties=struct(state))
        )
        return plain(read.properties) if read.id else None

    def destroy(self, name: str, id_: str, state: dict[str, Any]) -> None:
        self.stub.Delete(
            provider_pb2.DeleteRequest(id=id_, urn=urn_of(name), properties=struct(state))
        )
