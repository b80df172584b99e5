"""What `check` and `diff` decide without calling AWS: every input against botocore's
model and IAM's limits (lengths before patterns, so a hostile 100,000-character value
is refused at once; no pattern with nested repetition), and whether a change updates
in place or replaces."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.model import Shape

from components.arns import (
    FIFO_SUFFIX,
    SOCIAL_MESSAGING_PRINCIPAL,
    Arn,
    is_connect_instance_resource,
    is_topic_name,
    mismatches,
    parse_arn,
    partition_of_region,
)
from components.pulumi_compat import Unknown
from components.unique import first_per
from components.waba import ids
from components.waba.model import (
    put_members,
    role_arn_limits,
    role_name_limits,
)
from components.waba.state import (
    ASSUME_ROLE_ARN,
    BOOLEAN_INPUTS,
    EVENT_DESTINATION_ARN,
    INPUTS,
    OUTPUTS,
    OWNER_RESOURCE,
    PROVIDER_KEY,
    REGION,
    REQUIRED_INPUTS,
    ROLE_ARN,
    UNKNOWN,
    WABA_ARN,
    WABA_ID,
    desired_from,
    with_defaults,
)

# Longest Region code in any partition is about 20 characters.
_MAX_REGION_LENGTH = 32

WABA_ID_HINT = (
    "copy the id (waba-...) or the ARN from the AWS End User Messaging Social console, "
    "WhatsApp business accounts, or from "
    "`aws socialmessaging list-linked-whatsapp-business-accounts`"
)


def is_unknown(value: Any) -> bool:
    """A value the engine only knows after an earlier resource is created."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def model_violation(shape: Shape, value: str, max_length: int | None = None) -> str | None:
    """Why a string breaks its model constraints, or None: lengths first, then the
    pattern (Smithy patterns are unanchored, hence `re.search`, on a bounded string)."""
    low = shape.metadata.get("min")
    high = shape.metadata.get("max", max_length)
    if low is not None and len(value) < low:
        return f"is shorter than {low} characters"
    if high is not None and len(value) > high:
        return f"is {len(value)} characters long, longer than {high}"
    pattern = shape.metadata.get("pattern")
    if pattern is not None and re.search(pattern, value) is None:
        return f"does not match the service's pattern {pattern!r} ({shape.name})"
    return None


@dataclass(frozen=True)
class Failure:
    """One refused property and a reason that says how to fix it."""

    property: str
    reason: str


@dataclass(frozen=True)
class WabaScope:
    """Where the WABA lives, as far as the inputs tell."""

    partition: str | None
    region: str | None
    account: str | None


def waba_scope(waba_id: Any, region: Any) -> WabaScope:
    if isinstance(waba_id, str) and not is_unknown(waba_id):
        arn = parse_arn(waba_id)
        if arn is not None:
            return WabaScope(arn.partition, arn.region, arn.account)
    if isinstance(region, str) and not is_unknown(region) and region:
        return WabaScope(partition_of_region(region), region, None)
    return WabaScope(None, None, None)


def live_scope(waba_arn: str) -> WabaScope:
    arn = parse_arn(waba_arn)
    if arn is None:
        return WabaScope(None, None, None)
    return WabaScope(arn.partition, arn.region, arn.account)


def _check_type(prop: str, value: Any) -> Failure | None:
    if prop in BOOLEAN_INPUTS:
        if not isinstance(value, bool):
            return Failure(
                prop, f"received {value!r}; expected true or false. Set {prop} to a boolean."
            )
        return None
    if not isinstance(value, str):
        return Failure(prop, f"received {value!r}; expected a string. Set {prop} to a string.")
    invisible = ids.describe_invisible(value)
    if invisible:
        shown = value if len(value) <= 200 else value[:200] + "..."
        return Failure(prop, f"received {shown!r}, which {invisible}; remove it.")
    return None


