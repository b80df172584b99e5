"""The stack configuration, validated once, with errors a person can act on.

This is the only module that reads `pulumi.Config`. Everything downstream receives typed,
already-valid settings, so a bad value fails the program before any resource is
registered, with one line per problem naming the key path, the value, what was expected
and an example.
"""

from __future__ import annotations

import difflib
import json
import re
import shlex
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import pulumi
from botocore.loaders import create_loader
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from components.arns import is_connect_instance_arn, is_sns_topic_arn, parse_arn
from components.waba.ids import waba_id_problem, waba_key

MAX_DESTINATIONS = 25  # the service's quota of linked WABAs per Region
TOP_LEVEL_KEYS = ("destinations", "topic", "connectRole", "tags")
# Namespaces that are never a project's: a key of ours there is not a misplaced setting.
_PROVIDER_NAMESPACES = ("aws", "pulumi")

# Formats, from the socialmessaging service model and the SNS, IAM and tagging limits.
# A WABA id in either form: components.waba.ids, shared with the resource's check.
# SNS topic names are not in botocore's model: 1 to 256 of these characters.
_TOPIC_NAME_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)
_TOPIC_NAME_MAX = 256


@dataclass(frozen=True)
class _Limit:
    """One string shape of botocore's IAM model: its length bounds and its pattern."""

    min: int
    max: int
    pattern: str

    def compiled(self) -> re.Pattern[str]:
        # IAM means ASCII: its `\w` is [A-Za-z0-9_], where Python's would admit 'é'.
        return re.compile(self.pattern, re.ASCII)


@lru_cache(maxsize=1)
def _iam_shapes() -> Mapping[str, Any]:
    """IAM's shapes from botocore's model: role name and tag limits are read, not copied."""
    return create_loader().load_service_model("iam", "service-2")["shapes"]


def _iam_limit(shape: str) -> _Limit:
    found = _iam_shapes()[shape]
    return _Limit(int(found.get("min", 0)), int(found.get("max", 0)), found.get("pattern", ""))


def _role_name_limit() -> _Limit:
    return _iam_limit("roleNameType")


def _max_tags() -> int:
    return int(_iam_shapes()["tagListType"]["max"])


def _tag_characters(shape: str) -> tuple[frozenset[str], frozenset[str]]:
    """The Unicode categories (`\\p{L}` -> 'L') and literal characters of a tag pattern
    such as `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`, which Python's `re` cannot compile."""
    pattern = _iam_limit(shape).pattern
    body = pattern[pattern.index("[") + 1 : pattern.rindex("]")]
    categories = frozenset(re.findall(r"\\p\{(\w)\}", body))
    literals = re.sub(r"\\p\{\w\}", "", body).replace("\\", "")
    return categories, frozenset(literals)


def _tag_text_problem(text: str, shape: str, what: str) -> str | None:
    """Why `text` is not a valid tag key or value (IAM's length and characters), or None."""
    limit = _iam_limit(shape)
    if not limit.min <= len(text) <= limit.max:
        return f"a {what} of {limit.min} to {limit.max} characters (this one has {len(text)})"
    categories, literals = _tag_characters(shape)
    bad = sorted(
        {c for c in text if c not in literals and unicodedata.category(c)[0] not in categories}
    )
    if bad:
        shown = ", ".join(repr(c) for c in bad[:5])
        return f"a {what} of letters, digits, spaces and _.:/=+-@ only (found {shown})"
    return None


def role_name_problem(name: str) -> str | None:
    """Why `name` is not an IAM role name (IAM's length limit and pattern), or None."""
    limit = _role_name_limit()
    if len(name) > limit.max:
        return (
            f"at most {limit.max} characters, IAM's limit for role names (this one has {len(name)})"
        )
    if len(name) < limit.min or not limit.compiled().fullmatch(name):
        bad = sorted({c for c in name if not limit.compiled().fullmatch(c)})
        found = f" (found {', '.join(repr(c) for c in bad[:5])})" if bad else ""
        return f"only ASCII letters, digits and '+=,.@_-' in an IAM role name{found}"
    return None


