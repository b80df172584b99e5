"""A destination someone else set is never cleared or overwritten by this resource
without takeover: not after a refresh, an import, an adoption, an update, a write whose
confirming read failed, or a restore that fails. Each test drives the provider through
the steps of a stack's life and looks at the WABA's live destination in the emulator
after each one, as its owner would."""

from __future__ import annotations

import pytest

from components.waba_destination import WabaDestinationError
from tests.fakes.fixtures import AwsDoubles
from tests.waba.builders import make_topic
from tests.waba.steps import (
    GET,
    LIST,
    PROVIDER,
    PUT,
    TAG,
    UNTAG,
    created,
    destroyed,
    provider,
    refreshed,
    stored,
    updated,
)

Logs = list[tuple[str, str]]


def sends_to(topic: str | None) -> dict[str, str] | None:
    return {"eventDestinationArn": topic} if topic else None


def warnings(logs: Logs) -> list[str]:
    return [message for level, message in logs if level == "warn"]


# ---- refresh, then destroy --------------------------------------------------------


def test_refresh_then_destroy_leaves_a_destination_someone_else_set(
    aws: AwsDoubles, logs: Logs
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    ours = make_topic(aws.region, aws.account, name="ours")
    theirs = make_topic(aws.region, aws.account, name="theirs")
    state = created(aws, waba, ours)
    aws.emulator.set_destination(waba, theirs)

    state = refreshed(aws, state)
    assert state["eventDestinationArn"] == theirs  # drift shows
    destroyed(state)

    assert aws.emulator.destination(waba) == sends_to(theirs)
    # Its own claim goes with it, whatever the WABA sends to now.
    assert aws.emulator.operations() == [GET, LIST, UNTAG]
    assert not aws.emulator.tags(waba)
    assert any(theirs in message and "left" in message for message in warnings(logs))


def test_refresh_then_destroy_does_not_restore_over_a_destination_someone_else_set(
    aws: AwsDoubles,
) -> None:
    original = make_topic(aws.region, aws.account, name="original")
    waba = aws.emulator.link_waba(region=aws.region, destination=original)
    ours = make_topic(aws.region, aws.account, name="ours")
    theirs = make_topic(aws.region, aws.account, name="theirs")
    state = created(aws, waba, ours, takeover=True)
    aws.emulator.set_destination(waba, theirs)

    destroyed(refreshed(aws, state))

    assert aws.emulator.destination(waba) == sends_to(theirs)


def test_refresh_without_drift_then_destroy_still_restores(aws: AwsDoubles) -> None:
    original = make_topic(aws.region, aws.account, name="original")
    waba = aws.emulator.link_waba(region=aws.region, destination=original)
    ours = make_topic(aws.region, aws.account, name="ours")
    state = created(aws, waba, ours, takeover=True)

    destroyed(refreshed(aws, state))

    assert aws.emulator.destination(waba) == sends_to(original)


def test_state_from_before_applied_was_recorded_falls_back_to_its_destination(
    aws: AwsDoubles,
) -> None:
    # Stacks deployed before appliedEventDestinationArn existed: what they set is in
    # eventDestinationArn, and a refresh must move it into applied before reporting drift.
    waba = aws.emulator.link_waba(region=aws.region)
    ours = make_topic(aws.region, aws.account, name="ours")
    theirs = make_topic(aws.region, aws.account, name="theirs")
    state = created(aws, waba, ours)
    del state["appliedEventDestinationArn"], state["appliedRoleArn"]

    untouched = dict(state)
    aws.emulator.set_destination(waba, theirs)
    state = refreshed(aws, state)
    assert state["appliedEventDestinationArn"] == ours
    destroyed(state)
    assert aws.emulator.destination(waba) == sends_to(theirs)

    aws.emulator.set_destination(waba, ours)
    destroyed(untouched)
    assert aws.emulator.destination(waba) is None


# ---- a read without state (`get`), then destroy ----------------------------------


def test_a_read_without_state_adopts_and_destroy_leaves_what_it_found(
    aws: AwsDoubles, logs: Logs
) -> None:
    theirs = make_topic(aws.region, aws.account, name="theirs")
    waba = aws.emulator.link_waba(region=aws.region, destination=theirs)
    arn = aws.emulator.waba(waba).arn

    found = provider.read(arn, dict(PROVIDER))  # `get` by id: no prior state
    state = stored(found.outs)
    assert state["adopted"] is True and state["ownership"] == "adopted"
    assert state["previousEventDestinationArn"] == theirs
    assert state["appliedEventDestinationArn"] == ""  # adoption is never recorded as applied
    destroyed(state)

    assert aws.emulator.destination(waba) == sends_to(theirs)
    assert aws.emulator.operations() == [GET, LIST, GET, LIST]
    assert any("did not set" in message for _, message in logs)


def test_a_read_without_state_then_a_change_needs_takeover_and_destroy_puts_it_back(
    aws: AwsDoubles,
) -> None:
    theirs = make_topic(aws.region, aws.account, name="theirs")
    waba = aws.emulator.link_waba(region=aws.region, destination=theirs)
    ours = make_topic(aws.region, aws.account, name="ours")
    state = stored(provider.read(aws.emulator.waba(waba).arn, dict(PROVIDER)).outs)

    with pytest.raises(WabaDestinationError, match="takeover"):
        updated(aws, state, ours)
    state = updated(aws, state, ours, takeover=True)
    assert aws.emulator.destination(waba) == sends_to(ours)
    destroyed(state)

    assert aws.emulator.destination(waba) == sends_to(theirs)


# ---- two resources on one WABA ----------------------------------------------------


def test_another_stack_adopts_and_the_notice_says_whose_it_is(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    ours = make_topic(aws.region, aws.account, name="ours")
    first = created(aws, waba, ours)

    second = created(aws, waba, ours, ownerStack="prod")

    assert second["ownership"] == "adopted"
    assert (
        "resource 'events-waba' of stack 'social-messaging-destinations/dev'" in (second["notice"])
    )
    assert "leaves it in place" in second["notice"]
    # What the notice says: the stack that set it clears it on destroy; the adopter
    # leaves the WABA as it finds it.
    destroyed(first)
    assert aws.emulator.destination(waba) is None
    destroyed(second)
    assert aws.emulator.destination(waba) is None


# ---- a write whose confirming read fails ------------------------------------------


def test_create_records_its_write_when_the_confirming_read_fails(
    aws: AwsDoubles, logs: Logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    original = make_topic(aws.region, aws.account, name="original")
    waba = aws.emulator.link_waba(region=aws.region, destination=original)
    ours = make_topic(aws.region, aws.account, name="ours")
    aws.emulator.after_next(
        PUT, lambda: aws.emulator.inject(GET, 500, "InternalServiceException", times=None)
    )

    state = created(aws, waba, ours, takeover=True)

    assert aws.emulator.destination(waba) == sends_to(ours)
    assert state["previousEventDestinationArn"] == original
    assert state["appliedEventDestinationArn"] == ours
    assert "the read after it failed" in state["notice"] and ours in state["notice"]
    aws.emulator.clear_faults()
    destroyed(state)
    assert aws.emulator.destination(waba) == sends_to(original)


def test_create_fails_and_leaves_the_waba_when_someone_writes_before_the_confirming_read(
    aws: AwsDoubles,
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    ours = make_topic(aws.region, aws.account, name="ours")
    theirs = make_topic(aws.region, aws.account, name="theirs")
    aws.emulator.after_next(PUT, lambda: aws.emulator.set_destination(waba, theirs))

    with pytest.raises(WabaDestinationError) as raced:
        created(aws, waba, ours)

    message = str(raced.value)
    assert f"our PutWhatsAppBusinessAccountEventDestinations of {ours} succeeded" in message
    assert f"now sends its events to {theirs}" in message
    assert "left as it is now" in message
    assert aws.emulator.destination(waba) == sends_to(theirs)
    assert aws.emulator.operations() == [
        GET,
        LIST,
        GET,
        LIST,
        TAG,
        GET,
        LIST,
        PUT,
        GET,
        LIST,
        UNTAG,
    ]
    assert not aws.emulator.tags(waba)  # no claim left naming what is not there


def test_update_does_not_depend_on_a_read_after_its_write(
    aws: AwsDoubles, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    waba = aws.emulator.link_waba(region=aws.region)
    first = make_topic(aws.region, aws.account, name="first")
    second = make_topic(aws.region, aws.account, name="second")
    state = created(aws, waba, first)
    aws.emulator.after_next(
        PUT, lambda: aws.emulator.inject(GET, 500, "InternalServiceException", times=None)
    )

    state = updated(aws, state, second)

    assert aws.emulator.destination(waba) == sends_to(second)
    assert state["appliedEventDestinationArn"] == second
    assert aws.emulator.operations() == [GET, LIST, GET, LIST, TAG, GET, LIST, PUT, GET, GET]
    aws.emulator.clear_faults()
    destroyed(state)
    assert aws.emulator.destination(waba) is None


# ---- update over a destination someone else set ----------------------------------


def test_update_refuses_to_overwrite_a_destination_someone_else_set(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    first = make_topic(aws.region, aws.account, name="first")
    second = make_topic(aws.region, aws.account, name="second")
    theirs = make_topic(aws.region, aws.account, name="theirs")
    state = created(aws, waba, first)
    aws.emulator.set_destination(waba, theirs)

    with pytest.raises(WabaDestinationError) as refused:
        updated(aws, state, second)

    message = str(refused.value)
    assert f"now sends its events to {theirs}" in message and first in message
    assert "takeover" in message and "adopts it" in message
    assert aws.emulator.destination(waba) == sends_to(theirs)
    assert aws.emulator.operations() == [GET, LIST]


def test_up_after_a_refresh_that_shows_drift_needs_takeover(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    ours = make_topic(aws.region, aws.account, name="ours")
    theirs = make_topic(aws.region, aws.account, name="theirs")
    state = refreshed(aws, created(aws, waba, ours))
    aws.emulator.set_destination(waba, theirs)
    state = refreshed(aws, state)

    with pytest.raises(WabaDestinationError, match="takeover"):
        updated(aws, state, ours)
    assert aws.emulator.destination(waba) == sends_to(theirs)

    state = updated(aws, state, ours, takeover=True)
    assert aws.emulator.destination(waba) == sends_to(ours)
    assert aws.emulator.operations()[-3:] == [PUT, GET, LIST]


def test_update_with_takeover_keeps_the_previous_destination_of_the_first_write(
    aws: AwsDoubles, logs: Logs
) -> None:
    original = make_topic(aws.region, aws.account, name="original")
    waba = aws.emulator.link_waba(region=aws.region, destination=original)
    first = make_topic(aws.region, aws.account, name="first")
    second = make_topic(aws.region, aws.account, name="second")
    theirs = make_topic(aws.region, aws.account, name="theirs")
    state = created(aws, waba, first, takeover=True)
    aws.emulator.set_destination(waba, theirs)

    state = updated(aws, state, second, takeover=True)

    assert aws.emulator.destination(waba) == sends_to(second)
    assert state["previousEventDestinationArn"] == original
    assert theirs in state["notice"] and "not put back" in state["notice"]
    destroyed(state)
    assert aws.emulator.destination(waba) == sends_to(original)


def test_update_writes_over_a_destination_someone_cleared(aws: AwsDoubles) -> None:
    # An empty WABA cuts nobody off, as in create.
    waba = aws.emulator.link_waba(region=aws.region)
    first = make_topic(aws.region, aws.account, name="first")
    second = make_topic(aws.region, aws.account, name="second")
    state = created(aws, waba, first)
    aws.emulator.set_destination(waba, None)

    updated(aws, state, second)

    assert aws.emulator.destination(waba) == sends_to(second)


# ---- a restore that fails ---------------------------------------------------------


def test_a_failing_restore_says_how_to_get_out_and_clears_nothing(aws: AwsDoubles) -> None:
    original = make_topic(aws.region, aws.account, name="original")
    waba = aws.emulator.link_waba(region=aws.region, destination=original)
    ours = make_topic(aws.region, aws.account, name="ours")
    state = created(aws, waba, ours, takeover=True)
    aws.emulator.inject(
        PUT,
        400,
        "InvalidParametersException",
        times=None,
        message=f"Event destination {original} does not exist",
    )

    with pytest.raises(WabaDestinationError) as stuck:
        destroyed(state)

    message = str(stuck.value)
    assert "InvalidParametersException" in message and original in message
    assert f"still sends its events to {ours}" in message
    assert (
        f"put-whatsapp-business-account-event-destinations --region {aws.region} --id {waba} "
        f"--event-destinations eventDestinationArn={original}"
    ) in message
    assert "pulumi state delete <urn>" in message
    assert aws.emulator.destination(waba) == sends_to(ours)
    # After the failed Put, one read back: the restore did not land.
    assert aws.emulator.operations() == [GET, LIST, PUT, GET]


def test_a_failing_clear_says_how_to_get_out(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    ours = make_topic(aws.region, aws.account, name="ours")
    state = created(aws, waba, ours)
    aws.emulator.inject(PUT, 400, "ValidationException", times=None)

    with pytest.raises(WabaDestinationError) as stuck:
        destroyed(state)

    message = str(stuck.value)
    assert "--event-destinations '[]'" in message and "pulumi state delete" in message
    assert aws.emulator.destination(waba) == sends_to(ours)
