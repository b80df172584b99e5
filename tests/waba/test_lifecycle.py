"""Create, adopt, refuse, take over, update, refresh and delete a WABA's event
destination against the socialmessaging emulator over real HTTP, counting the calls
that reach the service."""

from __future__ import annotations

import pytest

from components.waba_destination import WabaDestinationError
from tests.fakes.fixtures import AwsDoubles
from tests.waba.builders import connect_instance, make_channel_role, make_topic, props
from tests.waba.steps import GET, LIST, PUT, TAG, UNTAG, created, provider


def test_create_writes_the_destination_and_confirms_it(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(name="Acme Support", region=aws.region)
    topic = make_topic(aws.region, aws.account)

    result = provider.create(props(waba, topic, aws.region))

    live = aws.emulator.waba(waba)
    assert aws.emulator.destination(waba) == {"eventDestinationArn": topic}
    assert result.id == live.arn
    assert result.outs is not None
    assert result.outs["wabaArn"] == live.arn
    assert result.outs["wabaName"] == "Acme Support"
    assert result.outs["registrationStatus"] == "COMPLETE"
    assert result.outs["previousEventDestinationArn"] == ""
    assert result.outs["adopted"] is False
    assert result.outs["appliedEventDestinationArn"] == topic
    assert result.outs["appliedRoleArn"] == ""
    assert result.outs["ownership"] == "created" and result.outs["notice"] == ""
    # The claim is written before the destination, so our value never sits unclaimed;
    # the WABA is read again after the pre-flight, just before the Put and after it.
    assert aws.emulator.operations() == [GET, LIST, GET, LIST, TAG, GET, LIST, PUT, GET, LIST]
    assert aws.emulator.tags(waba)["pulumi:waba-destination:token"] == result.outs["claimToken"]


def test_create_for_connect_passes_the_channel_role(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    role = make_channel_role(aws.account, aws.region)
    instance = connect_instance(aws.account, aws.region)

    result = provider.create(props(waba, instance, aws.region, roleArn=role))

    assert aws.emulator.destination(waba) == {"eventDestinationArn": instance, "roleArn": role}
    assert result.outs is not None and result.outs["roleArn"] == role
    assert result.outs["appliedRoleArn"] == role


def test_create_adopts_the_same_destination_without_writing(aws: AwsDoubles) -> None:
    topic = make_topic(aws.region, aws.account)
    waba = aws.emulator.link_waba(region=aws.region, destination=topic)

    result = provider.create(props(waba, topic, aws.region))

    assert result.outs is not None
    assert result.outs["adopted"] is True
    assert result.outs["previousEventDestinationArn"] == topic
    assert result.outs["ownership"] == "adopted"
    assert result.outs["appliedEventDestinationArn"] == ""
    assert "adopted without writing" in result.outs["notice"]
    assert aws.emulator.operations() == [GET, LIST]
    assert aws.emulator.tags(waba) == {}


def test_create_refuses_to_replace_another_destination_without_takeover(
    aws: AwsDoubles,
) -> None:
    theirs = make_topic(aws.region, aws.account, name="crm-events")
    ours = make_topic(aws.region, aws.account)
    waba = aws.emulator.link_waba(region=aws.region, destination=theirs)

    with pytest.raises(WabaDestinationError) as refused:
        provider.create(props(waba, ours, aws.region))

    assert theirs in str(refused.value)
    assert "takeover" in str(refused.value)
    assert aws.emulator.destination(waba) == {"eventDestinationArn": theirs}
    assert PUT not in aws.emulator.operations()


def test_takeover_replaces_and_delete_puts_the_previous_destination_back(
    aws: AwsDoubles, logs: list[tuple[str, str]]
) -> None:
    theirs = make_topic(aws.region, aws.account, name="crm-events")
    ours = make_topic(aws.region, aws.account)
    waba = aws.emulator.link_waba(region=aws.region, destination=theirs)

    state = created(aws, waba, ours, takeover=True)
    assert aws.emulator.destination(waba) == {"eventDestinationArn": ours}
    assert state["previousEventDestinationArn"] == theirs
    assert state["ownership"] == "taken-over"
    assert theirs in state["notice"] and "puts it back" in state["notice"]

    provider.delete(state["wabaArn"], state)

    assert aws.emulator.destination(waba) == {"eventDestinationArn": theirs}
    assert aws.emulator.operations() == [GET, LIST, PUT, UNTAG]
    assert aws.emulator.tags(waba) == {}
    assert any(level == "info" and theirs in msg for level, msg in logs)


def test_update_reads_the_waba_then_puts_the_new_destination(aws: AwsDoubles) -> None:
    # Get and the claim before Put, no read back: the reads are what refuse to
    # overwrite a destination someone else set since (test_ownership).
    waba = aws.emulator.link_waba(region=aws.region)
    first = make_topic(aws.region, aws.account)
    second = make_topic(aws.region, aws.account, name="whatsapp-events-v2")
    state = created(aws, waba, first)

    news = props(waba, second, aws.region)
    assert provider.diff(state["wabaArn"], state, news).replaces == []
    result = provider.update(state["wabaArn"], state, news)

    assert aws.emulator.destination(waba) == {"eventDestinationArn": second}
    assert result.outs is not None
    assert result.outs["eventDestinationArn"] == second
    assert result.outs["appliedEventDestinationArn"] == second
    assert result.outs["previousEventDestinationArn"] == ""
    assert aws.emulator.operations() == [GET, LIST, GET, LIST, TAG, GET, LIST, PUT, GET, LIST]


def test_update_of_settings_alone_makes_no_call(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    topic = make_topic(aws.region, aws.account)
    state = created(aws, waba, topic)
    news = props(waba, topic, aws.region, takeover=True, verify=False)

    diff = provider.diff(state["wabaArn"], state, news)
    result = provider.update(state["wabaArn"], state, news)

    assert diff.changes is True and diff.replaces == []
    assert result.outs is not None
    assert result.outs["takeover"] is True and result.outs["verify"] is False
    assert result.outs["wabaArn"] == state["wabaArn"]
    assert result.outs["appliedEventDestinationArn"] == topic
    assert aws.emulator.operations() == []


def test_refresh_reports_an_out_of_band_change_as_drift(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    ours = make_topic(aws.region, aws.account)
    state = created(aws, waba, ours)
    someone_elses = make_topic(aws.region, aws.account, name="console-change")
    aws.emulator.set_destination(waba, someone_elses)

    refreshed = provider.read(state["wabaArn"], state)

    assert refreshed.id == state["wabaArn"]
    assert refreshed.outs is not None
    assert refreshed.outs["eventDestinationArn"] == someone_elses
    assert refreshed.outs["previousEventDestinationArn"] == ""
    # What this resource set stays on record: delete must not take theirs for ours.
    assert refreshed.outs["appliedEventDestinationArn"] == ours
    assert "destroying this resource leaves it alone" in refreshed.outs["notice"]
    assert aws.emulator.operations() == [GET, LIST]
    diff = provider.diff(state["wabaArn"], refreshed.outs, props(waba, ours, aws.region))
    assert diff.changes is True and diff.replaces == []


def test_refresh_of_a_cleared_destination_reports_none(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    state = created(aws, waba, make_topic(aws.region, aws.account))
    aws.emulator.set_destination(waba, None)

    refreshed = provider.read(state["wabaArn"], state)

    assert refreshed.outs is not None and refreshed.outs["eventDestinationArn"] == ""


def test_delete_clears_a_destination_this_resource_set(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    state = created(aws, waba, make_topic(aws.region, aws.account))

    provider.delete(state["wabaArn"], state)

    assert aws.emulator.destination(waba) is None
    assert aws.emulator.operations() == [GET, LIST, PUT, UNTAG]
    # Once in state, the WABA is addressed by the ARN AWS reported.
    assert aws.emulator.calls[2].params == {"id": state["wabaArn"], "eventDestinations": []}
    assert aws.emulator.tags(waba) == {}
    # The WABA stays linked: delete never disassociates it.
    assert aws.emulator.waba(waba).id == waba


def test_delete_leaves_a_destination_someone_else_changed(
    aws: AwsDoubles, logs: list[tuple[str, str]]
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    state = created(aws, waba, make_topic(aws.region, aws.account))
    theirs = make_topic(aws.region, aws.account, name="crm-events")
    aws.emulator.set_destination(waba, theirs)

    provider.delete(state["wabaArn"], state)

    assert aws.emulator.destination(waba) == {"eventDestinationArn": theirs}
    # Its own claim, which no longer names what the WABA sends to, goes with it.
    assert aws.emulator.operations() == [GET, LIST, UNTAG]
    assert not aws.emulator.tags(waba)
    assert any(level == "warn" and theirs in msg and "left" in msg for level, msg in logs)


def test_delete_leaves_an_adopted_destination(aws: AwsDoubles, logs: list[tuple[str, str]]) -> None:
    topic = make_topic(aws.region, aws.account)
    waba = aws.emulator.link_waba(region=aws.region, destination=topic)
    state = created(aws, waba, topic)

    provider.delete(state["wabaArn"], state)

    assert aws.emulator.destination(waba) == {"eventDestinationArn": topic}
    assert aws.emulator.operations() == [GET, LIST]
    assert any("adopted" in msg for _, msg in logs)


def test_adopted_then_changed_needs_takeover_then_is_restored_on_delete(aws: AwsDoubles) -> None:
    original = make_topic(aws.region, aws.account)
    waba = aws.emulator.link_waba(region=aws.region, destination=original)
    state = created(aws, waba, original)
    newer = make_topic(aws.region, aws.account, name="whatsapp-events-v2")
    with pytest.raises(WabaDestinationError, match="takeover"):
        provider.update(state["wabaArn"], state, props(waba, newer, aws.region))
    assert aws.emulator.destination(waba) == {"eventDestinationArn": original}

    news = props(waba, newer, aws.region, takeover=True)
    updated = provider.update(state["wabaArn"], state, news).outs
    assert updated is not None and updated["ownership"] == "taken-over"

    provider.delete(state["wabaArn"], updated)

    assert aws.emulator.destination(waba) == {"eventDestinationArn": original}


def test_a_waba_that_is_no_longer_linked(aws: AwsDoubles, logs: list[tuple[str, str]]) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    topic = make_topic(aws.region, aws.account)
    state = created(aws, waba, topic)
    aws.emulator.unlink(waba)

    refreshed = provider.read(state["wabaArn"], state)
    assert refreshed.id == ""

    provider.delete(state["wabaArn"], state)
    # A not-found is read twice before anything is concluded from it.
    assert aws.emulator.operations() == [GET, GET, GET, GET]
    assert any("no longer linked" in msg for _, msg in logs)

    with pytest.raises(WabaDestinationError) as refused:
        provider.create(props(waba, topic, aws.region))
    assert "ResourceNotFoundException" in str(refused.value)
    assert "link it" in str(refused.value)


def test_create_refuses_a_topic_in_another_account_than_the_live_waba(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region, account="210987654321")
    topic = make_topic(aws.region, aws.account)

    with pytest.raises(WabaDestinationError) as refused:
        provider.create(props(waba, topic, aws.region))

    assert "210987654321" in str(refused.value)
    assert aws.emulator.operations() == [GET, LIST]


def test_a_waba_is_only_found_in_its_region(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region="eu-central-1")

    with pytest.raises(WabaDestinationError) as refused:
        provider.create(props(waba, make_topic(aws.region, aws.account), aws.region))

    assert "eu-west-1" in str(refused.value)
    assert "region" in str(refused.value)


def test_get_by_id_alone_reads_the_region_from_the_arn(aws: AwsDoubles) -> None:
    topic = make_topic(aws.region, aws.account)
    waba = aws.emulator.link_waba(region=aws.region, destination=topic)
    arn = aws.emulator.waba(waba).arn

    found = provider.read(arn, {})

    assert found.id == arn
    assert found.outs is not None
    assert found.outs["eventDestinationArn"] == topic
    assert found.outs["region"] == aws.region