def topic_name_problem(name: str) -> str | None:
    """Why `name` is not a standard SNS topic name, or None."""
    if name.endswith(".fifo"):
        return "a standard topic name, not '.fifo' (FIFO topics cannot be event destinations)"
    if len(name) > _TOPIC_NAME_MAX:
        return (
            f"at most {_TOPIC_NAME_MAX} characters, SNS's limit for topic names "
            f"(this one has {len(name)})"
        )
    if not _TOPIC_NAME_CHARACTERS.fullmatch(name):
        bad = sorted({c for c in name if not _TOPIC_NAME_CHARACTERS.fullmatch(c)})
        found = f" (found {', '.join(repr(c) for c in bad[:5])})" if bad else ""
        return f"only ASCII letters, digits, '-' and '_' in an SNS topic name{found}"
    return None


def role_arn_problem(value: str) -> str | None:
    """Why `value` is not an IAM role ARN, or None: its name is checked as a role name."""
    arn = parse_arn(value)
    if (
        arn is None
        or arn.service != "iam"
        or arn.region
        or not re.fullmatch(r"\d{12}", arn.account, re.ASCII)
    ):
        return "an IAM role ARN 'arn:<partition>:iam::<account>:role/<name>'"
    if not arn.resource.startswith("role/"):
        return "an IAM role ARN 'arn:<partition>:iam::<account>:role/<name>'"
    return role_name_problem(arn.resource.rsplit("/", 1)[-1])


_EXAMPLE_WABA = "waba-0123456789abcdef0123456789abcdef"
# Examples are values a fix command sets (quoted there, so `<partition>` stays text).
_EXAMPLE_CONNECT = (
    "arn:<partition>:connect:us-east-1:111122223333:instance/aaaabbbb-cccc-dddd-eeee-ffff00001111"
)
_EXAMPLE_TOPIC = "arn:<partition>:sns:us-east-1:111122223333:whatsapp-events"
_EXAMPLE_ROLE = "arn:<partition>:iam::111122223333:role/whatsapp-connect-channel"


def _path_order(path: str) -> str:
    """Sort key that keeps a setting's problems together, destinations[2] before [10]."""
    return re.sub(r"\d+", lambda m: m.group().zfill(6), path)


def namespace_of(path: str, project: str) -> str:
    """The config namespace of a problem's key path (`aws:region` -> aws)."""
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    return head.split(":", 1)[0] if ":" in head else project


class SettingsError(pulumi.RunError):
    """Every problem in the stack configuration, reported together, one per line."""

    def __init__(self, problems: list[Problem], project: str) -> None:
        self.problems = sorted(problems, key=lambda p: _path_order(p.path))
        self.project = project
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        names = sorted({namespace_of(p.path, project) for p in self.problems} or {project})
        where = " and ".join(f"'{n}'" for n in names)
        super().__init__(
            f"Invalid stack configuration in namespace{'s' if len(names) > 1 else ''} {where} "
            f"({count} problem{'s' if count != 1 else ''}):\n{lines}"
        )


# Values `pulumi config set --path` would store as a boolean or a number: a string
# setting needs `--type string` for them (see coerce() in Pulumi's config package).
_COERCED_BY_CLI = re.compile(r"true|false|[+-]?[0-9]+")
# Settings whose values are booleans or numbers: their fixes let the CLI coerce.
_TYPED_KEYS = frozenset({"takeover", "verify", "keyRotation", "protect", "keyDeletionWindowDays"})
_SUMMARY_LENGTH = 120


def set_command(path: str, value: str) -> str:
    """`pulumi config set --path <path> <value>`, quoted for a POSIX shell, and typed so
    that a string such as `1234` or `true` stays a string."""
    argv = ["pulumi", "config", "set", "--path"]
    last = re.split(r"[.\[]", path)[-1].strip('"]')
    if last not in _TYPED_KEYS and _COERCED_BY_CLI.fullmatch(value):
        argv += ["--type", "string"]
    argv.append(path)
    if value.startswith("-"):
        argv.append("--")  # a value that looks like a flag
    argv.append(value)
    return shlex.join(argv)


