"""The analyzer client's own logic: how it encodes properties and reads policy config."""

from __future__ import annotations

import pytest
from google.protobuf import json_format
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE as UNKNOWN

from destination_review.policy_analyzer import (
    AnalyzedResource,
    Secret,
    make_urn,
    normalize_config,
    to_struct,
)

POLICIES = [
    {
        "name": "a",
        "enforcementLevel": "mandatory",
        "configSchema": {"properties": {"flag": {"type": "boolean"}}},
    },
    {"name": "b", "enforcementLevel": "advisory", "configSchema": {}},
]


def test_internal_top_level_keys_are_not_sent_nested_ones_are() -> None:
    struct = to_struct({"__provider": "secret-provider", "name": "x", "tags": {"__note": "kept"}})
    assert json_format.MessageToDict(struct) == {"name": "x", "tags": {"__note": "kept"}}


def test_values_are_encoded_as_the_engine_does() -> None:
    struct = json_format.MessageToDict(
        to_struct({"days": 7, "on": True, "arn": UNKNOWN, "token": Secret("s3cr3t"), "none": None})
    )
    assert struct == {
        "days": 7.0,
        "on": True,
        "arn": UNKNOWN,
        "token": {
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            "value": "s3cr3t",
        },
        "none": None,
    }


def test_values_that_are_not_json_like_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot be sent to a policy pack"):
        to_struct({"when": object()})


def test_every_policy_gets_a_level_with_defaults_kept() -> None:
    assert normalize_config({"a": {"flag": False}}, POLICIES) == {
        "a": {"enforcementLevel": "mandatory", "flag": False},
        "b": {"enforcementLevel": "advisory"},
    }
    assert normalize_config({"all": "disabled", "b": "mandatory"}, POLICIES) == {
        "a": {"enforcementLevel": "disabled"},
        "b": {"enforcementLevel": "mandatory"},
    }


def test_urns_default_to_a_top_level_resource_of_the_default_stack() -> None:
    resource = AnalyzedResource("aws:sns/topic:Topic", "events", {})
    assert resource.resolved_urn == make_urn("aws:sns/topic:Topic", "events")
    assert (
        resource.resolved_urn
        == "urn:pulumi:dev::social-messaging-destinations::aws:sns/topic:Topic::events"
    )
    assert AnalyzedResource("t:m:T", "n", {}, urn="urn:given").resolved_urn == "urn:given"