def check_waba_id(waba_id: str, region: Any) -> list[Failure]:
    """The WABA id in either form (the one normalisation), and its ARN's Region."""
    invisible = ids.describe_invisible(waba_id)
    problem = (
        (f"{invisible}; remove it" if invisible else None)
        or model_violation(put_members()[WABA_ID], waba_id)
        or ids.waba_id_problem(waba_id)
    )
    if problem is not None:
        return [
            Failure(
                WABA_ID,
                f"received {waba_id!r}, which {problem}; expected 'waba-<id>' or "
                f"'arn:<partition>:social-messaging:<region>:<account>:waba/<id>'. "
                f"Fix: {WABA_ID_HINT}.",
            )
        ]
    arn = parse_arn(waba_id)
    if arn is not None:
        if not arn.region:
            return [
                Failure(
                    WABA_ID,
                    f"received {waba_id!r}; expected a WABA ARN with its Region "
                    "'arn:<partition>:social-messaging:<region>:<account>:waba/<id>'. "
                    f"Fix: {WABA_ID_HINT}.",
                )
            ]
        if isinstance(region, str) and not is_unknown(region) and region != arn.region:
            return [
                Failure(
                    REGION,
                    f"received {region!r}, but wabaId {waba_id!r} is a WABA in "
                    f"{arn.region!r}; a WABA is linked to one Region. Set region to "
                    f"{arn.region!r}.",
                )
            ]
    return []


def _region_well_formed(region: str) -> bool:
    """`eu-west-1`, `us-gov-west-1`, `cn-north-1`: letters, dash-separated words, a
    number; checked by splitting, not by a pattern with nested repetition."""
    if len(region) > _MAX_REGION_LENGTH:
        return False
    parts = region.split("-")
    return (
        len(parts) >= 3
        and parts[-1].isascii()
        and parts[-1].isdigit()
        and all(part.isascii() and part.isalpha() and part.islower() for part in parts[:-1])
        and 2 <= len(parts[0]) <= 4
    )


def check_region(region: str) -> list[Failure]:
    if not _region_well_formed(region) or partition_of_region(region) is None:
        return [
            Failure(
                REGION,
                f"received {region[:64]!r}; expected an AWS Region code such as 'eu-west-1' "
                "where the WABA is linked. Set region to the WABA's Region.",
            )
        ]
    return []


def _scope_failures(prop: str, value: str, arn: Arn, scope: WabaScope, what: str) -> list[Failure]:
    return [
        Failure(
            prop,
            f"received {value!r} in {part} {got!r}, but the WABA is in {part} {wanted!r}; "
            f"use {what} in {part} {wanted!r}.",
        )
        for part, got, wanted in mismatches(arn, scope.partition, scope.region, scope.account)
    ]


_DESTINATION_EXPECTED = (
    "expected an SNS topic ARN 'arn:<partition>:sns:<region>:<account>:<topic>' or an "
    "Amazon Connect instance ARN "
    "'arn:<partition>:connect:<region>:<account>:instance/<instance-id>'"
)


def _topic_failures(value: str, arn: Arn, has_role: bool, role_arn: Any) -> list[Failure]:
    failures = []
    if arn.resource.endswith(FIFO_SUFFIX):
        failures.append(
            Failure(
                EVENT_DESTINATION_ARN,
                f"received {value!r}, a FIFO topic; AWS End User Messaging Social only "
                "publishes to standard topics. Use a standard topic (no .fifo suffix, "
                "fifoTopic false).",
            )
        )
    elif not is_topic_name(arn.resource):
        failures.append(
            Failure(
                EVENT_DESTINATION_ARN,
                f"received {value!r}, which is not a topic ARN (a subscription ARN has "
                f"a ':<id>' suffix); {_DESTINATION_EXPECTED}.",
            )
        )
    if has_role:
        failures.append(
            Failure(
                ROLE_ARN,
                f"received {role_arn!r} with an SNS topic destination; SNS delivery is "
                "authorised by the topic policy, not a role. Remove roleArn.",
            )
        )
    return failures


