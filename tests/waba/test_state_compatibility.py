"""Stacks deployed with an earlier version must keep refreshing and destroying: the
committed state of each version is loaded by a fresh `python -m pulumi.dynamic` (the
engine's own host) and driven through Read and Delete. A refactor that moves or
renames the provider, or changes what it expects in state, fails here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.proto import provider_pb2

from components.arns import parse_arn
from components.waba.state import STATE_VERSION
from tests.fakes.fixtures import AwsDoubles
from tests.waba.engine import URN, dynamic_provider, plain, struct

FIXTURES = sorted(Path(__file__).with_name("fixtures").glob("state-v*.json"))


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def link_fixture_waba(aws: AwsDoubles, state: dict[str, Any]) -> str:
    """The WABA of the fixture, sending its events where the state says it does."""
    arn = parse_arn(state["id"])
    assert arn is not None
    outputs = state["outputs"]
    waba = aws.emulator.link_waba(
        name=outputs["wabaName"],
        region=arn.region,
        account=arn.account,
        hex_id=arn.resource.split("/", 1)[1],
        destination=outputs["eventDestinationArn"],
        role_arn=outputs["roleArn"] or None,
    )
    # Version 3 on, the resource's claim is on the WABA too.
    aws.emulator.set_tags(waba, state.get("waba_tags", {}))
    return waba


def test_there_is_a_fixture_per_state_version() -> None:
    assert [path.name for path in FIXTURES] == [
        f"state-v{version}.json" for version in range(1, STATE_VERSION + 1)
    ]


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_refresh_and_destroy_of_a_committed_state(
    aws: AwsDoubles, tmp_path: Path, path: Path
) -> None:
    state = load(path)
    waba = link_fixture_waba(aws, state)
    outputs = state["outputs"]

    with dynamic_provider(aws.env(), tmp_path / "provider.stderr") as stub:
        read = stub.Read(
            provider_pb2.ReadRequest(
                id=state["id"],
                urn=URN,
                properties=struct(outputs),
                inputs=struct(state["inputs"]),
            )
        )
        refreshed = plain(read.properties)
        assert read.id == state["id"]
        for key in ("wabaArn", "eventDestinationArn", "previousEventDestinationArn", "wabaName"):
            assert refreshed[key] == outputs[key], key

        stub.Delete(provider_pb2.DeleteRequest(id=state["id"], urn=URN, properties=read.properties))

    previous = outputs["previousEventDestinationArn"]
    expected = {"eventDestinationArn": previous} if previous else None
    if expected and outputs["previousRoleArn"]:
        expected["roleArn"] = outputs["previousRoleArn"]
    assert aws.emulator.destination(waba) == expected
    # Refresh: Get and the claim; delete: Get, the claim, then the restore, and the
    # removal of the claim where there is one (version 3 on; older states wrote none).
    claimed = ["UntagResource"] if state.get("waba_tags") else []
    assert aws.emulator.operations() == [
        "GetLinkedWhatsAppBusinessAccount",
        "ListTagsForResource",
        "GetLinkedWhatsAppBusinessAccount",
        "ListTagsForResource",
        "PutWhatsAppBusinessAccountEventDestinations",
        *claimed,
    ]
    assert aws.emulator.tags(waba) == {}


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_refresh_of_a_committed_state_whose_waba_was_unlinked(
    aws: AwsDoubles, tmp_path: Path, path: Path
) -> None:
    state = load(path)
    aws.emulator.unlink(link_fixture_waba(aws, state))

    with dynamic_provider(aws.env(), tmp_path / "provider.stderr") as stub:
        read = stub.Read(
            provider_pb2.ReadRequest(id=state["id"], urn=URN, properties=struct(state["outputs"]))
        )

    assert read.id == ""


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_refresh_then_destroy_of_a_committed_state_leaves_a_destination_someone_else_set(
    aws: AwsDoubles, tmp_path: Path, path: Path
) -> None:
    state = load(path)
    waba = link_fixture_waba(aws, state)
    theirs = f"arn:aws:sns:{aws.region}:{aws.account}:set-in-the-console"
    aws.emulator.set_destination(waba, theirs)

    with dynamic_provider(aws.env(), tmp_path / "provider.stderr") as stub:
        read = stub.Read(
            provider_pb2.ReadRequest(
                id=state["id"],
                urn=URN,
                properties=struct(state["outputs"]),
                inputs=struct(state["inputs"]),
            )
        )
        assert plain(read.properties)["eventDestinationArn"] == theirs
        stub.Delete(provider_pb2.DeleteRequest(id=state["id"], urn=URN, properties=read.properties))

    assert aws.emulator.destination(waba) == {"eventDestinationArn": theirs}
    # Two reads each; a state that wrote a claim (version 3) takes it back on delete.
    assert aws.emulator.operations()[:4] == [
        "GetLinkedWhatsAppBusinessAccount",
        "ListTagsForResource",
        "GetLinkedWhatsAppBusinessAccount",
        "ListTagsForResource",
    ]
    assert "pulumi:waba-destination:token" not in aws.emulator.tags(waba)
