"""check and diff: every input validated against botocore's model and our rules, one
failure per property that says how to fix it, unknowns let through, and no AWS call."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from pulumi.output import Unknown

from components.waba.state import UNKNOWN
from components.waba.validation import plan_diff
from components.waba_destination import WabaEventDestinationProvider
from tests.fakes.fixtures import AwsDoubles
from tests.waba.builders import props

provider = WabaEventDestinationProvider()
ACCOUNT = "111122223333"
REGION = "eu-west-1"
WABA = "waba-0123456789abcdef0123456789abcdef"
WABA_ARN = f"arn:aws:social-messaging:{REGION}:{ACCOUNT}:waba/0123456789abcdef0123456789abcdef"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:whatsapp-events"
INSTANCE = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/whatsapp-channel"


def failures(**inputs: Any) -> dict[str, str]:
    result = provider.check({}, {"__provider": "serialised", **inputs})
    return {failure.property: failure.reason for failure in result.failures}


def test_valid_sns_and_connect_inputs_pass_with_defaults_filled() -> None:
    checked = provider.check({}, {"wabaId": WABA, "eventDestinationArn": TOPIC, "region": REGION})
    assert checked.failures == []
    assert checked.inputs["roleArn"] == ""
    assert checked.inputs["takeover"] is False
    assert checked.inputs["verify"] is True
    assert (
        failures(wabaId=WABA_ARN, eventDestinationArn=INSTANCE, roleArn=ROLE, region=REGION) == {}
    )


def test_missing_required_inputs_are_each_named() -> None:
    found = failures()
    assert set(found) == {"wabaId", "eventDestinationArn", "region"}
    assert all("required" in reason for reason in found.values())


def test_waba_id_is_checked_against_the_model_pattern() -> None:
    found = failures(wabaId="123456789", eventDestinationArn=TOPIC, region=REGION)
    pattern = (
        botocore.session.get_session()
        .get_service_model("socialmessaging")
        .shape_for("LinkedWhatsAppBusinessAccountId")
        .metadata["pattern"]
    )
    assert set(found) == {"wabaId"}
    assert "'123456789'" in found["wabaId"]
    assert pattern in found["wabaId"]
    assert "list-linked-whatsapp-business-accounts" in found["wabaId"]


def test_waba_id_longer_than_the_model_allows_is_refused() -> None:
    found = failures(wabaId="waba-" + "a" * 120, eventDestinationArn=TOPIC, region=REGION)
    assert "longer than 115" in found["wabaId"]


def test_a_fifo_topic_is_refused() -> None:
    found = failures(wabaId=WABA, eventDestinationArn=TOPIC + ".fifo", region=REGION)
    assert "FIFO" in found["eventDestinationArn"]
    assert "standard topic" in found["eventDestinationArn"]


def test_sns_with_a_role_is_refused_and_connect_without_one_too() -> None:
    sns = failures(wabaId=WABA, eventDestinationArn=TOPIC, roleArn=ROLE, region=REGION)
    assert set(sns) == {"roleArn"}
    assert "Remove roleArn" in sns["roleArn"]
    connect = failures(wabaId=WABA, eventDestinationArn=INSTANCE, region=REGION)
    assert set(connect) == {"roleArn"}
    assert "Set roleArn" in connect["roleArn"]


@pytest.mark.parametrize(
    ("destination", "fragment"),
    [
        (TOPIC.replace(REGION, "eu-west-2"), "Region 'eu-west-2'"),
        (TOPIC.replace(ACCOUNT, "999999999999"), "account '999999999999'"),
        (TOPIC.replace("arn:aws:", "arn:aws-cn:"), "partition 'aws-cn'"),
    ],
)
def test_a_destination_outside_the_wabas_region_account_or_partition_is_refused(
    destination: str, fragment: str
) -> None:
    found = failures(wabaId=WABA_ARN, eventDestinationArn=destination, region=REGION)
    assert set(found) == {"eventDestinationArn"}
    assert fragment in found["eventDestinationArn"]


def test_a_role_in_another_account_than_the_waba_is_refused() -> None:
    role = ROLE.replace(ACCOUNT, "999999999999")
    found = failures(wabaId=WABA_ARN, eventDestinationArn=INSTANCE, roleArn=role, region=REGION)
    assert set(found) == {"roleArn"}
    assert "account '999999999999'" in found["roleArn"]


def test_without_a_waba_arn_the_region_input_decides() -> None:
    found = failures(
        wabaId=WABA, eventDestinationArn=TOPIC.replace(REGION, "us-east-1"), region=REGION
    )
    assert "'us-east-1'" in found["eventDestinationArn"]


def test_a_region_that_contradicts_the_waba_arn_is_refused() -> None:
    found = failures(wabaId=WABA_ARN, eventDestinationArn=TOPIC, region="eu-central-1")
    assert set(found) == {"region"}
    assert f"Set region to {REGION!r}" in found["region"]


@pytest.mark.parametrize(
    ("destination", "fragment"),
    [
        (f"arn:aws:sqs:{REGION}:{ACCOUNT}:queue", "service 'sqs'"),
        (f"{TOPIC}:5e3c1f4a-0d7b-4f43-9f55-2b2b2b2b2b2b", "subscription ARN"),
        (f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/abc/queue/def", "not a Connect instance"),
        ("whatsapp-events", "does not match the service's pattern"),
    ],
)
def test_destinations_that_are_not_a_topic_or_instance_are_refused(
    destination: str, fragment: str
) -> None:
    found = failures(wabaId=WABA, eventDestinationArn=destination, region=REGION)
    assert fragment in found["eventDestinationArn"]


def test_role_arns_are_checked_against_the_model_pattern() -> None:
    found = failures(
        wabaId=WABA,
        eventDestinationArn=INSTANCE,
        roleArn=f"arn:aws:iam::{ACCOUNT}:user/someone",
        region=REGION,
        assumeRoleArn="deployer",
    )
    assert "pattern" in found["roleArn"]
    # IAM's limits come before any pattern: a role ARN is at least 20 characters.
    assert "shorter than 20 characters" in found["assumeRoleArn"]


def test_a_deployer_role_may_live_in_another_account_but_not_partition() -> None:
    other_account = "arn:aws:iam::999999999999:role/deployer"
    assert (
        failures(
            wabaId=WABA_ARN, eventDestinationArn=TOPIC, region=REGION, assumeRoleArn=other_account
        )
        == {}
    )
    found = failures(
        wabaId=WABA_ARN,
        eventDestinationArn=TOPIC,
        region=REGION,
        assumeRoleArn=other_account.replace("arn:aws:", "arn:aws-us-gov:"),
    )
    assert "partition" in found["assumeRoleArn"]


def test_types_whitespace_unknown_properties_and_static_keys_are_refused() -> None:
    found = failures(
        wabaId=WABA + " ",
        eventDestinationArn=TOPIC,
        region="Ireland",
        takeover="yes",
        accessKeyId="AKIA...",
    )
    assert "SPACE (U+0020) at position 37" in found["wabaId"]
    assert "Region code" in found["region"]
    assert "true or false" in found["takeover"]
    assert "Credentials are never inputs" in found["accessKeyId"]


@pytest.mark.parametrize("unknown", [UNKNOWN, Unknown()], ids=["sentinel", "deserialised"])
def test_values_unknown_at_preview_pass(unknown: Any) -> None:
    assert failures(wabaId=unknown, eventDestinationArn=unknown, region=REGION) == {}
    assert failures(wabaId=WABA, eventDestinationArn=INSTANCE, roleArn=unknown, region=REGION) == {}
    assert failures(wabaId=WABA, eventDestinationArn=TOPIC, roleArn=unknown, region=REGION) == {}
    assert failures(wabaId=WABA, eventDestinationArn=unknown, roleArn=ROLE, region=unknown) == {}


def state(**more: Any) -> dict[str, Any]:
    return {**props(WABA, TOPIC, REGION), "wabaArn": WABA_ARN, "adopted": False, **more}


def test_diff_replaces_for_another_waba_or_region_deleting_first() -> None:
    other = provider.diff(WABA_ARN, state(), props("waba-fedcba9876543210", TOPIC, REGION))
    assert other.changes is True
    assert other.replaces == ["wabaId"]
    assert other.delete_before_replace is True
    moved = provider.diff(WABA_ARN, state(), props(WABA, TOPIC, "eu-central-1"))
    assert moved.replaces == ["region"]


def test_diff_updates_in_place_for_destination_role_and_settings() -> None:
    for news in (
        props(WABA, TOPIC.replace("whatsapp-events", "v2"), REGION),
        props(WABA, INSTANCE, REGION, roleArn=ROLE),
        props(WABA, TOPIC, REGION, profile="prod"),
        props(WABA, TOPIC, REGION, assumeRoleArn=ROLE),
        props(WABA, TOPIC, REGION, takeover=True),
        props(WABA, TOPIC, REGION, verify=False),
    ):
        diff = provider.diff(WABA_ARN, state(), news)
        assert diff.changes is True, news
        assert diff.replaces == [], news


def test_diff_sees_no_change_for_the_same_inputs_or_the_waba_by_its_arn() -> None:
    assert provider.diff(WABA_ARN, state(), props(WABA, TOPIC, REGION)).changes is False
    by_arn = provider.diff(WABA_ARN, state(), props(WABA_ARN, TOPIC, REGION))
    assert by_arn.replaces == []


def test_diff_sees_the_same_waba_in_either_form_both_ways() -> None:
    # waba-<id> and arn:...:waba/<id> are one WABA: switching the form must update in
    # place, never delete (clearing the destination) and create again.
    arn_to_id = provider.diff(WABA_ARN, state(wabaId=WABA_ARN), props(WABA, TOPIC, REGION))
    assert arn_to_id.changes is True
    assert arn_to_id.replaces == [] and arn_to_id.delete_before_replace is False
    # State without the ARN read from AWS (as a preview left it) still matches by id.
    bare = {**props(WABA, TOPIC, REGION)}
    id_to_arn = provider.diff(WABA_ARN, bare, props(WABA_ARN, TOPIC, REGION))
    assert id_to_arn.changes is True
    assert id_to_arn.replaces == [] and id_to_arn.delete_before_replace is False


def test_diff_replaces_another_waba_in_either_form() -> None:
    other_arn = WABA_ARN.replace("0123456789abcdef", "fedcba9876543210", 1)
    assert provider.diff(WABA_ARN, state(), props(other_arn, TOPIC, REGION)).replaces == ["wabaId"]
    assert provider.diff(
        WABA_ARN, state(wabaId=WABA_ARN), props("waba-fedcba9876543210", TOPIC, REGION)
    ).replaces == ["wabaId"]


def test_switching_the_waba_form_keeps_the_destination(aws: AwsDoubles) -> None:
    topic = TOPIC.replace(ACCOUNT, aws.account)
    waba = aws.emulator.link_waba(region=aws.region)
    outs = provider.create(props(waba, topic, aws.region, verify=False)).outs
    assert outs is not None
    for olds, waba_id in ((outs, outs["wabaArn"]), ({**outs, "wabaId": outs["wabaArn"]}, waba)):
        news = props(waba_id, topic, aws.region, verify=False)
        assert provider.diff(outs["wabaArn"], olds, news).replaces == []
        provider.update(outs["wabaArn"], olds, news)
        assert aws.emulator.destination(waba) == {"eventDestinationArn": topic}


@pytest.mark.parametrize("unknown", [UNKNOWN, Unknown()], ids=["sentinel", "deserialised"])
def test_diff_counts_unknown_values_as_changes(unknown: Any) -> None:
    diff = provider.diff(WABA_ARN, state(), props(WABA, unknown, REGION))
    assert diff.changes is True and diff.replaces == []
    assert provider.diff(WABA_ARN, state(), props(unknown, TOPIC, REGION)).replaces == ["wabaId"]


def test_check_and_diff_make_no_aws_call(aws: AwsDoubles, monkeypatch: pytest.MonkeyPatch) -> None:
    # Not even credentials are needed: nothing is called.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    waba = aws.emulator.link_waba(region=aws.region)
    news = props(waba, TOPIC.replace(ACCOUNT, aws.account), aws.region)

    assert provider.check({}, news).failures == []
    provider.check(state(), props(waba, TOPIC + ".fifo", aws.region, roleArn=ROLE))
    provider.diff(WABA_ARN, state(), news)
    provider.diff(WABA_ARN, state(), props(UNKNOWN, UNKNOWN, UNKNOWN))

    assert aws.emulator.calls == []


def test_a_new_name_of_the_resource_alone_is_no_change() -> None:
    """A component renamed with `aliases` gives its WABA resource a new name: the claim
    still carries the resource's token, so the engine shows no change and nothing is
    written; with a real change the update writes the claim with the new name."""
    olds = {"wabaId": "waba-0123456789abcdef", "region": "us-east-1", "ownerResource": "a"}
    renamed = {**olds, "ownerResource": "b"}
    assert plan_diff(olds, renamed).changes is False
    assert plan_diff(olds, {**renamed, "takeover": True}).changes is True
