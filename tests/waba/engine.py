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
