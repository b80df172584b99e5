"""The stack's claims guard: after an interrupted `up`, a WABA destination whose Create
was in flight is not in state and `pulumi destroy` never calls its Delete; the guard,
deleted after every WABA destination and before the topic, gives back each claim of
this stack that is still on a WABA. Driven in-process against the emulator; the real
CLI's interruptions are in tests/e2e/test_interrupt_recovery.py."""

from __future__ import annotations

from typing import Any

import pytest

from components.waba.claim import Identity, Previous, claim_for
from components.waba.client import WabaDestinationError
from components.waba.state import EventDestination
from components.waba.sweep import GUARD_TYPE, StackClaimsGuardProvider
from destination_review.render import WABA_DESTINATION_TYPE
from tests.conftest import RenderFn
from tests.fakes.fixtures import AwsDoubles
from tests.waba.builders import make_topic, props
from tests.waba.steps import provider

guard = StackClaimsGuardProvider()


def _guard_props(aws: AwsDoubles, *wabas: str, stack: str = "dev") -> dict[str, Any]:
    return {
        "wabaIds": list(wabas),
        "region": aws.region,
        "profile": "",
        "assumeRoleArn": "",
        "ownerProject": "social-messaging-destinations",
        "ownerStack": stack,
    }


def _pending_create(aws: AwsDoubles, waba: str, topic: str, **more: Any) -> None:
    """A create that wrote the WABA, whose resource never reached state."""
    provider.create(props(waba, topic, aws.region, verify=False, **more))


def test_destroy_after_an_interrupted_up_puts_back_what_the_waba_had(aws: AwsDoubles) -> None:
    console = make_topic(aws.region, aws.account, name="console")
    ours = make_topic(aws.region, aws.account, name="ours")
    taken = aws.emulator.link_waba(region=aws.region, destination=console)
    empty = aws.emulator.link_waba(region=aws.region)
    _pending_create(aws, taken, ours, takeover=True)
    _pending_create(aws, empty, ours)

    guard.delete("guard", _guard_props(aws, taken, empty))

    assert aws.emulator.destination(taken) == {"eventDestinationArn": console}
    assert aws.emulator.destination(empty) is None
    assert aws.emulator.tags(taken) == {} and aws.emulator.tags(empty) == {}


def test_the_claim_a_takeover_replaced_comes_back_with_its_destination(aws: AwsDoubles) -> None:
    crm = make_topic(aws.region, aws.account, name="crm")
    ours = make_topic(aws.region, aws.account, name="ours")
    waba = aws.emulator.link_waba(region=aws.region)
    _pending_create(aws, waba, crm, ownerStack="crm")  # another stack's, in its state
    crm_tags = aws.emulator.tags(waba)
    _pending_create(aws, waba, ours, takeover=True)

    guard.delete("guard", _guard_props(aws, waba))

    assert aws.emulator.destination(waba) == {"eventDestinationArn": crm}
    assert aws.emulator.tags(waba) == crm_tags


def test_a_claim_whose_put_never_landed_is_removed_and_other_stacks_are_left(
    aws: AwsDoubles,
) -> None:
    ours = EventDestination(make_topic(aws.region, aws.account, name="ours"))
    theirs = make_topic(aws.region, aws.account, name="theirs")
    stale = aws.emulator.link_waba(region=aws.region)
    other = aws.emulator.link_waba(region=aws.region, destination=theirs)
    me = Identity("social-messaging-destinations", "dev", "events-waba")
    aws.emulator.set_tags(stale, claim_for(me, "t-1", ours, Previous()).to_tags())
    prod = Identity("social-messaging-destinations", "prod", "events-waba")
    prod_tags = claim_for(prod, "t-2", EventDestination(theirs), Previous()).to_tags()
    aws.emulator.set_tags(other, prod_tags)

    guard.delete("guard", _guard_props(aws, stale, other))

    assert aws.emulator.tags(stale) == {} and aws.emulator.destination(stale) is None
    assert aws.emulator.tags(other) == prod_tags
    assert aws.emulator.destination(other) == {"eventDestinationArn": theirs}


def test_a_guard_that_cannot_give_a_claim_back_stops_the_destroy_naming_pulumi_up(
    aws: AwsDoubles,
) -> None:
    ours = make_topic(aws.region, aws.account, name="ours")
    waba = aws.emulator.link_waba(region=aws.region)
    _pending_create(aws, waba, ours)
    aws.emulator.inject("PutWhatsAppBusinessAccountEventDestinations", 403, "AccessDeniedException")

    with pytest.raises(WabaDestinationError) as refused:
        guard.delete("guard", {**_guard_props(aws, waba)})

    message = str(refused.value)
    assert message.index("Run `pulumi up` first") > 0 and waba in message
    assert aws.emulator.destination(waba) == {"eventDestinationArn": ours}


def test_every_waba_destination_depends_on_the_guard_and_the_guard_on_the_topic(
    run_program: RenderFn,
) -> None:
    from tests.test_program import TARGET, stack_config

    rendering = run_program(stack_config("dev"), stack="dev", preview=False, target=TARGET)

    (guard_resource,) = rendering.of_type(GUARD_TYPE)
    topic_parts = {r.urn for r in rendering.resources if r.custom and r.type.startswith("aws:")}
    assert topic_parts and topic_parts <= set(guard_resource.dependencies)
    for destination in rendering.of_type(WABA_DESTINATION_TYPE):
        assert guard_resource.urn in destination.dependencies
    assert guard_resource.inputs["wabaIds"] == [
        d.inputs["wabaId"] for d in rendering.of_type(WABA_DESTINATION_TYPE)
    ]
