"""verify: the pre-flight checks against SNS, KMS and IAM in moto. moto accepts things
AWS would accept too but that silently drop every event (an RSA key on a topic, a
topic policy without the grant): exactly what verify must catch."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from components.waba.preflight import (
    DeliveryContext,
    granted_actions,
    is_aws_managed_sns_key_reference,
    key_problems,
    verify_destination,
)
from components.waba.state import EventDestination
from components.waba_destination import (
    WabaDestinationError,
    WabaEventDestinationProvider,
    client_config,
)
from tests.fakes.fixtures import AwsDoubles
from tests.waba.builders import (
    confused_deputy,
    connect_instance,
    make_channel_role,
    make_key,
    make_topic,
    props,
)

provider = WabaEventDestinationProvider()


def waba_arn(aws: AwsDoubles) -> str:
    return f"arn:aws:social-messaging:{aws.region}:{aws.account}:waba/0123456789abcdef"


def problems_for(aws: AwsDoubles, arn: str, role: str = "") -> list[str]:
    return verify_destination(
        boto3.session.Session(region_name=aws.region),
        client_config(),
        EventDestination(arn, role),
        waba_arn(aws),
    )


def test_a_good_encrypted_topic_passes(aws: AwsDoubles) -> None:
    assert problems_for(aws, make_topic(aws.region, aws.account)) == []


def test_a_good_unencrypted_topic_passes(aws: AwsDoubles) -> None:
    assert problems_for(aws, make_topic(aws.region, aws.account, key_id=None)) == []


def test_a_good_channel_role_passes(aws: AwsDoubles) -> None:
    role = make_channel_role(aws.account, aws.region)
    assert problems_for(aws, connect_instance(aws.account, aws.region), role) == []


def test_a_fifo_topic_is_refused(aws: AwsDoubles) -> None:
    topic = make_topic(aws.region, aws.account, name="events.fifo", fifo=True)
    [problem] = problems_for(aws, topic)
    assert "FIFO" in problem and "standard topic" in problem


def test_a_missing_topic_is_refused(aws: AwsDoubles) -> None:
    topic = f"arn:aws:sns:{aws.region}:{aws.account}:never-created"
    [problem] = problems_for(aws, topic)
    assert "does not exist" in problem and topic in problem


def test_an_asymmetric_key_is_refused(aws: AwsDoubles) -> None:
    key = make_key(aws.region, aws.account, key_spec="RSA_2048")
    [problem] = problems_for(aws, make_topic(aws.region, aws.account, key_id=key))
    assert "RSA_2048" in problem and "symmetric" in problem


@pytest.mark.parametrize(
    "key_id", ["alias/aws/sns", "arn:aws:kms:eu-west-1:123456789012:alias/aws/sns"]
)
def test_the_aws_managed_sns_key_is_refused_by_alias_and_alias_arn(
    aws: AwsDoubles, key_id: str
) -> None:
    [problem] = problems_for(aws, make_topic(aws.region, aws.account, key_id=key_id))
    assert "AWS managed key" in problem and "customer managed" in problem


def test_an_aws_managed_key_is_refused_by_its_key_id() -> None:
    # moto only makes customer managed keys; DescribeKey's answer for the real one:
    metadata = {
        "KeyId": "7f4b1d2c-0000-4000-8000-000000000000",
        "Arn": "arn:aws:kms:eu-west-1:123456789012:key/7f4b1d2c-0000-4000-8000-000000000000",
        "KeyManager": "AWS",
        "KeyState": "Enabled",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "KeyUsage": "ENCRYPT_DECRYPT",
    }
    [problem] = key_problems("arn:aws:sns:eu-west-1:123456789012:t", metadata)
    assert "AWS managed key" in problem
    assert is_aws_managed_sns_key_reference("arn:aws-cn:kms:cn-north-1:1:alias/aws/sns")
    assert not is_aws_managed_sns_key_reference("alias/whatsapp-events")


def test_a_disabled_key_is_refused(aws: AwsDoubles) -> None:
    key = make_key(aws.region, aws.account)
    boto3.client("kms", region_name=aws.region).disable_key(KeyId=key.rsplit("/", 1)[1])
    [problem] = problems_for(aws, make_topic(aws.region, aws.account, key_id=key))
    assert "Disabled" in problem


def test_a_key_policy_without_the_grant_is_refused(aws: AwsDoubles) -> None:
    key = make_key(aws.region, aws.account, grant=False)
    [problem] = problems_for(aws, make_topic(aws.region, aws.account, key_id=key))
    assert "key policy" in problem
    assert "kms:GenerateDataKey and kms:Decrypt" in problem
    statement = json.loads(problem.split("add this statement to the key policy: ")[1])
    assert statement["Principal"] == {"Service": "social-messaging.amazonaws.com"}
    assert statement["Condition"] == confused_deputy(aws.account, aws.region)


def test_a_key_policy_granting_another_account_is_refused(aws: AwsDoubles) -> None:
    key = make_key(aws.region, "999999999999")  # grant conditioned on another account
    [problem] = problems_for(aws, make_topic(aws.region, aws.account, key_id=key))
    assert "does not let social-messaging.amazonaws.com" in problem


def test_a_topic_policy_without_the_grant_is_refused(aws: AwsDoubles) -> None:
    topic = make_topic(aws.region, aws.account, grant=False)
    [problem] = problems_for(aws, topic)
    assert "topic policy" in problem and "sns:Publish" in problem
    statement = json.loads(problem.split("add this statement to the topic policy: ")[1])
    assert statement["Resource"] == topic


def test_a_role_without_trust_is_refused(aws: AwsDoubles) -> None:
    role = make_channel_role(aws.account, aws.region, trust=False)
    [problem] = problems_for(aws, connect_instance(aws.account, aws.region), role)
    assert "does not trust social-messaging.amazonaws.com" in problem
    assert "sts:AssumeRole" in problem


def test_a_missing_role_is_refused(aws: AwsDoubles) -> None:
    role = f"arn:aws:iam::{aws.account}:role/never-created"
    [problem] = problems_for(aws, connect_instance(aws.account, aws.region), role)
    assert "does not exist" in problem


def test_a_role_without_the_integration_event_permission_is_refused(aws: AwsDoubles) -> None:
    role = make_channel_role(aws.account, aws.region)
    boto3.client("iam").delete_role_policy(RoleName="whatsapp-channel", PolicyName="channel")
    [problem] = problems_for(aws, connect_instance(aws.account, aws.region), role)
    assert "connect:SendIntegrationEvent" in problem


def test_create_with_a_refused_destination_never_writes(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    topic = make_topic(aws.region, aws.account, grant=False)

    with pytest.raises(WabaDestinationError) as refused:
        provider.create(props(waba, topic, aws.region))

    assert "would not receive the events" in str(refused.value)
    assert "verify to false" in str(refused.value)
    assert aws.emulator.operations() == ["GetLinkedWhatsAppBusinessAccount", "ListTagsForResource"]
    assert aws.emulator.destination(waba) is None


def test_update_to_a_refused_destination_never_writes(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    good = make_topic(aws.region, aws.account)
    state = provider.create(props(waba, good, aws.region)).outs
    assert state is not None
    bad = make_topic(aws.region, aws.account, name="unencrypted-no-grant", grant=False)

    with pytest.raises(WabaDestinationError):
        provider.update(state["wabaArn"], state, props(waba, bad, aws.region))

    assert aws.emulator.destination(waba) == {"eventDestinationArn": good}


def test_verify_false_skips_the_checks(aws: AwsDoubles) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    topic = make_topic(aws.region, aws.account, grant=False)

    provider.create(props(waba, topic, aws.region, verify=False))

    assert aws.emulator.destination(waba) == {"eventDestinationArn": topic}


def test_denies_and_conditions_are_evaluated() -> None:
    context = DeliveryContext.from_waba_arn(
        "arn:aws:social-messaging:eu-west-1:123456789012:waba/0a"
    ).condition_values()
    allow = {
        "Effect": "Allow",
        "Principal": {"Service": "social-messaging.amazonaws.com"},
        "Action": "sns:*",
        "Resource": "*",
    }
    deny = {**allow, "Effect": "Deny", "Action": "sns:Publish"}
    other_waba = {
        **allow,
        "Condition": {
            "ArnEquals": {"aws:SourceArn": "arn:aws:social-messaging:eu-west-1:1:waba/x"}
        },
    }
    assert granted_actions({"Statement": [allow]}, ["sns:Publish"], context, "t") == {"sns:Publish"}
    assert granted_actions({"Statement": [allow, deny]}, ["sns:Publish"], context, "t") == set()
    assert granted_actions({"Statement": other_waba}, ["sns:Publish"], context, "t") == set()


def test_a_topic_policy_that_is_not_json_fails_verify(aws: AwsDoubles) -> None:
    # SNS refuses to store such a policy; an answer carrying one must still not crash.
    topic = make_topic(aws.region, aws.account, key_id=None)
    session = boto3.session.Session(region_name=aws.region)

    def garble(parsed: dict[str, Any], **_: Any) -> None:
        parsed["Attributes"]["Policy"] = '{"Statement": [}'

    session.events.register("after-call.sns.GetTopicAttributes", garble)

    [problem] = verify_destination(session, client_config(), EventDestination(topic), waba_arn(aws))
    assert f"the topic policy of {topic} is not valid JSON" in problem


def test_a_key_policy_that_is_not_json_fails_create_without_writing(aws: AwsDoubles) -> None:
    key = boto3.client("kms", region_name=aws.region).create_key(Policy="{not json")
    key_arn = key["KeyMetadata"]["Arn"]
    topic = make_topic(aws.region, aws.account, key_id=key_arn)
    waba = aws.emulator.link_waba(region=aws.region)

    with pytest.raises(WabaDestinationError) as refused:
        provider.create(props(waba, topic, aws.region))

    message = str(refused.value)
    assert f"the key policy of KMS key {key_arn} is not valid JSON" in message
    assert "would not receive the events" in message
    assert aws.emulator.destination(waba) is None
    assert aws.emulator.operations() == ["GetLinkedWhatsAppBusinessAccount", "ListTagsForResource"]


def test_a_trust_policy_that_is_not_json_fails_verify(aws: AwsDoubles) -> None:
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="garbled", AssumeRolePolicyDocument="{not json")["Role"]
    iam.put_role_policy(
        RoleName="garbled",
        PolicyName="channel",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "connect:SendIntegrationEvent", "Resource": "*"}
                ],
            }
        ),
    )

    [problem] = problems_for(aws, connect_instance(aws.account, aws.region), role["Arn"])
    assert f"the trust policy of role {role['Arn']} is not valid JSON" in problem