def rm_command(path: str) -> str:
    """`pulumi config rm --path <path>`, quoted for a POSIX shell."""
    return shlex.join(["pulumi", "config", "rm", "--path", path])


def summarise(value: Any) -> str:
    """A received value as a message shows it: long lists, maps and strings summarised."""
    if value is _MISSING:
        return "nothing (the key is missing)"
    text = repr(value)
    if len(text) <= _SUMMARY_LENGTH:
        return text
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, Mapping):
        return f"a map of {len(value)} keys ({', '.join(map(str, list(value)[:3]))}, ...)"
    if isinstance(value, str):
        return f"{value[:60]!r}... ({len(value)} characters)"
    return text[: _SUMMARY_LENGTH - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One invalid setting: where, what was received, what was expected, how to fix it.

    The fix is a command that works when pasted into a POSIX shell: `pulumi config rm`
    when the key must go (`remove`), else `pulumi config set` with `example` (a value, not
    shell text), after any `commands` listed first; `advice` replaces the command where no
    config command can fix the problem.
    """

    path: str
    received: Any
    expected: str
    example: str = ""
    remove: bool = False  # the fix is to remove the key, not to change its value
    commands: tuple[str, ...] = field(default=())  # extra fix commands, run in this order
    advice: str = ""

    @property
    def fix(self) -> str:
        if self.advice:
            return self.advice
        if self.remove:
            return " && ".join([rm_command(self.path), *self.commands])
        if self.commands and not self.example:
            return " && ".join(self.commands)
        if not self.example:
            return rm_command(self.path)  # back to the default
        return " && ".join([*self.commands, set_command(self.path, self.example)])

    def __str__(self) -> str:
        received = summarise(self.received)
        return f"{self.path}: got {received}; expected {self.expected}. Fix: {self.fix}"


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
    "destinations": (f"a list of 1 to {MAX_DESTINATIONS} destinations (one per WABA)", ""),
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
    "topic": ("an object with name, keyRotation, keyDeletionWindowDays, protect", ""),
    "name": ("a name", "whatsapp-events"),
    "keyRotation": ("true or false", "true"),
    "keyDeletionWindowDays": ("a whole number of days from 7 to 30", "30"),
    "protect": ("true or false", "true"),
    "connectRole": ("an object with name", ""),
    "tags": ("a map of tag keys to string values", ""),
}

_TOPIC_NAME_EXPECTED = "a standard SNS topic name"
_ROLE_NAME_EXPECTED = "an IAM role name"
_EXAMPLE_TOPIC_NAME = "whatsapp-events"
_EXAMPLE_ROLE_NAME = "whatsapp-connect-channel"
# A map key that can stand in a `--path` as `.key`; any other is written `["key"]`.
_PLAIN_PATH_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*", re.ASCII)


def path_key(parent: str, key: str) -> str:
    """`parent.key`, or `parent["key"]` when the key holds characters a `--path` reads
    as syntax (a tag key such as `aws:owner` or `cost.center`)."""
    if _PLAIN_PATH_KEY.fullmatch(key):
        return f"{parent}.{key}" if parent else key
    return f'{parent}["{key}"]'


def _path(loc: Iterable[int | str]) -> str:
    path = ""
    for part in loc:
        path = f"{path}[{part}]" if isinstance(part, int) else path_key(path, str(part))
    return path


def _expected_for(loc: tuple[int | str, ...]) -> tuple[str, str]:
    names = [p for p in loc if isinstance(p, str)]
    if names[:2] == ["topic", "name"]:
        return (
            f"{_TOPIC_NAME_EXPECTED} of at most {_TOPIC_NAME_MAX} characters",
            _EXAMPLE_TOPIC_NAME,
        )
    if names[:2] == ["connectRole", "name"]:
        return (_ROLE_NAME_EXPECTED, _EXAMPLE_ROLE_NAME)
    if names and names[0] == "tags" and len(loc) > 1:
        return ("a string tag value", "platform")
    return _EXPECTED.get(names[-1] if names else "destinations", ("a valid value", ""))


def _destinations_commands(received: Any) -> tuple[str, ...]:
    """A first destination set key by key (a whole list cannot be set with `--path`)."""
    commands = [
        set_command("destinations[0].wabaId", _EXAMPLE_WABA),
        set_command("destinations[0].type", "sns"),
    ]
    if received is not _MISSING and not isinstance(received, list):
        commands.insert(0, rm_command("destinations"))
    return tuple(commands)


def _pydantic_problems(error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        expected, example = _expected_for(loc)
        extra = item["type"] == "extra_forbidden"
        if extra:
            expected = "no such key (check the spelling; keys are camelCase)"
        received = _MISSING if item["type"] == "missing" else item.get("input")
        path = _path(loc)
        if loc[0] == "tags" and len(loc) > 1 and isinstance(received, (bool, int, float)):
            # `pulumi config set --path` stored a string such as 1234 as a number.
            example = str(received).lower() if isinstance(received, bool) else str(received)
        if path == "destinations" and isinstance(received, list) and received:
            problems.append(
                Problem(
                    path,
                    received,
                    expected,
                    advice=f"one stack per {MAX_DESTINATIONS} WABAs: move the entries from "
                    f"destinations[{MAX_DESTINATIONS}] on to another stack "
                    "(pulumi stack init <name>), one per Region or account",
                )
            )
            continue
        if path == "destinations":
            problems.append(
                Problem(path, received, expected, commands=_destinations_commands(received))
            )
            continue
        problems.append(Problem(path, received, expected, example, remove=extra))
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
    waba_problem = waba_id_problem(waba_id) if isinstance(waba_id, str) else None
    if waba_problem is not None:
        problem("wabaId", f"{_EXPECTED['wabaId'][0]}; the value received {waba_problem}")

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
    elif isinstance(role_arn, str) and (why := role_arn_problem(role_arn)):
        problem("roleArn", f"the ARN of an existing IAM role: {why}")

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
                key = waba_key(waba_id) or waba_id
                if key in seen:
                    problems.append(
                        Problem(
                            f"destinations[{index}].wabaId",
                            waba_id,
                            f"each WABA once: it is already destinations[{seen[key]}] "
                            "(a WABA has exactly one event destination)",
                            advice=rm_command(f"destinations[{index}]"),
                        )
                    )
                else:
                    seen[key] = index

    # A name is checked only where its resource is created: an SNS-only stack never
    # makes a role, so a long stack name must not fail on the role's default name.
    uses = _uses(raw)
    topic = _as_dict(raw.get("topic"))
    topic_name = topic.get("name", default_topic_name(project, stack))
    if uses.topic and isinstance(topic_name, str) and (why := topic_name_problem(topic_name)):
        expected = f"{_TOPIC_NAME_EXPECTED}: {why}"
        if "name" not in topic:
            expected += "; this is the default '<project>-<stack>-events', so set a shorter name"
        problems.append(Problem("topic.name", topic_name, expected, _EXAMPLE_TOPIC_NAME))

    role = _as_dict(raw.get("connectRole"))
    role_name = role.get("name", default_connect_role_name(project, stack))
    if uses.role and isinstance(role_name, str) and (why := role_name_problem(role_name)):
        expected = f"{_ROLE_NAME_EXPECTED}: {why}"
        if "name" not in role:
            expected += (
                "; this is the default '<project>-<stack>-connect-channel', so set a shorter name"
            )
        problems.append(Problem("connectRole.name", role_name, expected, _EXAMPLE_ROLE_NAME))

    tags = raw.get("tags")
    if isinstance(tags, Mapping):
        problems += _tag_problems(tags)
    return problems


def _tag_problems(tags: Mapping[Any, Any]) -> list[Problem]:
    """IAM's tag limits (the same for the KMS key and the SNS topic): count, key and
    value lengths and characters, and no `aws:` prefix in any casing (AWS reserves it)."""
    problems: list[Problem] = []
    if len(tags) > _max_tags():
        problems.append(
            Problem(
                "tags",
                tags,
                f"at most {_max_tags()} tags, AWS's limit per resource (got {len(tags)})",
                advice="remove tags with: pulumi config rm --path 'tags.<key>'",
            )
        )
    for tag_key, value in tags.items():
        path = path_key("tags", str(tag_key))
        why = _tag_text_problem(str(tag_key), "tagKeyType", "tag key")
        if why is None and str(tag_key).lower().startswith("aws:"):
            why = "a tag key that does not start with 'aws:' in any casing (AWS reserves it)"
        if why:
            problems.append(Problem(path, tag_key, why, remove=True))
        elif isinstance(value, str) and (
            why := _tag_text_problem(value, "tagValueType", "tag value")
        ):
            problems.append(Problem(path, value, why, "platform"))
    return problems


@dataclass(frozen=True)
class _Uses:
    """Which of the stack's own resources the configuration creates."""

    topic: bool
    role: bool


def _uses(raw: Mapping[str, Any]) -> _Uses:
    destinations = raw.get("destinations")
    items = [_as_dict(d) for d in destinations] if isinstance(destinations, list) else []
    return _Uses(
        topic=any(d.get("type") == "sns" and not d.get("topicArn") for d in items),
        role=any(d.get("type") == "connect" and not d.get("roleArn") for d in items),
    )


def ignored_settings(raw: Mapping[str, Any]) -> list[str]:
    """Settings that have no effect on this configuration, one sentence each: `topic.*`
    when every SNS destination brings its own topic (`topicArn`), `connectRole.*` when
    every Connect destination brings its own role (`roleArn`)."""
    notes: list[str] = []
    uses = _uses(raw)
    for key, used, what, brought in (
        ("topic", uses.topic, "a topic", "topicArn"),
        ("connectRole", uses.role, "a role", "roleArn"),
    ):
        value = raw.get(key)
        if isinstance(value, Mapping) and value and not used:
            keys = ", ".join(f"{key}.{k}" for k in value)
            notes.append(
                f"{keys} {'has' if len(value) == 1 else 'have'} no effect: this stack creates "
                f"no {what[2:]} (every destination that needs {what} brings its own with "
                f"{brought}, or none needs one); remove with: {rm_command(key)}"
            )
    return notes


def parse_settings(raw: Mapping[str, Any], project: str, stack: str) -> StackSettings:
    """Validate raw configuration values; raise SettingsError listing every problem."""
    settings, problems = _settings_problems(raw, project, stack)
    if problems or settings is None:
        raise SettingsError(problems, project)
    return settings


def _settings_problems(
    raw: Mapping[str, Any], project: str, stack: str
) -> tuple[StackSettings | None, list[Problem]]:
    """The validated settings (None when invalid) and every problem, one per key path."""
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
    return (None if problems else settings), _unique(problems)


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


def _parsed(value: Any) -> Any:
    """A config value as the program sees it: objects arrive as JSON strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value  # a plain string, not JSON: validated as such
    return value


def split_namespaces(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Full config keys (`<namespace>:<key>`) grouped by namespace, objects parsed."""
    grouped: dict[str, dict[str, Any]] = {}
    for full_key, value in config.items():
        namespace, _, key = str(full_key).partition(":")
        if key:
            grouped.setdefault(namespace, {})[key] = _parsed(value)
    return grouped


def misplaced_settings(config: Mapping[str, Any], project: str, stack: str) -> list[Problem]:
    """Settings of this project written under another project's namespace.

    `pulumi.Config()` reads the namespace named after the project, so a stack file from a
    project of another name (`pulumi new --name ...`, a copied `Pulumi.<stack>.yaml`)
    would otherwise run silently on defaults. A namespace counts as ours when it holds
    `destinations`, the setting every stack has."""
    problems: list[Problem] = []
    for namespace, keys in split_namespaces(config).items():
        if namespace == project or namespace in _PROVIDER_NAMESPACES:
            continue
        if "destinations" not in keys:
            continue
        for key in sorted(set(keys) & set(TOP_LEVEL_KEYS)):
            problems.append(
                Problem(
                    f"{namespace}:{key}",
                    keys[key],
                    f"this setting under the project's own namespace '{project}:' (Pulumi "
                    f"reads a project's settings from the namespace named after it; "
                    f"'{namespace}' is not this project's name)",
                    advice=f"in Pulumi.{stack}.yaml, rename '{namespace}:{key}' to "
                    f"'{project}:{key}'",
                )
            )
    return problems


def _all_config() -> dict[str, Any]:
    """Every config key of the stack, as the engine passed it to the program."""
    return dict(pulumi.runtime.config.CONFIG.get())


@dataclass(frozen=True)
class StackConfiguration:
    """The stack's settings and aws provider settings, read and checked together, so
    that every problem is reported at once (the project's, the aws provider's, where
    the ARNs are), and `ignored` notes for settings that have no effect."""

    project: str
    stack: str
    raw: Mapping[str, Any]
    settings: StackSettings | None
    aws_provider: AwsProviderSettings | None
    problems: tuple[Problem, ...]
    ignored: tuple[str, ...]

    @property
    def can_locate(self) -> bool:
        """True when the aws provider settings are valid, so where the stack deploys
        (partition, Region, account) can be asked of the provider."""
        return self.aws_provider is not None

    def validated(
        self, location: tuple[str, str, str] | None = None
    ) -> tuple[StackSettings, AwsProviderSettings]:
        """The settings, or a SettingsError with every problem, placement included when
        `location` (partition, Region, account) is given."""
        problems = list(self.problems)
        if location is not None:
            problems += placement_problems(self.raw, *location)
        if problems or self.settings is None or self.aws_provider is None:
            raise SettingsError(_unique(problems), self.project)
        return self.settings, self.aws_provider


def check_configuration(config: Mapping[str, Any], project: str, stack: str) -> StackConfiguration:
    """Check full config keys (`<namespace>:<key>`) as the program and the review see them."""
    namespaces = split_namespaces(config)
    raw = namespaces.get(project, {})
    settings, problems = _settings_problems(raw, project, stack)
    aws_provider, aws_problems = _aws_provider_problems(namespaces.get("aws", {}))
    problems += aws_problems + misplaced_settings(config, project, stack)
    return StackConfiguration(
        project,
        stack,
        raw,
        settings,
        aws_provider,
        tuple(_unique(problems)),
        tuple(ignored_settings(raw)),
    )


def load_configuration() -> StackConfiguration:
    """Read this stack's configuration from the engine and check it; settings that have
    no effect are logged as warnings."""
    configuration = check_configuration(_all_config(), pulumi.get_project(), pulumi.get_stack())
    for note in configuration.ignored:
        pulumi.log.warn(note)
    return configuration


def load_settings() -> StackSettings:
    """Read and validate this stack's configuration (namespace: the project's name)."""
    project = pulumi.get_project()
    return parse_settings(
        split_namespaces(_all_config()).get(project, {}), project, pulumi.get_stack()
    )


def placement_problems(
    raw: Mapping[str, Any], partition: str, region: str, account_id: str
) -> list[Problem]:
    """Every ARN in the destinations must be where the stack deploys.

    A WABA publishes only to a destination in its own Region, and the stack's aws
    provider decides the partition, Region and account; finding a mismatch here fails
    before any resource is registered, rather than at the first API call. Reads the raw
    settings, so that it can be reported together with any other problem.
    """
    problems: list[Problem] = []
    where = f"partition {partition}, Region {region}, account {account_id}"
    destinations = raw.get("destinations")
    for index, item in enumerate(destinations if isinstance(destinations, list) else []):
        item = _as_dict(item)
        for key, regional in (
            ("wabaId", True),
            ("connectInstanceArn", True),
            ("topicArn", True),
            ("roleArn", False),
        ):
            value = item.get(key)
            arn = parse_arn(value) if isinstance(value, str) else None
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
                        f"an ARN where this stack deploys ({where}): deploy the stack there "
                        "(aws:region, and credentials for that account) or name a resource "
                        "in it",
                        _EXPECTED[key][1],
                    )
                )
    return problems


