"""The stack configuration, validated once, with errors a person can act on.

This is the only module that reads `pulumi.Config`. Everything downstream receives typed,
already-valid settings, so a bad value fails the program before any resource is
registered, with one line per problem naming the key path, the value, what was expected
and an example.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from components.arns import is_connect_instance_arn, is_sns_topic_arn, parse_arn

CONFIG_NAMESPACE = "social-messaging-destinations"
MAX_DESTINATIONS = 25  # the service's quota of linked WABAs per Region
TOP_LEVEL_KEYS = ("destinations", "topic", "connectRole", "tags")

# Formats, from the socialmessaging service model and the SNS, IAM and tagging limits.
_WABA_ID = re.compile(r"^waba-[0-9a-zA-Z]{1,110}$")
_WABA_ARN = re.compile(r"^arn:[a-z-]+:social-messaging:[a-z0-9-]+:\d{12}:waba/[0-9a-zA-Z]+$")
_ROLE_ARN = re.compile(r"^arn:[a-z-]+:iam::\d{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")

_EXAMPLE_WABA = "waba-0123456789abcdef0123456789abcdef"
_EXAMPLE_CONNECT = (
    "arn:<partition>:connect:us-east-1:111122223333:instance/aaaabbbb-cccc-dddd-eeee-ffff00001111"
)
_EXAMPLE_TOPIC = "arn:<partition>:sns:us-east-1:111122223333:whatsapp-events"
_EXAMPLE_ROLE = "arn:<partition>:iam::111122223333:role/whatsapp-connect-channel"


class SettingsError(pulumi.RunError):
    """Every problem in the stack configuration, reported together."""

    def __init__(self, problems: list[Problem], namespace: str = CONFIG_NAMESPACE) -> None:
        self.problems = sorted(problems, key=lambda p: p.path)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        super().__init__(
            f"Invalid stack configuration in namespace '{namespace}' "
            f"({count} problem{'s' if count != 1 else ''}):\n{lines}"
        )


@dataclass(frozen=True)
class Problem:
    """One invalid setting: where, what was received, what was expected, an example."""

    path: str
    received: Any
    expected: str
    example: str
    remove: bool = False  # the fix is to remove the key, not to change its value

    def __str__(self) -> str:
        received = (
            "nothing (the key is missing)" if self.received is _MISSING else repr(self.received)
        )
        fix = (
            f"pulumi config rm --path '{self.path}'"
            if self.remove
            else f"pulumi config set --path '{self.path}' {self.example}"
        )
        return f"{self.path}: got {received}; expected {self.expected}. Fix: {fix}"


_MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class DestinationSettings(_Model):
    """One WABA and where its events go."""

    waba_id: str
    type: Literal["sns", "connect"]
    connect_instance_arn: str | None = None
    topic_arn: str | None = None
    role_arn: str | None = None
    takeover: bool = False
    verify: bool = True


class TopicSettings(_Model):
    """The topic (and its key) this stack creates for SNS destinations."""

    name: str | None = None
    key_rotation: bool = True
    key_deletion_window_days: int = Field(default=30, ge=7, le=30)
    protect: bool = False


class ConnectRoleSettings(_Model):
    """The Connect two-way channel role this stack creates when none is given."""

    name: str | None = None


class StackSettings(_Model):
    """The whole validated configuration of one stack."""

    destinations: list[DestinationSettings] = Field(min_length=1, max_length=MAX_DESTINATIONS)
    topic: TopicSettings = TopicSettings()
    connect_role: ConnectRoleSettings = ConnectRoleSettings()
    tags: dict[str, str] = Field(default_factory=dict)

    def topic_name(self, project: str, stack: str) -> str:
        return self.topic.name or default_topic_name(project, stack)

    def connect_role_name(self, project: str, stack: str) -> str:
        return self.connect_role.name or default_connect_role_name(project, stack)

    @property
    def needs_topic(self) -> bool:
        """A topic is created when an SNS destination does not bring its own."""
        return any(d.type == "sns" and not d.topic_arn for d in self.destinations)

    @property
    def needs_connect_role(self) -> bool:
        """A role is created when a Connect destination does not bring its own."""
        return any(d.type == "connect" and not d.role_arn for d in self.destinations)


@dataclass(frozen=True)
class AwsProviderSettings:
    """What the stack's default aws provider acts as, so the WABA resource acts the same."""

    profile: str | None = None
    assume_role_arn: str | None = None


