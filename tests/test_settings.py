"""Invalid configurations fail before any resource is registered, naming the key path."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from typing import Any

import pytest

from components.settings import (
    Problem,
    PropertyNaming,
    SettingsError,
    check_configuration,
    ignored_settings,
    parse_settings,
    settings_problems,
)
from components.settings.schema import EXAMPLE_WABA
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
        "at most 64 characters, IAM's limit for role names (this one has 65)",
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
        'tags["aws:owner"]',
        "aws:",
    ),
    (
        "reserved tag key in capitals",
        {"destinations": [sns()], "tags": {"AWS:Owner": "me"}},
        'tags["AWS:Owner"]',
        "in any casing",
    ),
    (
        "tag value too long",
        {"destinations": [sns()], "tags": {"team": "t" * 257}},
        "tags.team",
        "0 to 256 characters (this one has 257)",
    ),
    (
        "tag value with a control character",
        {"destinations": [sns()], "tags": {"team": "a\tb"}},
        "tags.team",
        "found '\\t'",
    ),
    (
        "more than 50 tags",
        {"destinations": [sns()], "tags": {f"tag{i}": "x" for i in range(51)}},
        "tags",
        "at most 50 tags",
    ),
    (
        "tag value stored as a number by the CLI",
        {"destinations": [sns()], "tags": {"costCenter": 1234}},
        "tags.costCenter",
        "--type string tags.costCenter 1234",
    ),
    (
        "role name with non-ASCII letters",
        {"destinations": [connect()], "connectRole": {"name": "rôle-événements"}},
        "connectRole.name",
        "found 'é', 'ô'",
    ),
    (
        "role ARN with non-ASCII letters",
        {"destinations": [connect(roleArn="arn:aws:iam::111122223333:role/rôle")]},
        "destinations[0].roleArn",
        "only ASCII letters",
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
    assert "Fix: " in line and "\n" not in line
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
    assert "found '.'" in message and "the default '<project>-<stack>-events'" in message


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


@pytest.mark.parametrize("days", [14, 14.0, "14", " 14 ", "+14", "14.0", "014"])
def test_a_whole_number_is_read_from_its_text_or_a_float_without_a_fraction(days: Any) -> None:
    raw = {"destinations": [sns()], "topic": {"keyDeletionWindowDays": days}}
    assert parse_settings(raw, NS, "dev").topic.key_deletion_window_days == 14


@pytest.mark.parametrize(
    "days", [True, 7.5, float("inf"), "1_4", "14.", "0x10", "1e1", "\u0663\u0660", ""]
)
def test_anything_else_is_not_a_whole_number(days: Any) -> None:
    _, problems = settings_problems(
        {"destinations": [sns()], "topic": {"keyDeletionWindowDays": days}}, NS, "dev"
    )
    assert [(p.path, p.received) for p in problems] == [("topic.keyDeletionWindowDays", days)]


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        (True, True),
        (1, True),
        (0.0, False),
        ("YES", True),
        ("off", False),
        ("t", True),
        ("N", False),
    ],
)
def test_a_flag_is_a_boolean_0_or_1_or_a_yes_no_word(flag: Any, expected: bool) -> None:
    assert (
        parse_settings({"destinations": [sns(takeover=flag)]}, NS, "dev").destinations[0].takeover
        is expected
    )


@pytest.mark.parametrize("flag", [2, 0.5, " true", "maybe", None, [], {}])
def test_anything_else_is_not_a_flag(flag: Any) -> None:
    _, problems = settings_problems({"destinations": [sns(takeover=flag)]}, NS, "dev")
    assert [(p.path, p.received) for p in problems] == [("destinations[0].takeover", flag)]


def test_keys_are_camel_case_only_and_every_unknown_key_is_named_at_its_path() -> None:
    raw = {
        "destinations": [{"waba_id": WABA_A, "type": "sns", "\ud800": 1}],
        "topic": {"key_rotation": True},
    }
    _, problems = settings_problems(raw, NS, "dev")
    assert [p.path for p in problems] == [
        "destinations[0].wabaId",
        "destinations[0].waba_id",
        'destinations[0]["\ud800"]',
        "topic.key_rotation",
    ]
    assert "check the spelling; keys are camelCase" in str(problems[1])


def test_a_list_of_too_many_destinations_is_one_problem_not_one_per_item() -> None:
    _, problems = settings_problems({"destinations": [{"bad": 1}] * 26}, NS, "dev")
    assert [p.path for p in problems] == ["destinations"]


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
    (
        "mistyped provider key",
        {"aws:regoin": "eu-west-1"},
        "aws:regoin",
        "did you mean aws:region?). Fix: pulumi config rm --path aws:regoin && "
        "pulumi config set aws:region eu-west-1",
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


LONG_STACK = "payments-eu-central-1-blue-green-canary-2026"  # the role's default: 82 chars


def test_a_long_stack_name_is_fine_for_an_sns_only_stack() -> None:
    """The channel role's default name is only checked when the role is created."""
    rendering = render({f"{NS}:destinations": [sns()]}, stack=LONG_STACK, target=TARGET)
    assert rendering.of_type("aws:iam/role:Role") == []
    assert rendering.one("aws:sns/topic:Topic").inputs["name"].endswith("-events")