def validate_placement(
    settings: StackSettings, partition: str, region: str, account_id: str
) -> None:
    """Raise a SettingsError when an ARN of the settings is not where the stack deploys."""
    raw = {"destinations": [d.model_dump(by_alias=True) for d in settings.destinations]}
    problems = placement_problems(raw, partition, region, account_id)
    if problems:
        raise SettingsError(problems, pulumi.get_project())


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
_SECRET_AWS_KEYS = ("secretKey", "token", "accessKey")


@lru_cache(maxsize=1)
def aws_provider_keys() -> frozenset[str]:
    """Every setting the aws provider reads, from the pulumi-aws SDK's own config module
    (one property per key), so a typo such as `aws:regoin` is caught before the provider
    refuses it at preview."""
    from pulumi_aws.config import vars as aws_config

    exported = vars(aws_config._ExportableConfig)
    return frozenset(
        to_camel(name) for name, value in exported.items() if isinstance(value, property)
    )


def _unknown_aws_key_problems(raw: Mapping[str, Any]) -> list[Problem]:
    problems = []
    known = aws_provider_keys()
    for key in sorted(set(raw) - known):
        guess = difflib.get_close_matches(key, sorted(known), n=1)
        value = raw[key]
        received = "[secret]" if guess and guess[0] in _SECRET_AWS_KEYS else value
        commands: tuple[str, ...] = ()
        expected = "an aws provider setting (there is no such key"
        expected += f"; did you mean aws:{guess[0]}?)" if guess else ")"
        if guess:
            if isinstance(value, str) and guess[0] not in _SECRET_AWS_KEYS:
                commands = (shlex.join(["pulumi", "config", "set", f"aws:{guess[0]}", value]),)
        problems.append(Problem(f"aws:{key}", received, expected, remove=True, commands=commands))
    return problems