def _connect_failures(value: str, arn: Arn, has_role: bool, role_arn: Any) -> list[Failure]:
    failures = []
    if not is_connect_instance_resource(arn.resource):
        failures.append(
            Failure(
                EVENT_DESTINATION_ARN,
                f"received {value!r}, which is not a Connect instance ARN; "
                f"{_DESTINATION_EXPECTED}.",
            )
        )
    if not has_role and not is_unknown(role_arn):
        failures.append(
            Failure(
                ROLE_ARN,
                "received no roleArn with an Amazon Connect destination; Connect needs "
                f"the two-way channel role that trusts {SOCIAL_MESSAGING_PRINCIPAL}. "
                "Set roleArn to that role's ARN.",
            )
        )
    return failures


def check_destination(value: str, role_arn: Any, scope: WabaScope) -> list[Failure]:
    """A standard SNS topic or a Connect instance ARN, in the WABA's partition, Region
    and account, with a role exactly when it is Connect."""
    problem = model_violation(put_members()[EVENT_DESTINATION_ARN], value)
    arn = parse_arn(value) if problem is None else None
    if problem is not None or arn is None:
        shown = value if len(value) <= 200 else value[:200] + "..."
        reason = problem or "is not an ARN"
        return [
            Failure(
                EVENT_DESTINATION_ARN,
                f"received {shown!r}, which {reason}; {_DESTINATION_EXPECTED}.",
            )
        ]
    has_role = isinstance(role_arn, str) and role_arn != "" and not is_unknown(role_arn)
    by_service = {"sns": _topic_failures, "connect": _connect_failures}.get(arn.service)
    if by_service is None:
        return [
            Failure(
                EVENT_DESTINATION_ARN,
                f"received {value!r}, an ARN of service {arn.service!r}; {_DESTINATION_EXPECTED}.",
            )
        ]
    failures = by_service(value, arn, has_role, role_arn)
    return failures + _scope_failures(EVENT_DESTINATION_ARN, value, arn, scope, "a destination")


def role_problem(value: str) -> str | None:
    """Why a value is not an IAM role ARN within IAM's limits, or None. The length
    checks come first, so a hostile value costs no pattern matching."""
    low, high = role_arn_limits()
    if len(value) < low:
        return f"is shorter than {low} characters"
    if len(value) > high:
        return f"is {len(value)} characters long, longer than IAM's {high}"
    problem = model_violation(put_members()[ROLE_ARN], value)
    if problem is not None:
        return problem
    arn = parse_arn(value)
    if arn is None or arn.service != "iam" or not arn.resource.startswith("role/"):
        return "is not an IAM role ARN"
    max_name, max_path = role_name_limits()
    path, _, name = arn.resource[len("role") :].rpartition("/")
    if len(name) > max_name:
        return f"has a role name {len(name)} characters long, longer than IAM's {max_name}"
    if len(path) + 1 > max_path:
        return f"has a role path longer than IAM's {max_path} characters"
    return None


def check_role(prop: str, value: str, scope: WabaScope, same_account: bool) -> list[Failure]:
    problem = role_problem(value)
    arn = parse_arn(value) if problem is None else None
    if problem is not None or arn is None:
        shown = value if len(value) <= 200 else value[:200] + "..."
        return [
            Failure(
                prop,
                f"received {shown!r}, which {problem or 'is not an ARN'}; expected an IAM "
                "role ARN 'arn:<partition>:iam::<account>:role/<name>'.",
            )
        ]
    role_scope = scope if same_account else WabaScope(scope.partition, None, None)
    return _scope_failures(prop, value, arn, role_scope, "a role")


