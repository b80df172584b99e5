"""The WABA destination's `check` on the engine's gRPC path: it reads the WABA (at most
2 calls, no write) and refuses what create or update would refuse, as check failures
(what `pulumi preview` prints), and notes a rename; a failed read refuses nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.waba.claim import Claim, Identity
from components.waba.refusals import CheckReading, refusal, rename_notice
from components.waba.state import EventDestination
from components.waba.sweep import StackClaimsGuardProvider
from components.waba_destination import WabaEventDestinationProvider
from tests.fakes.fixtures import AwsDoubles
from tests.waba.builders import props
from tests.waba.engine import Engine, EngineRefused, dynamic_provider, plain

GET, LIST = "GetLinkedWhatsAppBusinessAccount", "ListTagsForResource"
WRITES = {"TagResource", "UntagResource", "PutWhatsAppBusinessAccountEventDestinations"}


@pytest.fixture
def engine(aws: AwsDoubles, tmp_path: Path) -> Iterator[Engine]:
    with dynamic_provider(aws.env(), tmp_path / "provider.stderr") as stub:
        yield Engine(stub, serialize_provider(WabaEventDestinationProvider()))


def _news(aws: AwsDoubles, waba: str, name: str, **more: Any) -> dict[str, Any]:
    topic = f"arn:aws:sns:{aws.region}:{aws.account}:{name}"
    return props(waba, topic, aws.region, verify=False, **more)


def test_another_projects_stack_is_refused_at_check_naming_it_without_writing(
    aws: AwsDoubles, engine: Engine
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    engine.create("events-waba", _news(aws, waba, "theirs", ownerProject="orders"))
    aws.emulator.reset_calls()

    with pytest.raises(EngineRefused) as refused:
        engine.check("events-waba", _news(aws, waba, "ours"))

    reason = refused.value.args[0]["wabaId"]
    assert f"WABA {waba} already sends its events to arn:aws:sns:" in reason
    assert "resource 'events-waba' of stack 'orders/dev'" in reason
    assert "takeover" in reason and "declare it" in reason
    assert aws.emulator.operations() == [GET, LIST]
    assert not WRITES & set(aws.emulator.operations())


def test_takeover_adoption_and_our_own_stack_pass_check(aws: AwsDoubles, engine: Engine) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    engine.create("events-waba", _news(aws, waba, "theirs", ownerStack="prod"))

    engine.check("events-waba", _news(aws, waba, "ours", takeover=True))
    engine.check("events-waba", _news(aws, waba, "theirs"))  # adopts what it declares
    engine.check("events-waba", _news(aws, waba, "ours-v2", ownerStack="prod"))


def test_a_waba_that_is_not_linked_is_refused_in_two_reads(aws: AwsDoubles, engine: Engine) -> None:
    aws.emulator.reset_calls()
    with pytest.raises(EngineRefused) as refused:
        engine.check("events-waba", _news(aws, "waba-0123456789abcdef", "ours"))

    assert "no WABA waba-0123456789abcdef is linked" in refused.value.args[0]["wabaId"]
    assert aws.emulator.operations() == [GET, GET]


def test_a_failed_read_does_not_fail_check(aws: AwsDoubles, engine: Engine) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    engine.create("events-waba", _news(aws, waba, "theirs", ownerStack="prod"))
    aws.emulator.inject(GET, 500, "InternalServiceException", times=None)

    engine.check("events-waba", _news(aws, waba, "ours"))  # create reads again and decides


def test_a_rename_within_the_stack_is_noted_with_the_aliases_option(
    aws: AwsDoubles, engine: Engine
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    engine.create("whatsapp-waba-1", _news(aws, waba, "ours", ownerResource="whatsapp-waba-1"))

    checked = plain(
        engine.check("orders-waba-1", _news(aws, waba, "ours", ownerResource="orders-waba-1"))
    )

    assert "this looks like a rename" in checked["notice"]
    assert 'aliases=[pulumi.Alias(name="whatsapp")]' in checked["notice"]
    assert 'now named "orders"' in checked["notice"]


OURS = EventDestination("arn:aws:sns:eu-west-1:123456789012:ours")
THEIRS = EventDestination("arn:aws:sns:eu-west-1:123456789012:theirs")
ME = Identity("project", "dev", "whatsapp-waba-1")


def _claim(owner: str, resource: str, destination: EventDestination) -> Claim:
    return Claim(owner, resource, "token", destination.arn, destination.role_arn)


def test_refusal_keeps_what_this_resource_declared_before_when_no_claim_holds() -> None:
    reading = CheckReading(live=THEIRS)
    assert refusal("waba-1", OURS, reading, ME, False, None) is not None
    assert refusal("waba-1", OURS, reading, ME, False, THEIRS) is None
    assert refusal("waba-1", OURS, CheckReading(unread=True), ME, False, None) is None


def test_rename_notice_only_for_another_resource_of_the_same_stack() -> None:
    ours = CheckReading(live=OURS, claim=_claim("project/dev", "old-waba-1", OURS))
    assert "rename" in rename_notice("waba-1", ours, ME)
    same = CheckReading(live=OURS, claim=_claim("project/dev", "whatsapp-waba-1", OURS))
    assert rename_notice("waba-1", same, ME) == ""
    other = CheckReading(live=OURS, claim=_claim("project/prod", "old-waba-1", OURS))
    assert rename_notice("waba-1", other, ME) == ""


def _read_wabas(aws: AwsDoubles, count: int) -> list[str]:
    """The WABAs Get was called for, once `count` calls reached the emulator."""
    deadline = time.monotonic() + 30
    while len(aws.emulator.calls) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return sorted(str(call.params["id"]) for call in aws.emulator.calls)


def test_the_guard_reads_the_new_wabas_at_once_and_each_check_takes_its_reading(
    aws: AwsDoubles, tmp_path: Path
) -> None:
    """The engine checks one resource at a time; the claims guard, checked first, starts
    the reads of the WABAs new to the stack, and no WABA is read twice."""
    wabas = sorted(aws.emulator.link_waba(region=aws.region) for _ in range(4))
    access = {"wabaIds": wabas[:3], "region": aws.region, "profile": "", "assumeRoleArn": ""}
    with dynamic_provider(aws.env(), tmp_path / "provider.stderr") as stub:
        guard = Engine(stub, serialize_provider(StackClaimsGuardProvider()))
        destinations = Engine(stub, serialize_provider(WabaEventDestinationProvider()))
        aws.emulator.reset_calls()

        guard.check("claims-guard", access)
        assert _read_wabas(aws, 3) == wabas[:3]  # before any WABA's own check
        for waba in wabas[:3]:
            destinations.check(f"waba-{waba}", _news(aws, waba, "ours"))
        assert aws.emulator.operations() == [GET] * 3

        # A stack that had these three and adds a fourth: only the fourth is new.
        aws.emulator.reset_calls()
        guard.check("claims-guard", {**access, "wabaIds": wabas}, olds=access)
        assert _read_wabas(aws, 1) == [wabas[3]]
        destinations.check(f"waba-{wabas[3]}", _news(aws, wabas[3], "ours"))
        assert aws.emulator.operations() == [GET]