def test_a_long_stack_name_fails_a_connect_stack_saying_which_limit() -> None:
    with pytest.raises(SettingsError) as raised:
        render({f"{NS}:destinations": [connect()]}, stack=LONG_STACK, target=TARGET)
    [problem] = raised.value.problems
    assert problem.path == "connectRole.name"
    length = len(f"{NS}-{LONG_STACK}-connect-channel")
    assert f"at most 64 characters, IAM's limit for role names (this one has {length})" in str(
        problem
    )
    assert "Fix: pulumi config set --path connectRole.name whatsapp-connect-channel" in str(problem)


def test_the_default_topic_name_is_not_checked_on_a_connect_only_stack() -> None:
    config = {f"{NS}:destinations": [connect(roleArn=ROLE)]}
    rendering = render(config, stack="a" * 250, target=TARGET)
    assert rendering.of_type("aws:sns/topic:Topic") == []
    assert rendering.of_type("aws:iam/role:Role") == []


def test_settings_and_aws_problems_are_reported_together() -> None:
    """The aws provider's location is not asked while its own settings are invalid."""
    registered: list[RenderedResource] = []
    config = {
        f"{NS}:destinations": [connect()],
        f"{NS}:connectRole": {"name": "r" * 65},
        "aws:regoin": "us-east-1",
    }
    with pytest.raises(SettingsError) as raised:
        render(config, target=TARGET, registrations=registered)
    assert registered == []
    assert [p.path for p in raised.value.problems] == ["aws:regoin", "connectRole.name"]
    assert "namespaces 'aws' and 'social-messaging-destinations'" in str(raised.value)


def test_settings_and_placement_problems_are_reported_together() -> None:
    registered: list[RenderedResource] = []
    elsewhere = TOPIC.replace("111122223333", "999988887777")
    config = {
        f"{NS}:destinations": [connect(), sns(wabaId=WABA_A, topicArn=elsewhere)],
        f"{NS}:connectRole": {"name": "r" * 65},
    }
    with pytest.raises(SettingsError) as raised:
        render(config, target=TARGET, registrations=registered)
    assert registered == []
    assert [p.path for p in raised.value.problems] == [
        "connectRole.name",
        "destinations[1].topicArn",
    ]


def test_topic_settings_with_ones_own_topic_are_reported_as_ignored() -> None:
    raw = {"destinations": [sns(topicArn=TOPIC)], "topic": {"name": "x", "protect": True}}
    [note] = ignored_settings(raw)
    assert note.startswith("topic.name, topic.protect have no effect")
    assert "topicArn" in note and "pulumi config rm --path topic" in note
    assert ignored_settings({"destinations": [sns()], "topic": {"name": "x"}}) == []