def check_inputs(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """Validate the inputs without calling AWS: one failure per bad property, unknown
    values let through. Returns the inputs with defaults filled."""
    inputs = with_defaults(news)
    failures: list[Failure] = []
    for key in sorted(set(inputs) - set(INPUTS) - set(OUTPUTS) - {PROVIDER_KEY}):
        failures.append(
            Failure(
                key,
                f"is not a property of WabaEventDestination; expected only {', '.join(INPUTS)}. "
                "Credentials are never inputs: use profile or assumeRoleArn. Remove "
                f"{key}.",
            )
        )
    for key in REQUIRED_INPUTS:
        if inputs.get(key) in (None, ""):
            failures.append(Failure(key, f"is required; set {key}."))
    usable: dict[str, Any] = {}
    for key in INPUTS:
        value = inputs.get(key)
        if value is None or is_unknown(value) or (value == "" and key in REQUIRED_INPUTS):
            continue
        failure = _check_type(key, value)
        if failure is not None:
            failures.append(failure)
        else:
            usable[key] = value
    region = usable.get(REGION)
    if region:
        failures += check_region(region)
    if WABA_ID in usable:
        failures += check_waba_id(usable[WABA_ID], inputs.get(REGION))
    scope = waba_scope(usable.get(WABA_ID), region)
    if usable.get(EVENT_DESTINATION_ARN):
        failures += check_destination(usable[EVENT_DESTINATION_ARN], inputs.get(ROLE_ARN), scope)
    if usable.get(ROLE_ARN):
        failures += check_role(ROLE_ARN, usable[ROLE_ARN], scope, same_account=True)
    if usable.get(ASSUME_ROLE_ARN):
        failures += check_role(ASSUME_ROLE_ARN, usable[ASSUME_ROLE_ARN], scope, same_account=False)
    return inputs, _one_per_property(failures)


def _one_per_property(failures: list[Failure]) -> list[Failure]:
    return first_per(failures, lambda failure: failure.property)


def live_failures(props: Mapping[str, Any], waba_arn: str) -> list[Failure]:
    """The destination and role checked against the WABA's real account."""
    scope = live_scope(waba_arn)
    failures = check_destination(
        str(props[EVENT_DESTINATION_ARN]), props.get(ROLE_ARN) or "", scope
    )
    if props.get(ROLE_ARN):
        failures += check_role(ROLE_ARN, str(props[ROLE_ARN]), scope, same_account=True)
    return failures


@dataclass(frozen=True)
class DiffPlan:
    """The engine's view of a change: update in place, replace, or nothing."""

    changes: bool
    replaces: tuple[str, ...] = ()
    delete_before_replace: bool = False


def same_waba(old: Mapping[str, Any], new_waba_id: Any) -> bool:
    """The new wabaId names the WABA in state, in any form or case."""
    if is_unknown(new_waba_id):
        return False
    return ids.same_waba(new_waba_id, old.get(WABA_ID)) or ids.same_waba(
        new_waba_id, old.get(WABA_ARN)
    )


def plan_diff(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffPlan:
    """Another WABA or Region replaces, deleting first (it is another WABA, so the
    old one's delete and the new one's create never meet on one WABA). The same WABA
    in another form or case, and every other input, update in place. A replacement the
    engine decides on its own (`--replace`, a rename) is create-before-delete: the
    claim on the WABA settles it (the new resource inherits, the old one's delete
    leaves the WABA alone)."""
    news = with_defaults(news)
    olds = with_defaults(olds)
    replaces = []
    if not same_waba(olds, news.get(WABA_ID)):
        replaces.append(WABA_ID)
    if news.get(REGION) != olds.get(REGION):
        replaces.append(REGION)
    # The resource's own name alone changes when its component is renamed with
    # `aliases`: the claim still carries this resource's token, so nothing is written
    # and the engine shows no change (the claim learns the new name at the next write).
    changed = [key for key in INPUTS if key != OWNER_RESOURCE and news.get(key) != olds.get(key)]
    return DiffPlan(
        changes=bool(changed),
        replaces=tuple(replaces),
        delete_before_replace=bool(replaces),
    )


def writes_destination(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """Whether the declared destination or role differs."""
    return desired_from(with_defaults(olds)) != desired_from(with_defaults(news))


def waba_resource_arn(waba_id: str, region: str, known_arn: str = "") -> str:
    """The WABA as the IAM resource a permission names."""
    for candidate in (known_arn, waba_id):
        arn = parse_arn(candidate) if candidate else None
        if arn is not None and arn.resource.startswith("waba/"):
            return candidate
    key = ids.waba_key(waba_id) or waba_id
    partition = partition_of_region(region) if region else None
    return (
        f"arn:{partition or '<partition>'}:social-messaging:{region or '<region>'}:"
        f"<account>:waba/{key}"
    )
