"""The stand-in aws plugin, started as the engine starts a plugin (the executable on PATH,
the engine address as its argument, the port read from its first line), answers over
the resource-provider protocol, acts on moto, and names what it does not implement."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import boto3
import grpc
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from tests.e2e.cli import STAND_IN_PLUGINS
from tests.fakes.aws import MotoServer

URN = "urn:pulumi:dev::project::{type}::name"


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def plugin(moto: MotoServer) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    env = {
        **os.environ,
        "SMD_TEST_PYTHON": sys.executable,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL_SNS": moto.url,
        "AWS_ENDPOINT_URL_STS": moto.url,
    }
    process = subprocess.Popen(
        [str(STAND_IN_PLUGINS / "pulumi-resource-aws"), "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert process.stdout is not None
    port = int(process.stdout.readline())
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    stub = provider_pb2_grpc.ResourceProviderStub(channel)
    stub.Configure(provider_pb2.ConfigureRequest(args=_struct(region="us-east-1")))
    yield stub
    channel.close()
    process.terminate()
    process.wait(timeout=10)


def _struct(**values: object) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def test_a_resource_type_it_does_not_implement_fails_with_its_name(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        plugin.Check(provider_pb2.CheckRequest(urn=URN.format(type="aws:s3/bucket:Bucket")))
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "aws:s3/bucket:Bucket" in str(raised.value.details())


def test_an_invoke_it_does_not_implement_fails_with_its_name(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        plugin.Invoke(provider_pb2.InvokeRequest(tok="aws:ec2/getVpc:getVpc"))
    assert "aws:ec2/getVpc:getVpc" in str(raised.value.details())


def test_a_topic_it_creates_exists_in_moto_and_is_gone_after_delete(
    plugin: provider_pb2_grpc.ResourceProviderStub, moto: MotoServer
) -> None:
    sns = boto3.client(
        "sns",
        region_name="us-east-1",
        endpoint_url=moto.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    urn = URN.format(type="aws:sns/topic:Topic")
    created = plugin.Create(
        provider_pb2.CreateRequest(
            urn=urn, properties=_struct(name="stand-in-topic", fifoTopic=False)
        )
    )
    assert created.id.endswith(":stand-in-topic")
    assert created.id in [t["TopicArn"] for t in sns.list_topics()["Topics"]]

    plugin.Delete(provider_pb2.DeleteRequest(urn=urn, id=created.id, properties=created.properties))

    assert created.id not in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    read = plugin.Read(provider_pb2.ReadRequest(urn=urn, id=created.id))
    assert read.id == "", "a deleted resource reads as gone"


def test_the_caller_identity_invoke_answers_with_motos_account(
    plugin: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    answer = plugin.Invoke(
        provider_pb2.InvokeRequest(tok="aws:index/getCallerIdentity:getCallerIdentity")
    )
    assert dict(getattr(answer, "return"))["accountId"] == "123456789012"
