"""Faults of the socialmessaging API: throttling, 5xx, 502 and slow answers are
retried with botocore's standard mode; what cannot be retried surfaces as one clear
message and leaves the WABA as it was."""

from __future__ import annotations

import pytest

from components.waba import client
from components.waba.client import DEFAULT_MAX_ATTEMPTS
from components.waba_destination import WabaDestinationError, WabaEventDestinationProvider
from tests.fakes.fixtures import ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, AwsDoubles
from tests.waba.builders import connect_instance, make_channel_role, make_topic, props

GET = "GetLinkedWhatsAppBusinessAccount"
PUT = "PutWhatsAppBusinessAccountEventDestinations"
provider = WabaEventDestinationProvider()


def statuses(aws: AwsDoubles, operation: str) -> list[int]:
    return [call.status for call in aws.emulator.calls if call.operation == operation]


def assert_no_credentials_in(text: str) -> None:
    for secret in (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN):
        assert secret not in text


def test_three_throttles_then_success(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    topic = make_topic(aws.region, aws.account)
    aws.emulator.inject(GET, 429, "ThrottledRequestException", times=3)
    aws.emulator.inject(PUT, 429, "ThrottledRequestException", times=3)

    provider.create(props(waba, topic, aws.region))

    assert aws.emulator.destination(waba) == {"eventDestinationArn": topic}
    # deciding read, read after the pre-flight, read before the Put, confirming read
    assert statuses(aws, GET) == [429, 429, 429, 200, 200, 200, 200]
    assert statuses(aws, PUT) == [429, 429, 429, 200]


def test_a_persistent_500_fails_clearly_and_leaves_the_destination(aws: AwsDoubles) -> None:
    theirs = make_topic(aws.region, aws.account, name="crm-events")
    waba = aws.emulator.link_waba(region=aws.region, destination=theirs)
    aws.emulator.inject(PUT, 500, "InternalServiceException", times=None)

    with pytest.raises(WabaDestinationError) as failed:
        provider.create(props(waba, make_topic(aws.region, aws.account), aws.region, takeover=True))

    message = str(failed.value)
    assert PUT in message and waba in message
    assert "InternalServiceException" in message
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
    assert_no_credentials_in(message)
    assert statuses(aws, PUT) == [500] * DEFAULT_MAX_ATTEMPTS
    assert aws.emulator.destination(waba) == {"eventDestinationArn": theirs}


def test_a_502_on_read_is_retried(aws: AwsDoubles) -> None:
    topic = make_topic(aws.region, aws.account)
    waba = aws.emulator.link_waba(region=aws.region, destination=topic)
    aws.emulator.inject(GET, 502, "DependencyException", times=1)

    refreshed = provider.read("", props(waba, topic, aws.region))

    assert refreshed.outs is not None and refreshed.outs["eventDestinationArn"] == topic
    assert statuses(aws, GET) == [502, 200]


def test_a_slow_answer_past_the_read_timeout_is_retried(
    aws: AwsDoubles, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "READ_TIMEOUT_SECONDS", 0.5)
    topic = make_topic(aws.region, aws.account)
    waba = aws.emulator.link_waba(region=aws.region, destination=topic)
    aws.emulator.inject(GET, delay=1.5, times=1)

    refreshed = provider.read("", props(waba, topic, aws.region))

    assert refreshed.outs is not None and refreshed.outs["eventDestinationArn"] == topic
    aws.emulator.wait_idle()
    assert statuses(aws, GET) == [200, 200]


def test_access_denied_names_the_permissions_including_pass_role(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    role = make_channel_role(aws.account, aws.region)
    aws.emulator.inject(PUT, 403, "AccessDeniedException", times=None)

    with pytest.raises(WabaDestinationError) as denied:
        provider.create(
            props(waba, connect_instance(aws.account, aws.region), aws.region, roleArn=role)
        )

    message = str(denied.value)
    waba_arn = aws.emulator.waba(waba).arn
    assert "AccessDeniedException" in message
    assert f"social-messaging:{PUT} on {waba_arn}" in message
    assert f"iam:PassRole on {role}" in message
    assert "iam:PassedToService = social-messaging.amazonaws.com" in message
    assert waba in message
    assert statuses(aws, PUT) == [403]  # not retried
    assert_no_credentials_in(message)
    assert aws.emulator.destination(waba) is None


def test_access_denied_on_read_names_the_read_permission_on_the_waba_arn_form(
    aws: AwsDoubles,
) -> None:
    # Only the bare id is known before the first read: the account is left for the reader.
    waba = aws.emulator.link_waba(region=aws.region)
    aws.emulator.inject(GET, 403, "AccessDeniedException", times=None)

    with pytest.raises(WabaDestinationError) as denied:
        provider.read("", props(waba, make_topic(aws.region, aws.account), aws.region))

    hex_id = waba.removeprefix("waba-")
    resource = f"arn:aws:social-messaging:{aws.region}:<account>:waba/{hex_id}"
    assert f"social-messaging:{GET} on {resource}." in str(denied.value)
    assert "iam:PassRole" not in str(denied.value)


def test_access_denied_names_the_waba_arn_given_as_wabaId(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    waba_arn = aws.emulator.waba(waba).arn
    aws.emulator.inject(GET, 403, "AccessDeniedException", times=None)

    with pytest.raises(WabaDestinationError) as denied:
        provider.create(props(waba_arn, make_topic(aws.region, aws.account), aws.region))

    assert f"social-messaging:{GET} on {waba_arn}." in str(denied.value)


def test_access_denied_on_delete_names_the_waba_arn_from_state(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    state = provider.create(props(waba, make_topic(aws.region, aws.account), aws.region)).outs
    assert state is not None
    aws.emulator.inject(GET, 403, "AccessDeniedException", times=None)

    with pytest.raises(WabaDestinationError) as denied:
        provider.delete(state["wabaArn"], state)

    assert f"social-messaging:{GET} on {aws.emulator.waba(waba).arn}." in str(denied.value)
    assert_no_credentials_in(str(denied.value))


def test_an_unreachable_endpoint_is_one_clear_message(
    aws: AwsDoubles, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SOCIALMESSAGING", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")

    with pytest.raises(WabaDestinationError) as failed:
        provider.read("", props("waba-0a1b", "arn:aws:sns:eu-west-1:1:t", aws.region))

    assert "GetLinkedWhatsAppBusinessAccount for WABA waba-0a1b" in str(failed.value)
    assert "127.0.0.1:9" in str(failed.value)
