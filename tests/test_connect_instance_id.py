"""One rule for a Connect instance id, in the stack settings and in the WABA destination
resource's check: botocore's connect model documents the id as a lower-case hexadecimal
UUID (InstanceIdOrArn) of 1 to 100 characters (InstanceId)."""

from __future__ import annotations

import re

import pytest
from botocore.loaders import create_loader

from components.settings import check_configuration
from components.waba_destination import WabaEventDestinationProvider
from tests.conftest import NS, WABA_A

REGION, ACCOUNT = "us-east-1", "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/channel"
CASES = [
    ("aaaabbbb-cccc-dddd-eeee-ffff00001111", True),
    ("0b1c2d3e", True),  # the characters and length of the documented form
    ("zzzz-not-hex", False),
    ("AAAABBBB-CCCC-DDDD-EEEE-FFFF00001111", False),  # the service's ids are lower case
    ("aaaa_bbbb", False),
    ("a" * 101, False),
    ("abc/queue/def", False),
]


def instance(instance_id: str) -> str:
    return f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{instance_id}"


def settings_accept(arn: str) -> bool:
    destination = {"wabaId": WABA_A, "type": "connect", "connectInstanceArn": arn}
    config = {f"{NS}:destinations": [destination], "aws:region": REGION}
    return check_configuration(config, NS, "dev").problems == ()


def resource_accepts(arn: str) -> bool:
    news = {"wabaId": WABA_A, "eventDestinationArn": arn, "roleArn": ROLE, "region": REGION}
    result = WabaEventDestinationProvider().check({}, {"__provider": "serialised", **news})
    return result.failures == []


@pytest.mark.parametrize(("instance_id", "valid"), CASES)
def test_the_settings_and_the_resource_agree_on_the_instance_id(
    instance_id: str, valid: bool
) -> None:
    arn = instance(instance_id)
    assert settings_accept(arn) is valid
    assert resource_accepts(arn) is valid


def test_the_rule_holds_the_documented_form() -> None:
    shapes = create_loader().load_service_model("connect", "service-2")["shapes"]
    documented = shapes["InstanceIdOrArn"]["pattern"].rsplit(")?", 1)[1]
    # The documented id is a UUID of lower-case hex digits, within InstanceId's length.
    assert re.fullmatch(r"\^?(\[a-f0-9\]\{\d+\}-?)+\$", documented), documented
    assert (shapes["InstanceId"]["min"], shapes["InstanceId"]["max"]) == (1, 100)
