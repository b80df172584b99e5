"""The checks of the project's settings: structure (`structure`), then the rules no single
field type can express, every problem reported at once, one per key path.

`parse_settings` is the one entry point, for the stack's program (config keys and
`pulumi config` fixes, the default) and for a component whose inputs mirror the settings
(`naming=PropertyNaming(...)`: property paths and property fixes, the same messages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.arns import is_connect_instance_arn, is_sns_topic_arn, mismatches, parse_arn
from components.settings.fixes import (
    CONFIG_NAMING,
    MISSING,
    Edit,
    Naming,
    Problem,
    SettingsError,
    first_per_path,
    loc_path,
    path_key,
)
from components.settings.names import (
    TOPIC_NAME_MAX,
    max_tags,
    role_arn_problem,
    role_name_problem,
    tag_text_problem,
    topic_name_problem,
)
from components.settings.schema import (
    EXAMPLE_ROLE_NAME,
    EXAMPLE_TOPIC_NAME,
    EXAMPLE_WABA,
    EXPECTED,
    MAX_DESTINATIONS,
    ROLE_NAME_EXPECTED,
    TOP_LEVEL_KEYS,
    TOPIC_NAME_EXPECTED,
    StackSettings,
    default_connect_role_name,
    default_topic_name,
    needs_own_role,
    needs_own_topic,
)
from components.settings.structure import Issue, parse
from components.waba.ids import NEITHER_FORM, waba_id_problem, waba_key


def parse_settings(
    raw: Mapping[str, Any], project: str, stack: str, naming: Naming = CONFIG_NAMING
) -> StackSettings:
    """Validate raw settings (`destinations`, `topic`, `connectRole`, `tags`, values as
    the program sees them); raise a SettingsError listing every problem, its locations
    and fixes worded by `naming`. `project` and `stack` make the default names."""
    settings, problems = settings_problems(raw, project, stack)
    if problems or settings is None:
        raise SettingsError(problems, project, naming)
    return settings


def settings_problems(
    raw: Mapping[str, Any], project: str, stack: str
) -> tuple[StackSettings | None, list[Problem]]:
    """The validated settings (None when invalid) and every problem, one per key path."""
    problems = [
        Problem(
            key,
            raw[key],
            f"one of the keys {', '.join(TOP_LEVEL_KEYS)} (check the spelling)",
            remove=True,
        )
        for key in sorted(set(raw) - set(TOP_LEVEL_KEYS))
    ]
    known = {k: v for k, v in raw.items() if k in TOP_LEVEL_KEYS and v is not None}
    settings, issues = parse(StackSettings, known)
    problems += [_structure_problem(issue) for issue in issues]
    problems += _semantic_problems(known, project, stack)
    return (None if problems else settings), first_per_path(problems)


def _expected_for(loc: tuple[int | str, ...]) -> tuple[str, str]:
    names = [p for p in loc if isinstance(p, str)]
    if names[:2] == ["topic", "name"]:
        return f"{TOPIC_NAME_EXPECTED} of at most {TOPIC_NAME_MAX} characters", EXAMPLE_TOPIC_NAME
    if names[:2] == ["connectRole", "name"]:
        return (ROLE_NAME_EXPECTED, EXAMPLE_ROLE_NAME)
    if names and names[0] == "tags" and len(loc) > 1:
        return ("a string tag value", "platform")
    return EXPECTED.get(names[-1] if names else "destinations", ("a valid value", ""))


def _destinations_problem(received: Any, expected: str) -> Problem:
    """`destinations` missing, empty, too long or not a list."""
    if isinstance(received, list) and received:
        return Problem(
            "destinations",
            received,
            expected,
            advice=f"one stack per {MAX_DESTINATIONS} WABAs: move the entries from "
            f"destinations[{MAX_DESTINATIONS}] on to another stack "
            "(pulumi stack init <name>), one per Region or account",
        )
    # A first destination set key by key (a whole list cannot be set with `--path`).
    edits = [Edit("destinations[0].wabaId", EXAMPLE_WABA), Edit("destinations[0].type", "sns")]
    if received is not MISSING and not isinstance(received, list):
        edits.insert(0, Edit("destinations"))
    return Problem("destinations", received, expected, edits=tuple(edits))


def _structure_problem(issue: Issue) -> Problem:
    expected, example = _expected_for(issue.loc)
    if issue.unknown:
        expected = "no such key (check the spelling; keys are camelCase)"
    received = MISSING if issue.missing else issue.received
    path = loc_path(issue.loc)
    if issue.loc[0] == "tags" and len(issue.loc) > 1 and isinstance(received, (bool, int, float)):
        # `pulumi config set --path` stored a string such as 1234 as a number.
        example = str(received).lower() if isinstance(received, bool) else str(received)
    if path == "destinations":
        return _destinations_problem(received, expected)
    return Problem(path, received, expected, example, remove=issue.unknown)


def as_dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


class _Destination:
    """The problems of one destination, each worded from the key's expectation."""

    def __init__(self, index: int, item: Mapping[str, Any]) -> None:
        self.prefix = f"destinations[{index}]"
        self.item = item
        self.kind = item.get("type")
        self.problems: list[Problem] = []

    def problem(self, key: str, expected: str | None = None, remove: bool = False) -> None:
        default_expected, example = EXPECTED[key]
        received = self.item.get(key, MISSING)
        self.problems.append(
            Problem(f"{self.prefix}.{key}", received, expected or default_expected, example, remove)
        )

    def text(self, key: str) -> str | None:
        value = self.item.get(key)
        return value if isinstance(value, str) else None