def parse_aws_provider_settings(raw: Mapping[str, Any]) -> AwsProviderSettings:
    """The identity of the stack's aws provider, for the WABA event destination resource.

    That resource calls AWS from its own process, so it must act as the same identity as
    the aws provider: a profile, and at most one role to assume. Anything it could not
    reproduce (chained roles, an external id, session policies, static keys) is refused
    here rather than silently acting as someone else; so is a key the provider does not
    have (a typo such as `aws:regoin`).
    """
    settings, problems = _aws_provider_problems(raw)
    if problems or settings is None:
        raise SettingsError(problems, "aws")
    return settings


def _aws_provider_problems(
    raw: Mapping[str, Any],
) -> tuple[AwsProviderSettings | None, list[Problem]]:
    problems: list[Problem] = _unknown_aws_key_problems(raw)
    for key, advice in _UNSUPPORTED_AWS_KEYS.items():
        if raw.get(key) is not None:
            received = "[secret]" if key in _SECRET_AWS_KEYS else raw[key]
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
        why = role_arn_problem(value) if isinstance(value, str) else "an IAM role ARN"
        if value is not None and why:
            problems.append(
                Problem(
                    f"{prefix}.roleArn",
                    value,
                    f"an IAM role ARN 'arn:<partition>:iam::<account>:role/<name>': {why}",
                    "arn:<partition>:iam::111122223333:role/deployer",
                )
            )
        role_arn = value if isinstance(value, str) else None
    if problems:
        return None, _unique(problems)
    profile = raw.get("profile")
    return AwsProviderSettings(
        profile=profile if isinstance(profile, str) else None, assume_role_arn=role_arn
    ), []


def load_aws_provider_settings() -> AwsProviderSettings:
    """Read the stack's aws provider settings (see parse_aws_provider_settings)."""
    return parse_aws_provider_settings(split_namespaces(_all_config()).get("aws", {}))
