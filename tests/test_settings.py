"""Invalid configurations fail before any resource is registered, naming the key path."""

from __future__ import annotations

from typing import Any

import pytest

from components.settings import SettingsError, parse_settings
from destination_review.render import RenderedResource, Target, render
from tests.conftest import NS, WABA_A, WABA_B

TARGET = Target()
CONNECT = "arn:aws:connect:us-east-1:111122223333:instance/aaaabbbb-cccc-dddd-eeee-ffff00001111"
TOPIC = "arn:aws:sns:us-east-1:111122223333:events"
ROLE = "arn:aws:iam::111122223333:role/channel"


def sns(**extra: Any) -> dict[str, Any]:
    return {"wabaId": WABA_A, "type": "sns", **extra}


def connect(**extra: Any) -> dict[str, Any]:
    return {"wabaId": WABA_B, "type": "connect", "connectInstanceArn": CONNECT, **extra}


# (case id, config without namespace, key path in the error, text the message must hold)
INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("destinations missing", {}, "destinations", "key is missing"),
    ("destinations empty", {"destinations": []}, "destinations", "1 to 25"),
    ("destinations not a list", {"destinations": {"wabaId": WABA_A}}, "destinations", "a list"),
    (
        "more than 25 destinations",
        {"destinations": [sns(wabaId=f"waba-{i:032x}") for i in range(26)]},
        "destinations",
        "1 to 25",
    ),
    ("wabaId missing", {"destinations": [{"type": "sns"}]}, "destinations[0].wabaId", "missing"),
    (
        "wabaId malformed",
        {"destinations": [sns(wabaId="1234567890")]},
        "destinations[0].wabaId",
        "waba-",
    ),
    (
        "wabaId ARN of another service",
        {"destinations": [sns(wabaId="arn:aws:sns:us-east-1:111122223333:waba/abc")]},
        "destinations[0].wabaId",
        "social-messaging",
    ),
    (
        "wabaId twice",
        {"destinations": [sns(), connect(wabaId=WABA_A)]},
        "destinations[1].wabaId",
        "already destinations[0]",
    ),
    (
        "same WABA by id and by ARN",
        {
            "destinations": [
                sns(),
                sns(wabaId=f"arn:aws:social-messaging:us-east-1:111122223333:waba/{WABA_A[5:]}"),
            ]
        },
        "destinations[1].wabaId",
        "each WABA once",
    ),
    (
        "type missing",
        {"destinations": [{"wabaId": WABA_A}]},
        "destinations[0].type",
        "'sns' or 'connect'",
    ),
    (
        "type unknown",
        {"destinations": [sns(type="sqs")]},
        "destinations[0].type",
        "'sns' or 'connect'",
    ),
    (
        "connect without instance",
        {"destinations": [{"wabaId": WABA_A, "type": "connect"}]},
        "destinations[0].connectInstanceArn",
        "required for type 'connect'",
    ),
    (
        "sns with connect instance",
        {"destinations": [sns(connectInstanceArn=CONNECT)]},
        "destinations[0].connectInstanceArn",
        "pulumi config rm",
    ),
    (
        "connect instance is a topic",
        {"destinations": [connect(connectInstanceArn=TOPIC)]},
        "destinations[0].connectInstanceArn",
        "instance ARN",
    ),
    (
        "connect instance malformed",
        {"destinations": [connect(connectInstanceArn="instance/abc")]},
        "destinations[0].connectInstanceArn",
        "instance ARN",
    ),
    (
        "topicArn on connect",
        {"destinations": [connect(topicArn=TOPIC)]},
        "destinations[0].topicArn",
        "no topicArn",
    ),
    (
        "FIFO topicArn",
        {"destinations": [sns(topicArn=TOPIC + ".fifo")]},
        "destinations[0].topicArn",
        "FIFO",
    ),
    (
        "topicArn malformed",
        {"destinations": [sns(topicArn="events")]},
        "destinations[0].topicArn",
        "SNS topic",
    ),
    (
        "roleArn on sns",
        {"destinations": [sns(roleArn=ROLE)]},
        "destinations[0].roleArn",
        "no roleArn",
    ),
    (
        "roleArn malformed",
        {"destinations": [connect(roleArn="arn:aws:iam::123:role/x")]},
        "destinations[0].roleArn",
        "IAM role",
    ),
    (
        "WABA ARN and destination in other Regions",
        {
            "destinations": [
                sns(
                    wabaId="arn:aws:social-messaging:eu-west-1:111122223333:waba/abc",
                    topicArn=TOPIC,
                )
            ]
        },
        "destinations[0].topicArn",
        "eu-west-1",
    ),
    (
        "takeover not a boolean",
        {"destinations": [sns(takeover="maybe")]},
        "destinations[0].takeover",
        "true or false",
    ),
    (
        "verify not a boolean",
        {"destinations": [sns(verify="always")]},
        "destinations[0].verify",
        "true or false",
    ),
    (
        "typo in a destination key",
        {"destinations": [sns(wabaID=WABA_B)]},
        "destinations[0].wabaID",
        "no such key",
    ),
    (
        "FIFO topic name",
        {"destinations": [sns()], "topic": {"name": "events.fifo"}},
        "topic.name",
        ".fifo",
    ),
    (
        "topic name with spaces",
        {"destinations": [sns()], "topic": {"name": "my events"}},
        "topic.name",
        "letters",
    ),
    (
        "topic name too long",
        {"destinations": [sns()], "topic": {"name": "e" * 257}},
        "topic.name",
        "256",
    ),
    ("topic not an object", {"destinations": [sns()], "topic": "events"}, "topic", "an object"),
    (
        "key deletion window too short",
        {"destinations": [sns()], "topic": {"keyDeletionWindowDays": 6}},
        "topic.keyDeletionWindowDays",
        "7 to 30",
    ),
    (
        "key deletion window too long",
        {"destinations": [sns()], "topic": {"keyDeletionWindowDays": 31}},
        "topic.keyDeletionWindowDays",
        "7 to 30",
    ),
    (
        "key rotation not a boolean",
        {"destinations": [sns()], "topic": {"keyRotation": "sometimes"}},
        "topic.keyRotation",
        "true or false",
    ),
    (
        "protect not a boolean",
        {"destinations": [sns()], "topic": {"protect": [True]}},
        "topic.protect",
        "true or false",
    ),
    (
        "unknown topic key",
        {"destinations": [sns()], "topic": {"fifo": False}},
        "topic.fifo",
        "no such key",
    ),
    (
        "role name too long",
        {"destinations": [connect()], "connectRole": {"name": "r" * 65}},
        "connectRole.name",
        "64",
    ),
    ("tags not a map", {"destinations": [sns()], "tags": ["team"]}, "tags", "map"),
    (
        "tag value not a string",
        {"destinations": [sns()], "tags": {"team": {"a": 1}}},
        "tags.team",
        "string",
    ),
    (
        "reserved tag key",
        {"destinations": [sns()], "tags": {"aws:owner": "me"}},
        "tags.aws:owner",
        "aws:",
    ),
    (
        "unknown top-level key",
        {"destinations": [sns()], "destination": []},
        "destination",
        "check the spelling",
    ),
]