def test_the_program_warns_about_ignored_topic_settings(caplog: pytest.LogCaptureFixture) -> None:
    config = {f"{NS}:destinations": [sns(topicArn=TOPIC)], f"{NS}:topic": {"protect": True}}
    with caplog.at_level("WARNING"):
        render(config, target=TARGET)
    assert any("topic.protect has no effect" in r.getMessage() for r in caplog.records)


def test_the_namespace_is_the_projects_name() -> None:
    """A project created as `pulumi new --name payments-messaging` reads its own keys."""
    config = {"payments-messaging:destinations": [connect()], "payments-messaging:tags": {"a": "b"}}
    rendering = render(config, project="payments-messaging", stack="dev", target=TARGET)
    role = rendering.one("aws:iam/role:Role")
    assert role.inputs["name"] == "payments-messaging-dev-connect-channel"
    assert role.inputs["tags"] == {"a": "b"}


def test_settings_under_another_projects_namespace_are_named() -> None:
    config = {f"{NS}:destinations": [sns()], f"{NS}:topic": {"protect": True}}
    with pytest.raises(SettingsError) as raised:
        render(config, project="payments-messaging", stack="dev", target=TARGET)
    lines = str(raised.value).splitlines()
    assert lines[0].startswith("Invalid stack configuration in namespaces")
    assert f"  - {NS}:destinations: got " in str(raised.value)
    assert f"rename '{NS}:topic' to 'payments-messaging:topic'" in str(raised.value)
    assert "in Pulumi.dev.yaml" in str(raised.value)


def test_a_long_destinations_list_is_summarised_on_one_short_line() -> None:
    destinations = [sns(wabaId=f"waba-{i:032x}") for i in range(26)]
    with pytest.raises(SettingsError) as raised:
        parse_settings({"destinations": destinations}, NS, "dev")
    [line] = [x for x in str(raised.value).splitlines() if x.startswith("  - destinations:")]
    assert "got a list of 26 items" in line and len(line) < 300
    assert "waba-" not in line