def _check_waba_and_connect(d: _Destination) -> None:
    waba_id = d.text("wabaId")
    waba_problem = waba_id_problem(waba_id) if waba_id is not None else None
    if waba_problem == NEITHER_FORM:
        d.problem("wabaId")  # the expected forms say it
    elif waba_problem is not None:
        d.problem("wabaId", f"{EXPECTED['wabaId'][0]}; the value received {waba_problem}")
    connect_arn = d.item.get("connectInstanceArn")
    if d.kind == "connect" and connect_arn is None:
        d.problem(
            "connectInstanceArn", "an Amazon Connect instance ARN (required for type 'connect')"
        )
    elif d.kind == "sns" and connect_arn is not None:
        d.problem(
            "connectInstanceArn", "no connectInstanceArn on a destination of type 'sns'", True
        )
    elif isinstance(connect_arn, str) and not is_connect_instance_arn(connect_arn):
        d.problem("connectInstanceArn")


def _check_topic_and_role(d: _Destination) -> None:
    topic_arn = d.item.get("topicArn")
    if topic_arn is not None and d.kind == "connect":
        d.problem("topicArn", "no topicArn on a destination of type 'connect'", True)
    elif isinstance(topic_arn, str):
        if topic_arn.endswith(".fifo"):
            d.problem(
                "topicArn", "a standard SNS topic ARN: FIFO topics (.fifo) cannot receive events"
            )
        elif not is_sns_topic_arn(topic_arn):
            d.problem("topicArn")
    role_arn = d.item.get("roleArn")
    if role_arn is not None and d.kind == "sns":
        d.problem(
            "roleArn",
            "no roleArn on a destination of type 'sns' (the topic policy authorises delivery)",
            True,
        )
    elif isinstance(role_arn, str) and (why := role_arn_problem(role_arn)):
        d.problem("roleArn", f"the ARN of an existing IAM role: {why}")


def _check_beside_waba(d: _Destination) -> None:
    """A destination must live in the same partition, Region and account as its WABA."""
    waba_id = d.text("wabaId")
    waba = parse_arn(waba_id) if waba_id is not None else None
    for key in ("connectInstanceArn", "topicArn"):
        value = d.text(key)
        target = parse_arn(value) if value is not None else None
        if waba and target and mismatches(target, waba.partition, waba.region, waba.account):
            d.problem(
                key,
                "a destination in the WABA's partition, Region and account "
                f"({waba.partition}, {waba.region}, {waba.account})",
            )


def _arn_problems(index: int, item: Mapping[str, Any]) -> list[Problem]:
    """Cross-field rules that no single field type can express."""
    destination = _Destination(index, item)
    _check_waba_and_connect(destination)
    _check_topic_and_role(destination)
    _check_beside_waba(destination)
    return destination.problems