@pytest.mark.parametrize(
    ("config", "path", "text"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_invalid_configuration_names_the_key_and_registers_nothing(
    config: dict[str, Any], path: str, text: str
) -> None:
    registered: list[RenderedResource] = []
    with pytest.raises(SettingsError) as raised:
        render({f"{NS}:{k}": v for k, v in config.items()}, target=TARGET, registrations=registered)
    assert registered == []
    problems = {p.path: p for p in raised.value.problems}
    assert path in problems, f"{path} not in {list(problems)}"
    line = str(problems[path])
    assert line.startswith(f"{path}: got ")
    assert text in line
    assert "Fix: pulumi config " in line
    assert line in str(raised.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        parse_settings(
            {
                "destinations": [sns(roleArn=ROLE), {"wabaId": "bad", "type": "connect"}],
                "topic": {"name": "x.fifo", "keyDeletionWindowDays": 99},
            },
            "social-messaging-destinations",
            "dev",
        )
    assert [p.path for p in raised.value.problems] == [
        "destinations[0].roleArn",
        "destinations[1].connectInstanceArn",
        "destinations[1].wabaId",
        "topic.keyDeletionWindowDays",
        "topic.name",
    ]
    assert str(raised.value).startswith(
        "Invalid stack configuration in namespace 'social-messaging-destinations' (5 problems):"
    )


def test_a_stack_name_that_makes_an_invalid_default_topic_name_says_so() -> None:
    with pytest.raises(SettingsError) as raised:
        parse_settings({"destinations": [sns()]}, "social-messaging-destinations", "eu.prod")
    message = str(raised.value)
    assert "topic.name: got 'social-messaging-destinations-eu.prod-events'" in message
    assert "derived from project and stack" in message


def test_defaults_and_lenient_scalars_from_the_cli() -> None:
    """`pulumi config set --path` stores scalars as strings; they are read as their type."""
    settings = parse_settings(
        {"destinations": [sns(takeover="true")], "topic": {"keyDeletionWindowDays": "14"}},
        "social-messaging-destinations",
        "dev",
    )
    assert settings.destinations[0].takeover is True
    assert settings.topic.key_deletion_window_days == 14
    assert settings.topic.key_rotation is True
    assert settings.topic.protect is False
    assert settings.topic_name("social-messaging-destinations", "dev") == (
        "social-messaging-destinations-dev-events"
    )


AWS_INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "chained roles",
        {"aws:assumeRoles": [{"roleArn": ROLE}, {"roleArn": ROLE + "2"}]},
        "aws:assumeRoles",
        "cannot chain roles",
    ),
    (
        "external id",
        {"aws:assumeRoles": [{"roleArn": ROLE, "externalId": "x-123"}]},
        "aws:assumeRoles[0].externalId",
        "external_id",
    ),
    (
        "session policy",
        {"aws:assumeRole": {"roleArn": ROLE, "policy": "{}"}},
        "aws:assumeRole.policy",
        "only roleArn and sessionName",
    ),
    (
        "malformed role",
        {"aws:assumeRoles": [{"roleArn": "deployer"}]},
        "aws:assumeRoles[0].roleArn",
        "IAM role",
    ),
    ("static keys", {"aws:accessKey": "AKIAEXAMPLEKEY123456"}, "aws:accessKey", "static keys"),
    (
        "credentials file",
        {"aws:sharedCredentialsFiles": ["/x"]},
        "aws:sharedCredentialsFiles",
        "AWS_SHARED",
    ),
]


@pytest.mark.parametrize(
    ("aws", "path", "text"), [c[1:] for c in AWS_INVALID], ids=[c[0] for c in AWS_INVALID]
)
def test_aws_identity_the_destination_resource_cannot_reproduce_is_refused(
    aws: dict[str, Any], path: str, text: str
) -> None:
    registered: list[RenderedResource] = []
    config = {f"{NS}:destinations": [sns()], **aws}
    with pytest.raises(SettingsError) as raised:
        render(config, target=TARGET, registrations=registered)
    assert registered == []
    problems = {p.path: str(p) for p in raised.value.problems}
    assert path in problems, list(problems)
    assert text in problems[path] and "Fix: pulumi config " in problems[path]
    assert "namespace 'aws'" in str(raised.value)


def test_secret_keys_are_never_echoed() -> None:
    with pytest.raises(SettingsError) as raised:
        render(
            {
                f"{NS}:destinations": [sns()],
                "aws:secretKey": "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
            },
            target=TARGET,
        )
    assert "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY" not in str(raised.value)
    assert "aws:secretKey: got '[secret]'" in str(raised.value)


def test_the_destination_resource_acts_as_the_stacks_profile_and_role() -> None:
    config = {
        f"{NS}:destinations": [sns()],
        "aws:profile": "messaging-prod",
        "aws:assumeRoles": [{"roleArn": ROLE, "sessionName": "pulumi"}],
    }
    rendering = render(config, target=TARGET, preview=False)
    destination = rendering.one("pulumi-python:dynamic/social-messaging:WabaEventDestination")
    assert destination.inputs["profile"] == "messaging-prod"
    assert destination.inputs["assumeRoleArn"] == ROLE


PLACEMENT: list[tuple[str, dict[str, Any], str]] = [
    (
        "WABA in another Region",
        sns(wabaId="arn:aws:social-messaging:eu-west-1:111122223333:waba/abc"),
        "destinations[0].wabaId",
    ),
    (
        "Connect instance in another account",
        connect(connectInstanceArn=CONNECT.replace("111122223333", "999988887777")),
        "destinations[0].connectInstanceArn",
    ),
    (
        "topic in another Region",
        sns(topicArn=TOPIC.replace("us-east-1", "us-west-2")),
        "destinations[0].topicArn",
    ),
    (
        "role in another account",
        connect(roleArn=ROLE.replace("111122223333", "999988887777")),
        "destinations[0].roleArn",
    ),
    (
        "another partition",
        connect(connectInstanceArn=CONNECT.replace("arn:aws:", "arn:aws-cn:")),
        "destinations[0].connectInstanceArn",
    ),
]


@pytest.mark.parametrize(
    ("destination", "path"), [c[1:] for c in PLACEMENT], ids=[c[0] for c in PLACEMENT]
)
def test_destinations_outside_the_stacks_region_or_account_are_refused_before_any_resource(
    destination: dict[str, Any], path: str
) -> None:
    registered: list[RenderedResource] = []
    with pytest.raises(SettingsError) as raised:
        render({f"{NS}:destinations": [destination]}, target=TARGET, registrations=registered)
    assert registered == []
    assert [p.path for p in raised.value.problems] == [path]
    assert "partition aws, Region us-east-1, account 111122223333" in str(raised.value)
