"""What each command costs in socialmessaging calls, on the engine's gRPC path, against
the issue's budgets; and that the provider process makes its botocore loader once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import botocore.loaders
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.waba import client
from components.waba_destination import WabaEventDestinationProvider
from tests.conftest import ROOT
from tests.fakes.fixtures import AwsDoubles
from tests.waba.budgets import BUDGETS, measure
from tests.waba.builders import props
from tests.waba.engine import Engine, dynamic_provider

GET, LIST, TAG, PUT = (
    "GetLinkedWhatsAppBusinessAccount",
    "ListTagsForResource",
    "TagResource",
    "PutWhatsAppBusinessAccountEventDestinations",
)


@pytest.fixture
def engine(aws: AwsDoubles, tmp_path: Path) -> Iterator[Engine]:
    with dynamic_provider(aws.env(), tmp_path / "provider.stderr") as stub:
        yield Engine(stub, serialize_provider(WabaEventDestinationProvider()))


def test_each_command_stays_within_its_call_budget(aws: AwsDoubles, engine: Engine) -> None:
    calls = measure(engine, aws.emulator, aws.region, aws.account)

    # `up` runs Check before Create or Update: check reads the WABA (Get, ListTags).
    assert calls == {
        "preview": [GET, LIST],
        "preview (no change)": [],
        # Check's reads, then the race guard: a read just before the Put, and one after.
        "create": [GET, LIST, GET, LIST, TAG, GET, LIST, PUT, GET, LIST],
        "update": [GET, LIST, GET, LIST, TAG, GET, LIST, PUT, GET, LIST],
        "refresh": [GET, LIST],
        # Puts back the other stack's destination, then its claim.
        "delete": [GET, LIST, PUT, TAG],
    }
    for command, made in calls.items():
        most, puts = BUDGETS[command]
        assert len(made) <= most and made.count(PUT) <= puts, command


def test_one_botocore_loader_serves_every_operation_of_a_process(
    aws: AwsDoubles, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = WabaEventDestinationProvider()
    waba = aws.emulator.link_waba(region=aws.region)
    topic = f"arn:aws:sns:{aws.region}:{aws.account}:events"
    inputs = props(waba, topic, aws.region, verify=False)
    provider.create(inputs)  # warm: the process's first operation builds what it keeps
    loaders: list[object] = []
    original = botocore.loaders.Loader.__init__

    def counting(self: botocore.loaders.Loader, *args: object, **kwargs: object) -> None:
        loaders.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(botocore.loaders.Loader, "__init__", counting)
    made: list[tuple[str, str, str]] = []
    make_session = client._make_session

    def counted(region: str, profile: str, assume_role_arn: str) -> object:
        made.append((region, profile, assume_role_arn))
        return make_session(region, profile, assume_role_arn)

    monkeypatch.setattr(client, "_make_session", counted)

    state = provider.create(inputs).outs
    assert state is not None
    provider.read(state["wabaArn"], state)
    provider.update(state["wabaArn"], state, {**inputs, "eventDestinationArn": topic + "-v2"})
    provider.delete(state["wabaArn"], state)

    assert loaders == []
    assert made == []


def test_a_check_leaves_the_provider_process_objects_out_of_the_collectors_reach() -> None:
    """The engine waits for the provider's process to exit; the collector's walk over
    its modules and botocore's models at exit is spared (components.process)."""
    script = """
import gc
from components.waba_destination import WabaEventDestinationProvider
before = gc.get_freeze_count()
WabaEventDestinationProvider().check({}, {"wabaId": "waba-0123456789abcdef"})
print(before, gc.get_freeze_count(), len(gc.get_objects()))
"""
    ran = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stderr
    before, frozen, tracked = map(int, ran.stdout.split())
    assert before == 0
    assert frozen > 10_000 and tracked < frozen // 10  # the modules and botocore's models


def test_the_program_and_a_check_that_reads_nothing_load_no_api_client() -> None:
    """`pulumi preview` of an unchanged stack runs the program and checks each resource
    without an API call: neither process pays for boto3 and botocore's session."""
    script = """
import sys
import components.event_destinations, components.settings, components.topic_deletion
from components.waba_destination import WabaEventDestinationProvider
inputs = {"wabaId": "waba-0123456789abcdef", "region": "eu-west-1", "verify": False,
          "eventDestinationArn": "arn:aws:sns:eu-west-1:123456789012:events"}
checked = WabaEventDestinationProvider().check(dict(inputs), dict(inputs))
assert not checked.failures, [f.reason for f in checked.failures]
print(sorted(m for m in ("boto3", "botocore.session", "botocore.client") if m in sys.modules))
"""
    ran = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[]"
