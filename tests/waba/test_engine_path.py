"""The provider through the engine's own path: `python -m pulumi.dynamic` started from
the project root, the provider serialised by pulumi.dynamic's serialiser, every
lifecycle call over gRPC, against the emulator and moto."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2

from components.waba.state import UNKNOWN
from components.waba_destination import WabaEventDestinationProvider
from tests.fakes.fixtures import ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, AwsDoubles
from tests.waba.builders import make_topic, props
from tests.waba.engine import URN, dynamic_provider, plain, struct

SERIALISED = serialize_provider(WabaEventDestinationProvider())


def test_check_diff_create_read_update_delete_over_grpc(aws: AwsDoubles, tmp_path: Path) -> None:
    waba = aws.emulator.link_waba(name="Acme", region=aws.region)
    first = make_topic(aws.region, aws.account)
    second = make_topic(aws.region, aws.account, name="whatsapp-events-v2")
    stderr = tmp_path / "provider.stderr"

    with dynamic_provider(aws.env(), stderr) as stub:
        news = {
            "__provider": SERIALISED,
            "wabaId": waba,
            "eventDestinationArn": first,
            "region": aws.region,
        }
        checked = stub.Check(provider_pb2.CheckRequest(urn=URN, olds=struct({}), news=struct(news)))
        assert list(checked.failures) == []
        inputs = plain(checked.inputs)
        assert inputs["verify"] is True and inputs["roleArn"] == ""

        created = stub.Create(provider_pb2.CreateRequest(urn=URN, properties=checked.inputs))
        state = plain(created.properties)
        assert created.id == aws.emulator.waba(waba).arn
        assert state["wabaName"] == "Acme" and state["adopted"] is False
        assert state["appliedEventDestinationArn"] == first
        assert aws.emulator.destination(waba) == {"eventDestinationArn": first}

        aws.emulator.reset_calls()
        read = stub.Read(
            provider_pb2.ReadRequest(id=created.id, urn=URN, properties=created.properties)
        )
        assert plain(read.properties)["eventDestinationArn"] == first
        assert plain(read.properties)["appliedEventDestinationArn"] == first
        assert aws.emulator.operations() == [
            "GetLinkedWhatsAppBusinessAccount",
            "ListTagsForResource",
        ]

        changed = struct({**inputs, "eventDestinationArn": second})
        diff = stub.Diff(
            provider_pb2.DiffRequest(id=created.id, urn=URN, olds=created.properties, news=changed)
        )
        assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
        assert list(diff.replaces) == []

        updated = stub.Update(
            provider_pb2.UpdateRequest(
                id=created.id, urn=URN, olds=created.properties, news=changed
            )
        )
        assert plain(updated.properties)["eventDestinationArn"] == second
        assert plain(updated.properties)["appliedEventDestinationArn"] == second
        assert aws.emulator.destination(waba) == {"eventDestinationArn": second}

        stub.Delete(
            provider_pb2.DeleteRequest(id=created.id, urn=URN, properties=updated.properties)
        )
        assert aws.emulator.destination(waba) is None
        assert aws.emulator.waba(waba).id == waba

    # The provider host had the credentials in its environment; state never sees them.
    state_text = json.dumps([state, plain(read.properties), plain(updated.properties)])
    for secret in (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN):
        assert secret not in state_text


def test_check_failures_unknowns_and_replacement_over_grpc(aws: AwsDoubles, tmp_path: Path) -> None:
    topic = f"arn:aws:sns:{aws.region}:{aws.account}:events.fifo"
    base = {"__provider": SERIALISED, "region": aws.region}

    with dynamic_provider(aws.env(), tmp_path / "provider.stderr") as stub:
        refused = stub.Check(
            provider_pb2.CheckRequest(
                urn=URN,
                olds=struct({}),
                news=struct({**base, "wabaId": "waba-0a", "eventDestinationArn": topic}),
            )
        )
        assert [f.property for f in refused.failures] == ["eventDestinationArn"]
        assert "FIFO" in refused.failures[0].reason

        preview = stub.Check(
            provider_pb2.CheckRequest(
                urn=URN,
                olds=struct({}),
                news=struct({**base, "wabaId": UNKNOWN, "eventDestinationArn": UNKNOWN}),
            )
        )
        assert list(preview.failures) == []

        olds = struct({**props("waba-0a", topic, aws.region), "__provider": SERIALISED})
        news = struct({**props("waba-0b", topic, aws.region), "__provider": SERIALISED})
        diff = stub.Diff(provider_pb2.DiffRequest(id="x", urn=URN, olds=olds, news=news))
        assert list(diff.replaces) == ["wabaId"]
        assert diff.deleteBeforeReplace is True
    assert aws.emulator.calls == []


def test_a_failure_reaches_the_engine_as_one_message(aws: AwsDoubles, tmp_path: Path) -> None:
    theirs = make_topic(aws.region, aws.account, name="crm-events")
    waba = aws.emulator.link_waba(region=aws.region, destination=theirs)
    ours = make_topic(aws.region, aws.account)

    with dynamic_provider(aws.env(), tmp_path / "provider.stderr") as stub:
        with pytest.raises(grpc.RpcError) as failed:
            stub.Create(
                provider_pb2.CreateRequest(
                    urn=URN,
                    properties=struct({**props(waba, ours, aws.region), "__provider": SERIALISED}),
                )
            )
    details = failed.value.details() or ""
    assert "WabaDestinationError" in details and theirs in details
    assert "During handling" not in details
    assert aws.emulator.destination(waba) == {"eventDestinationArn": theirs}
