"""The provider acts with the same identity as the stack's aws provider (standard
chain, profile, assumed role) and never keeps or serialises credentials."""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.waba_destination import WabaDestinationError, WabaEventDestinationProvider
from tests.fakes.fixtures import ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, AwsDoubles
from tests.waba.builders import make_topic, props

PROFILE_KEY_ID = "AKIAFAKEPROFILE9K3M"
PROFILE_SECRET = "fake-profile-secret-Qw3Er5Ty7Ui9Op1As3Df5Gh7"


def write_profile(aws: AwsDoubles, monkeypatch: pytest.MonkeyPatch) -> None:
    credentials = aws.config_file.parent / "profile-credentials"
    credentials.write_text(
        "[deployer]\n"
        f"aws_access_key_id = {PROFILE_KEY_ID}\n"
        f"aws_secret_access_key = {PROFILE_SECRET}\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))


def test_the_standard_chain_is_used_by_default(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    provider = WabaEventDestinationProvider()
    provider.create(props(waba, make_topic(aws.region, aws.account), aws.region))
    assert {call.access_key_id for call in aws.emulator.calls} == {ACCESS_KEY_ID}


def test_a_profile_is_used_when_set(aws: AwsDoubles, monkeypatch: pytest.MonkeyPatch) -> None:
    write_profile(aws, monkeypatch)
    waba = aws.emulator.link_waba(region=aws.region)
    provider = WabaEventDestinationProvider()

    provider.create(
        props(waba, make_topic(aws.region, aws.account), aws.region, profile="deployer")
    )

    assert {call.access_key_id for call in aws.emulator.calls} == {PROFILE_KEY_ID}


def test_an_unknown_profile_is_a_clear_error(aws: AwsDoubles) -> None:
    with pytest.raises(WabaDestinationError) as failed:
        WabaEventDestinationProvider().read(
            "", props("waba-0a", "arn:aws:sns:eu-west-1:1:t", aws.region, profile="nobody")
        )
    assert "profile: received 'nobody'" in str(failed.value)


def test_an_assumed_role_is_used_when_set(aws: AwsDoubles) -> None:
    role = boto3.client("iam").create_role(
        RoleName="deployer",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{aws.account}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    waba = aws.emulator.link_waba(region=aws.region)
    provider = WabaEventDestinationProvider()

    result = provider.create(
        props(waba, make_topic(aws.region, aws.account), aws.region, assumeRoleArn=role)
    )

    used = {call.access_key_id for call in aws.emulator.calls}
    assert ACCESS_KEY_ID not in used
    assert len(used) == 1
    assumed_key = used.pop()
    assert assumed_key.startswith("ASIA")
    assert assumed_key not in json.dumps(result.outs)


def test_no_credentials_is_a_clear_error(aws: AwsDoubles, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    with pytest.raises(WabaDestinationError) as failed:
        WabaEventDestinationProvider().read(
            "", props("waba-0a", "arn:aws:sns:eu-west-1:1:t", aws.region)
        )
    assert "no AWS credentials found" in str(failed.value)


def test_no_secret_reaches_the_serialised_provider_or_the_outputs(
    aws: AwsDoubles, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_profile(aws, monkeypatch)
    waba = aws.emulator.link_waba(region=aws.region)
    provider = WabaEventDestinationProvider()
    topic = make_topic(aws.region, aws.account)

    created = provider.create(props(waba, topic, aws.region))
    read = provider.read(created.id, {**(created.outs or {})})
    updated = provider.update(
        created.id, created.outs or {}, props(waba, topic, aws.region, profile="deployer")
    )

    serialised = serialize_provider(provider)
    state = json.dumps([created.outs, read.outs, updated.outs])
    pickled = base64.b64decode(serialised)
    for secret in (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, PROFILE_KEY_ID, PROFILE_SECRET):
        assert secret not in serialised
        assert secret.encode() not in pickled
        assert secret not in state
    # The provider pickles by reference: a class path and no instance state.
    assert pickled.count(b"components.waba_destination") == 1
    assert vars(provider) == {}
