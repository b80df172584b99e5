"""The socialmessaging emulator itself: it must refuse what the real service refuses
and answer in shapes boto3 parses, or the lifecycle tests prove nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.fakes.fixtures import AwsDoubles
from tests.fakes.socialmessaging import SocialMessagingEmulator, serialize_output

TOPIC = "arn:aws:sns:eu-west-1:123456789012:whatsapp-events"


def client(region: str = "eu-west-1", attempts: int = 1):
    return boto3.client(
        "socialmessaging",
        region_name=region,
        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}),
    )


def test_answers_parse_with_boto3_in_the_models_shapes(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(name="Acme", region=aws.region, destination=TOPIC)

    account = client().get_linked_whatsapp_business_account(id=waba)["account"]

    assert account["id"] == waba
    assert account["wabaName"] == "Acme"
    assert account["eventDestinations"] == [{"eventDestinationArn": TOPIC}]
    assert account["linkDate"].year == 2025  # a timestamp, parsed from epoch seconds
    assert account["phoneNumbers"][0]["phoneNumberId"].startswith("phone-number-id-")


def test_put_replaces_the_list_and_an_empty_list_clears_it(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    arn = aws.emulator.waba(waba).arn

    client().put_whatsapp_business_account_event_destinations(
        id=arn, eventDestinations=[{"eventDestinationArn": TOPIC}]
    )
    assert aws.emulator.destination(waba) == {"eventDestinationArn": TOPIC}
    client().put_whatsapp_business_account_event_destinations(id=waba, eventDestinations=[])
    assert aws.emulator.destination(waba) is None


def test_list_pages_through_the_wabas_of_the_region(aws: AwsDoubles) -> None:
    linked = {aws.emulator.link_waba(region=aws.region) for _ in range(3)}
    aws.emulator.link_waba(region="us-east-1")

    pages = client().get_paginator("list_linked_whatsapp_business_accounts")
    found = [
        account["id"]
        for page in pages.paginate(PaginationConfig={"PageSize": 2})
        for account in page["linkedAccounts"]
    ]

    assert sorted(found) == sorted(linked)


def test_a_request_that_breaks_the_model_is_refused(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    url = f"{aws.emulator.url}/v1/whatsapp/waba/eventdestinations"
    signed = {
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/eu-west-1/"
        "social-messaging/aws4_request, SignedHeaders=host, Signature=0",
        "Content-Type": "application/json",
    }
    bad_bodies = [
        {"id": waba},  # eventDestinations missing
        {"id": waba, "eventDestinations": [{"eventDestinationArn": TOPIC}] * 2},  # max 1
        {"id": waba, "eventDestinations": [{"eventDestinationArn": "not-an-arn"}]},
        {"id": waba, "eventDestinations": [{"eventDestinationArn": TOPIC, "roleArn": "role"}]},
        {"id": "12345", "eventDestinations": []},
        {"id": waba, "eventDestinations": [], "extra": 1},
    ]
    for body in bad_bodies:
        data = json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, headers=signed, method="PUT")  # noqa: S310
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)  # noqa: S310 (loopback)
        assert refused.value.code == 400, body
        assert refused.value.headers["x-amzn-ErrorType"] == "ValidationException"
    assert aws.emulator.destination(waba) is None


def test_unsigned_requests_and_unknown_wabas_are_refused(aws: AwsDoubles) -> None:
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(  # noqa: S310 (loopback)
            f"{aws.emulator.url}/v1/whatsapp/waba/details?id=waba-0a", timeout=5
        )
    assert unsigned.value.code == 403

    with pytest.raises(ClientError) as missing:
        client().get_linked_whatsapp_business_account(id="waba-0a1b2c")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_faults_are_injected_counted_and_run_out(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    aws.emulator.inject("GetLinkedWhatsAppBusinessAccount", 502, "DependencyException", times=2)

    for _ in range(2):
        with pytest.raises(ClientError) as failed:
            client().get_linked_whatsapp_business_account(id=waba)
        assert failed.value.response["Error"]["Code"] == "DependencyException"
    client().get_linked_whatsapp_business_account(id=waba)

    assert [call.status for call in aws.emulator.calls] == [502, 502, 200]
    assert {call.access_key_id for call in aws.emulator.calls} == {"AKIAFAKEDEPLOYER7Q2Z"}


def test_after_next_lands_between_a_successful_answer_and_the_next_call(
    aws: AwsDoubles,
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    other = TOPIC.replace("whatsapp-events", "other")
    aws.emulator.inject("PutWhatsAppBusinessAccountEventDestinations", 500, "X", times=1)
    aws.emulator.after_next(
        "PutWhatsAppBusinessAccountEventDestinations",
        lambda: aws.emulator.set_destination(waba, other),
    )
    put = client(attempts=2).put_whatsapp_business_account_event_destinations

    put(id=waba, eventDestinations=[{"eventDestinationArn": TOPIC}])  # 500, then 200
    assert aws.emulator.destination(waba) == {"eventDestinationArn": other}
    put(id=waba, eventDestinations=[{"eventDestinationArn": TOPIC}])  # runs only once
    assert aws.emulator.destination(waba) == {"eventDestinationArn": TOPIC}


def test_answers_missing_a_required_member_are_caught() -> None:
    emulator = SocialMessagingEmulator()
    shape = emulator._model.operation_model("GetLinkedWhatsAppBusinessAccount").output_shape
    with pytest.raises(AssertionError, match="lacks required"):
        serialize_output(shape, {"account": {"id": "waba-1"}})


def test_tags_on_a_waba_arn_are_set_listed_and_removed_as_the_model_says(
    aws: AwsDoubles,
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    arn = aws.emulator.waba(waba).arn
    api = client()

    api.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "messaging"}])
    listed = api.list_tags_for_resource(resourceArn=arn)["tags"]
    api.untag_resource(resourceArn=arn, tagKeys=["team"])

    assert listed == [{"key": "team", "value": "messaging"}]
    assert api.list_tags_for_resource(resourceArn=arn)["tags"] == []
    with pytest.raises(ClientError) as too_long:  # TagValueString: at most 256 characters
        api.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "x" * 257}])
    assert too_long.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as missing:
        api.list_tags_for_resource(resourceArn=arn.replace(arn[-4:], "0000"))
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_lost_answer_takes_effect_and_fails(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    aws.emulator.inject(
        "PutWhatsAppBusinessAccountEventDestinations", 500, "InternalServiceException", lost=True
    )

    with pytest.raises(ClientError):
        client().put_whatsapp_business_account_event_destinations(
            id=waba, eventDestinations=[{"eventDestinationArn": TOPIC}]
        )

    assert aws.emulator.destination(waba) == {"eventDestinationArn": TOPIC}