def _destination_problems(destinations: list[Any]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(destinations):
        item = as_dict(item)
        problems += _arn_problems(index, item)
        waba_id = item.get("wabaId")
        if not isinstance(waba_id, str):
            continue
        key = waba_key(waba_id) or waba_id
        if key not in seen:
            seen[key] = index
            continue
        problems.append(
            Problem(
                f"destinations[{index}].wabaId",
                waba_id,
                f"each WABA once: it is already destinations[{seen[key]}] "
                "(a WABA has exactly one event destination)",
                edits=(Edit(f"destinations[{index}]"),),
            )
        )
    return problems


def _name_problems(raw: Mapping[str, Any], project: str, stack: str) -> list[Problem]:
    """A name is checked only where its resource is created: an SNS-only stack never
    makes a role, so a long stack name must not fail on the role's default name."""
    problems: list[Problem] = []
    uses = uses_of(raw)
    for key, used, default, check, expected, example in (
        ("topic", uses.topic, default_topic_name(project, stack), topic_name_problem,
         TOPIC_NAME_EXPECTED, EXAMPLE_TOPIC_NAME),
        ("connectRole", uses.role, default_connect_role_name(project, stack), role_name_problem,
         ROLE_NAME_EXPECTED, EXAMPLE_ROLE_NAME),
    ):  # fmt: skip
        given = as_dict(raw.get(key))
        name = given.get("name", default)
        if used and isinstance(name, str) and (why := check(name)):
            text = f"{expected}: {why}"
            if "name" not in given:
                text += f"; this is the default '{_default_form(key)}', so set a shorter name"
            problems.append(Problem(f"{key}.name", name, text, example))
    return problems


def _default_form(key: str) -> str:
    return (
        default_topic_name("<project>", "<stack>")
        if key == "topic"
        else (default_connect_role_name("<project>", "<stack>"))
    )


def _semantic_problems(raw: Mapping[str, Any], project: str, stack: str) -> list[Problem]:
    destinations = raw.get("destinations")
    problems = _destination_problems(destinations) if isinstance(destinations, list) else []
    problems += _name_problems(raw, project, stack)
    tags = raw.get("tags")
    if isinstance(tags, Mapping) and tags:  # IAM's model is loaded only when there are tags
        problems += _tag_problems(tags)
    return problems


def _tag_problems(tags: Mapping[Any, Any]) -> list[Problem]:
    """IAM's tag limits (the same for the KMS key and the SNS topic): count, key and
    value lengths and characters, and no `aws:` prefix in any casing (AWS reserves it)."""
    problems: list[Problem] = []
    if len(tags) > max_tags():
        problems.append(
            Problem(
                "tags",
                tags,
                f"at most {max_tags()} tags, AWS's limit per resource (got {len(tags)})",
                edits=(Edit("tags.<key>"),),
                advice="remove tags with:",
            )
        )
    for tag_key, value in tags.items():
        path = path_key("tags", str(tag_key))
        why = tag_text_problem(str(tag_key), "tagKeyType", "tag key")
        if why is None and str(tag_key).lower().startswith("aws:"):
            why = "a tag key that does not start with 'aws:' in any casing (AWS reserves it)"
        if why:
            problems.append(Problem(path, tag_key, why, remove=True))
        elif isinstance(value, str) and (
            why := tag_text_problem(value, "tagValueType", "tag value")
        ):
            problems.append(Problem(path, value, why, "platform"))
    return problems


@dataclass(frozen=True)
class Uses:
    """Which of the stack's own resources the configuration creates."""

    topic: bool
    role: bool


def uses_of(raw: Mapping[str, Any]) -> Uses:
    destinations = raw.get("destinations")
    items = [as_dict(d) for d in destinations] if isinstance(destinations, list) else []
    return Uses(
        topic=any(needs_own_topic(d.get("type"), d.get("topicArn")) for d in items),
        role=any(needs_own_role(d.get("type"), d.get("roleArn")) for d in items),
    )


def ignored_settings(raw: Mapping[str, Any], naming: Naming = CONFIG_NAMING) -> list[str]:
    """Settings that have no effect on this configuration, one sentence each: `topic.*`
    when every SNS destination brings its own topic (`topicArn`), `connectRole.*` when
    every Connect destination brings its own role (`roleArn`)."""
    notes: list[str] = []
    uses = uses_of(raw)
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
                f"{brought}, or none needs one); remove with: {naming.edit(Edit(key))}"
            )
    return notes