def fix_commands(problem: Problem) -> list[list[str]]:
    """The commands of a Fix, as a POSIX shell splits them (operators apart)."""
    lexer = shlex.shlex(problem.fix, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token == "&&":
            commands.append([])
        else:
            assert not set(token) <= set("();<>|&"), f"shell operator {token!r} in {problem.fix}"
            commands[-1].append(token)
    return commands


def every_problem() -> list[Problem]:
    problems: list[Problem] = []
    for _, config, _, _ in INVALID:
        problems += check_configuration(
            {f"{NS}:{k}": v for k, v in config.items()}, NS, "dev"
        ).problems
    for _, aws, _, _ in AWS_INVALID:
        problems += check_configuration({f"{NS}:destinations": [sns()], **aws}, NS, "dev").problems
    return problems


def test_every_fix_is_a_well_formed_pulumi_config_command() -> None:
    checked = 0
    for problem in every_problem():
        if not problem.fix.startswith("pulumi "):
            continue  # advice in words, where no config command fixes it
        for argv in fix_commands(problem):
            checked += 1
            assert argv[:3] in (["pulumi", "config", "set"], ["pulumi", "config", "rm"]), argv
            operands = [a for a in argv[3:] if not a.startswith("--")]
            if "--type" in argv:
                operands.remove(argv[argv.index("--type") + 1])
            expected = 2 if argv[2] == "set" else 1
            assert len(operands) == expected, f"{argv} from {problem}"
        syntax = subprocess.run(["bash", "-n", "-c", problem.fix], capture_output=True, check=False)
        assert syntax.returncode == 0, problem.fix
    assert checked > 40


def test_string_values_the_cli_would_coerce_are_set_with_type_string() -> None:
    problem = Problem("tags.costCenter", 1234, "a string tag value", "1234")
    assert problem.fix == "pulumi config set --path --type string tags.costCenter 1234"
    takeover = Problem("destinations[0].takeover", "maybe", "true or false", "false")
    assert takeover.fix == "pulumi config set --path 'destinations[0].takeover' false"


def test_an_arn_example_is_quoted_so_bash_does_not_read_a_redirection() -> None:
    [problem] = check_configuration(
        {f"{NS}:destinations": [{"wabaId": WABA_A, "type": "connect"}]}, NS, "dev"
    ).problems
    [argv] = fix_commands(problem)
    assert argv[-1].startswith("arn:<partition>:connect:")
    assert re.search(r"'arn:<partition>:connect:[^']*'$", problem.fix)


def test_a_component_gets_the_same_messages_naming_properties() -> None:
    """The component provider validates its inputs with the same checks: each line names
    the property path and a property fix instead of a `pulumi config` command."""
    raw = {"destinations": [sns(wabaId="1234567890", takeover="maybe")], "tagz": {}}
    naming = PropertyNaming("social-messaging:index:WhatsAppEventDestinations")
    with pytest.raises(SettingsError) as by_property:
        parse_settings(raw, NS, "dev", naming)
    with pytest.raises(SettingsError) as by_config:
        parse_settings(raw, NS, "dev")
    text = str(by_property.value)
    assert text.startswith(
        "Invalid inputs of social-messaging:index:WhatsAppEventDestinations (3 problems):"
    )
    assert "pulumi config" not in text
    assert "Fix: set the property destinations[0].takeover to false" in text
    assert f'Fix: set the property destinations[0].wabaId to "{EXAMPLE_WABA}"' in text
    assert "tagz: got {}; expected one of the keys" in text
    assert "Fix: remove the property tagz" in text
    assert [p.expected for p in by_property.value.problems] == [
        p.expected for p in by_config.value.problems
    ]


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ('["us-east-1"]', "a Region name such as 'us-east-1', not a list"),
        ("us-\u0435ast-1", "'\u0435' (CYRILLIC SMALL LETTER IE) at position 4 is not ASCII"),
        ("us-east-9", "a Region botocore knows"),
        ("42", "not a number"),
    ],
)
def test_aws_region_is_a_region_botocore_knows(region: str, expected: str) -> None:
    """As the engine passes `aws:region` to the program (the review reads the stack file
    to the same text): a list, a look-alike letter or an unknown Region is refused."""
    config = {f"{NS}:destinations": [sns()], "aws:region": region}
    [problem] = check_configuration(config, NS, "dev").problems
    assert problem.path == "aws:region" and expected in problem.expected


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"])
def test_regions_of_every_partition_pass(region: str) -> None:
    config = {f"{NS}:destinations": [sns()], "aws:region": region}
    assert check_configuration(config, NS, "dev").problems == ()


def test_a_malformed_waba_id_states_the_expected_form_once_on_a_short_line() -> None:
    with pytest.raises(SettingsError) as raised:
        parse_settings({"destinations": [sns(wabaId="1234567890")]}, NS, "dev")
    [line] = [x for x in str(raised.value).splitlines() if "wabaId" in x]
    assert line.count("waba-<id>") == 1 and line.count("social-messaging:<region>") == 1
    assert len(line) < 215, line


def test_settings_without_tags_do_not_load_iams_model() -> None:
    """IAM's model (tag limits) costs a preview ~20 ms: loaded only to check tags."""
    code = (
        "from components.settings import parse_settings; from components.waba import model; "
        f"parse_settings({{'destinations': [{sns()!r}]}}, 'p', 'dev'); "
        "print(model.iam_shapes.cache_info().currsize); "
        f"parse_settings({{'destinations': [{sns()!r}], 'tags': {{'team': 'x'}}}}, 'p', 'dev'); "
        "print(model.iam_shapes.cache_info().currsize)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["0", "1"]