def default_topic_name(project: str, stack: str) -> str:
    return f"{project}-{stack}-events"


def default_connect_role_name(project: str, stack: str) -> str:
    return f"{project}-{stack}-connect-channel"


# What each key expects, for messages; keyed by the last part of the key path.
_EXPECTED: dict[str, tuple[str, str]] = {
    "destinations": (
        f"a list of 1 to {MAX_DESTINATIONS} destinations (one per WABA)",
        f'\'[{{"wabaId": "{_EXAMPLE_WABA}", "type": "sns"}}]\' (or set each key with --path)',
    ),
    "wabaId": (
        "a WABA id 'waba-<id>' or a WABA ARN "
        "'arn:<partition>:social-messaging:<region>:<account>:waba/<id>'",
        _EXAMPLE_WABA,
    ),
    "type": ("'sns' or 'connect'", "sns"),
    "connectInstanceArn": (
        "an Amazon Connect instance ARN, only on destinations of type 'connect'",
        _EXAMPLE_CONNECT,
    ),
    "topicArn": (
        "the ARN of an existing standard (not .fifo) SNS topic, only on destinations of type 'sns'",
        _EXAMPLE_TOPIC,
    ),
    "roleArn": (
        "the ARN of an existing IAM role, only on destinations of type 'connect'",
        _EXAMPLE_ROLE,
    ),
    "takeover": ("true or false", "false"),
    "verify": ("true or false", "true"),
    "topic": ("an object with name, keyRotation, keyDeletionWindowDays, protect", "..."),
    "name": ("a name", "whatsapp-events"),
    "keyRotation": ("true or false", "true"),
    "keyDeletionWindowDays": ("a whole number of days from 7 to 30", "30"),
    "protect": ("true or false", "true"),
    "connectRole": ("an object with name", "..."),
    "tags": ("a map of tag keys to string values", "team platform"),
}

_TOPIC_NAME_EXPECTED = (
    "a standard SNS topic name: 1 to 256 letters, digits, '-' or '_', never ending in "
    "'.fifo' (FIFO topics cannot be event destinations)",
    "whatsapp-events",
)
_ROLE_NAME_EXPECTED = (
    "an IAM role name: 1 to 64 letters, digits or '+=,.@_-'",
    "whatsapp-connect-channel",
)


def _path(loc: Iterable[int | str]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _expected_for(loc: tuple[int | str, ...]) -> tuple[str, str]:
    names = [p for p in loc if isinstance(p, str)]
    if names[:2] == ["topic", "name"]:
        return _TOPIC_NAME_EXPECTED
    if names[:2] == ["connectRole", "name"]:
        return _ROLE_NAME_EXPECTED
    if names and names[0] == "tags" and len(loc) > 1:
        return ("a string tag value", "'team' platform")
    return _EXPECTED.get(names[-1] if names else "destinations", ("a valid value", "..."))


def _pydantic_problems(error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        expected, example = _expected_for(loc)
        extra = item["type"] == "extra_forbidden"
        if extra:
            expected = "no such key (check the spelling; keys are camelCase)"
        received = _MISSING if item["type"] == "missing" else item.get("input")
        problems.append(Problem(_path(loc), received, expected, example, remove=extra))
    return problems


def _as_dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _arn_problems(index: int, item: Mapping[str, Any]) -> list[Problem]:
    """Cross-field rules that no single field type can express."""
    problems: list[Problem] = []
    prefix = f"destinations[{index}]"
    kind = item.get("type")

    def problem(key: str, expected: str | None = None, remove: bool = False) -> None:
        default_expected, example = _EXPECTED[key]
        received = item.get(key, _MISSING)
        problems.append(
            Problem(f"{prefix}.{key}", received, expected or default_expected, example, remove)
        )

    waba_id = item.get("wabaId")
    if isinstance(waba_id, str) and not (_WABA_ID.match(waba_id) or _WABA_ARN.match(waba_id)):
        problem("wabaId")

    connect_arn = item.get("connectInstanceArn")
    if kind == "connect" and connect_arn is None:
        problem(
            "connectInstanceArn", "an Amazon Connect instance ARN (required for type 'connect')"
        )
    elif kind == "sns" and connect_arn is not None:
        problem("connectInstanceArn", "no connectInstanceArn on a destination of type 'sns'", True)
    elif isinstance(connect_arn, str) and not is_connect_instance_arn(connect_arn):
        problem("connectInstanceArn")

    topic_arn = item.get("topicArn")
    if topic_arn is not None and kind == "connect":
        problem("topicArn", "no topicArn on a destination of type 'connect'", True)
    elif isinstance(topic_arn, str):
        if topic_arn.endswith(".fifo"):
            problem(
                "topicArn", "a standard SNS topic ARN: FIFO topics (.fifo) cannot receive events"
            )
        elif not is_sns_topic_arn(topic_arn):
            problem("topicArn")

    role_arn = item.get("roleArn")
    if role_arn is not None and kind == "sns":
        problem(
            "roleArn",
            "no roleArn on a destination of type 'sns' (the topic policy authorises delivery)",
            True,
        )
    elif isinstance(role_arn, str) and not _ROLE_ARN.match(role_arn):
        problem("roleArn")

    # A destination must live in the same partition, Region and account as its WABA.
    waba = parse_arn(waba_id) if isinstance(waba_id, str) else None
    for key in ("connectInstanceArn", "topicArn"):
        value = item.get(key)
        target = parse_arn(value) if isinstance(value, str) else None
        if (
            waba
            and target
            and (waba.partition, waba.region, waba.account)
            != (
                target.partition,
                target.region,
                target.account,
            )
        ):
            problem(
                key,
                f"a destination in the WABA's partition, Region and account "
                f"({waba.partition}, {waba.region}, {waba.account})",
            )
    return problems


def _semantic_problems(raw: Mapping[str, Any], project: str, stack: str) -> list[Problem]:
    problems: list[Problem] = []
    destinations = raw.get("destinations")
    seen: dict[str, int] = {}
    if isinstance(destinations, list):
        for index, item in enumerate(destinations):
            item = _as_dict(item)
            problems += _arn_problems(index, item)
            waba_id = item.get("wabaId")
            if isinstance(waba_id, str):
                key = waba_id.rsplit("/", 1)[-1].removeprefix("waba-").lower()
                if key in seen:
                    problems.append(
                        Problem(
                            f"destinations[{index}].wabaId",
                            waba_id,
                            f"each WABA once: it is already destinations[{seen[key]}] "
                            "(a WABA has exactly one event destination)",
                            "<another WABA id>, or remove this entry",
                        )
                    )
                else:
                    seen[key] = index

    topic = _as_dict(raw.get("topic"))
    topic_name = topic.get("name", default_topic_name(project, stack))
    if isinstance(topic_name, str) and not (
        _TOPIC_NAME.match(topic_name) and not topic_name.endswith(".fifo")
    ):
        expected, example = _TOPIC_NAME_EXPECTED
        if "name" not in topic:
            expected += f" (the default '{topic_name}' derived from project and stack is not)"
        problems.append(Problem("topic.name", topic_name, expected, example))

    role = _as_dict(raw.get("connectRole"))
    role_name = role.get("name", default_connect_role_name(project, stack))
    if isinstance(role_name, str) and not _ROLE_NAME.match(role_name):
        expected, example = _ROLE_NAME_EXPECTED
        if "name" not in role:
            expected += f" (the default '{role_name}' derived from project and stack is not)"
        problems.append(Problem("connectRole.name", role_name, expected, example))

    tags = raw.get("tags")
    if isinstance(tags, Mapping):
        for tag_key in tags:
            if (
                not isinstance(tag_key, str)
                or not 1 <= len(tag_key) <= 128
                or tag_key.startswith("aws:")
            ):
                problems.append(
                    Problem(
                        f"tags.{tag_key}",
                        tag_key,
                        "a tag key of 1 to 128 characters that does not start with 'aws:'",
                        "'tags.team' platform",
                    )
                )
    return problems


def parse_settings(raw: Mapping[str, Any], project: str, stack: str) -> StackSettings:
    """Validate raw configuration values; raise SettingsError listing every problem."""
    problems: list[Problem] = []
    unknown = sorted(set(raw) - set(TOP_LEVEL_KEYS))
    for key in unknown:
        problems.append(
            Problem(
                key,
                raw[key],
                f"one of the keys {', '.join(TOP_LEVEL_KEYS)} (check the spelling)",
                "",
                remove=True,
            )
        )
    known = {k: v for k, v in raw.items() if k in TOP_LEVEL_KEYS and v is not None}
    settings: StackSettings | None = None
    try:
        settings = StackSettings.model_validate(known)
    except ValidationError as error:
        problems += _pydantic_problems(error)
    problems += _semantic_problems(known, project, stack)
    if problems:
        raise SettingsError(_unique(problems))
    assert settings is not None
    return settings


def _unique(problems: list[Problem]) -> list[Problem]:
    """Keep the first problem per key path: a structural and a format error on one key
    say the same thing twice."""
    seen: set[str] = set()
    result = []
    for item in problems:
        if item.path not in seen:
            seen.add(item.path)
            result.append(item)
    return result


def _namespace_config(namespace: str) -> dict[str, Any]:
    """All keys the stack sets in a config namespace, parsed as Pulumi parses objects."""
    config = pulumi.Config(namespace)
    raw: dict[str, Any] = {}
    prefix = f"{namespace}:"
    for full_key in pulumi.runtime.config.CONFIG.get():
        if full_key.startswith(prefix):
            key = full_key[len(prefix) :]
            try:
                raw[key] = config.get_object(key)
            except pulumi.ConfigTypeError:
                raw[key] = config.get(key)  # a plain string, not JSON: validated as such
    return raw


def load_settings() -> StackSettings:
    """Read and validate this stack's configuration."""
    return parse_settings(
        _namespace_config(CONFIG_NAMESPACE), pulumi.get_project(), pulumi.get_stack()
    )


def validate_placement(
    settings: StackSettings, partition: str, region: str, account_id: str
) -> None:
    """Every ARN in the destinations must be where the stack deploys.

    A WABA publishes only to a destination in its own Region, and the stack's aws
    provider decides the partition, Region and account; finding a mismatch here fails
    before any resource is registered, rather than at the first API call.
    """
    problems: list[Problem] = []
    where = f"partition {partition}, Region {region}, account {account_id}"
    for index, destination in enumerate(settings.destinations):
        for key, value, regional in (
            ("wabaId", destination.waba_id, True),
            ("connectInstanceArn", destination.connect_instance_arn, True),
            ("topicArn", destination.topic_arn, True),
            ("roleArn", destination.role_arn, False),
        ):
            arn = parse_arn(value) if value else None
            if arn is None:
                continue
            placed = (arn.partition, arn.account) == (partition, account_id) and (
                not regional or arn.region == region
            )
            if not placed:
                problems.append(
                    Problem(
                        f"destinations[{index}].{key}",
                        value,
                        f"an ARN where this stack deploys ({where}); deploy the stack there "
                        "(pulumi config set aws:region <region>, credentials for the account) "
                        "or name a resource in it",
                        _EXPECTED[key][1],
                    )
                )
    if problems:
        raise SettingsError(problems)


# aws provider settings the WABA event destination resource cannot reproduce, with the
# way to get the same identity that it can follow.
_UNSUPPORTED_AWS_KEYS = {
    "accessKey": "static keys in stack config; use a profile (aws:profile) or the environment",
    "secretKey": "static keys in stack config; use a profile (aws:profile) or the environment",
    "token": "a session token in stack config; use a profile (aws:profile) or the environment",
    "sharedCredentialsFiles": "set AWS_SHARED_CREDENTIALS_FILE in the environment instead",
    "sharedConfigFiles": "set AWS_CONFIG_FILE in the environment instead",
    "assumeRoleWithWebIdentity": "set AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE instead",
}
_ASSUME_ROLE_KEYS = {"roleArn", "sessionName"}


def parse_aws_provider_settings(raw: Mapping[str, Any]) -> AwsProviderSettings:
    """The identity of the stack's aws provider, for the WABA event destination resource.

    That resource calls AWS from its own process, so it must act as the same identity as
    the aws provider: a profile, and at most one role to assume. Anything it could not
    reproduce (chained roles, an external id, session policies, static keys) is refused
    here rather than silently acting as someone else.
    """
    problems: list[Problem] = []
    for key, advice in _UNSUPPORTED_AWS_KEYS.items():
        if raw.get(key) is not None:
            received = "[secret]" if key in ("secretKey", "token", "accessKey") else raw[key]
            problems.append(Problem(f"aws:{key}", received, f"not set: {advice}", "", remove=True))
    key = "assumeRoles" if raw.get("assumeRoles") is not None else "assumeRole"
    roles = raw.get(key)
    if isinstance(roles, Mapping):
        roles, prefix = [roles], f"aws:{key}"
    else:
        prefix = f"aws:{key}[0]"
    role_arn: str | None = None
    if isinstance(roles, list) and roles:
        if len(roles) > 1:
            problems.append(
                Problem(
                    f"aws:{key}",
                    f"{len(roles)} roles",
                    "at most one role: the WABA event destination resource cannot chain roles; "
                    "use aws:profile with a profile that does (role_arn and source_profile "
                    "in ~/.aws/config)",
                    "",
                    remove=True,
                )
            )
        role = roles[0] if isinstance(roles[0], Mapping) else {}
        for field_name in sorted(set(role) - _ASSUME_ROLE_KEYS):
            problems.append(
                Problem(
                    f"{prefix}.{field_name}",
                    role[field_name],
                    "only roleArn and sessionName: the WABA event destination resource "
                    "cannot reproduce this; use aws:profile with a profile that assumes the "
                    "role (role_arn, external_id, duration_seconds in ~/.aws/config)",
                    "",
                    remove=True,
                )
            )
        value = role.get("roleArn")
        if value is not None and not (isinstance(value, str) and _ROLE_ARN.match(value)):
            problems.append(
                Problem(
                    f"{prefix}.roleArn",
                    value,
                    "an IAM role ARN 'arn:<partition>:iam::<account>:role/<name>'",
                    "arn:<partition>:iam::111122223333:role/deployer",
                )
            )
        role_arn = value if isinstance(value, str) else None
    if problems:
        raise SettingsError(_unique(problems), namespace="aws")
    profile = raw.get("profile")
    return AwsProviderSettings(
        profile=profile if isinstance(profile, str) else None, assume_role_arn=role_arn
    )


def load_aws_provider_settings() -> AwsProviderSettings:
    """Read the stack's aws provider settings (see parse_aws_provider_settings)."""
    return parse_aws_provider_settings(_namespace_config("aws"))
