"""The aws provider's identity and where the stack deploys.

The WABA event destination resource calls AWS from its own process, so it must act as
the same identity as the stack's aws provider; and every ARN of the settings must be in
the partition, Region and account the provider deploys to.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from components.arns import known_regions, mismatches, parse_arn, partitions
from components.pulumi_compat import aws_provider_config_names
from components.settings.fixes import Edit, Problem, first_per_path
from components.settings.names import role_arn_problem
from components.settings.schema import EXPECTED, camel


@dataclass(frozen=True)
class AwsProviderSettings:
    """What the stack's default aws provider acts as, so the WABA resource acts the same."""

    profile: str | None = None
    assume_role_arn: str | None = None


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
    return frozenset(camel(name) for name in aws_provider_config_names())


def _unknown_aws_key_problems(raw: Mapping[str, Any]) -> list[Problem]:
    problems = []
    known = aws_provider_keys()
    for key in sorted(set(raw) - known):
        guess = difflib.get_close_matches(key, sorted(known), n=1)
        value = raw[key]
        received = "[secret]" if guess and guess[0] in _SECRET_AWS_KEYS else value
        edits: tuple[Edit, ...] = ()
        expected = "an aws provider setting (there is no such key"
        expected += f"; did you mean aws:{guess[0]}?)" if guess else ")"
        if guess and isinstance(value, str) and guess[0] not in _SECRET_AWS_KEYS:
            edits = (Edit(f"aws:{guess[0]}", value, plain=True),)
        problems.append(Problem(f"aws:{key}", received, expected, remove=True, edits=edits))
    return problems


def _assume_role_problems(key: str, roles: Any) -> tuple[str | None, list[Problem]]:
    """The one role to assume (`aws:assumeRole` or `aws:assumeRoles`) and its problems."""
    problems: list[Problem] = []
    if isinstance(roles, Mapping):
        roles, prefix = [roles], f"aws:{key}"
    else:
        prefix = f"aws:{key}[0]"
    if not isinstance(roles, list) or not roles:
        return None, []
    if len(roles) > 1:
        problems.append(
            Problem(
                f"aws:{key}",
                f"{len(roles)} roles",
                "at most one role: the WABA event destination resource cannot chain roles; "
                "use aws:profile with a profile that does (role_arn and source_profile "
                "in ~/.aws/config)",
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
    return (value if isinstance(value, str) else None), problems


def region_problem(value: Any) -> str | None:
    """Why `value` is not a Region botocore lists (for any partition), or None. A letter
    that only looks ASCII (a Cyrillic 'е' in `us-еast-1`) is named with its position."""
    if not isinstance(value, str):
        kinds = {"list": "list", "dict": "map", "bool": "boolean"}
        kind = kinds.get(type(value).__name__, "number")
        return f"a Region name such as 'us-east-1', not a {kind}"
    for position, character in enumerate(value, start=1):
        if not character.isascii():
            name = unicodedata.name(character, f"U+{ord(character):04X}")
            return (
                f"a Region name in ASCII letters; {character!r} ({name}) at position "
                f"{position} is not ASCII: type the Region again"
            )
    regions = known_regions()
    if value in regions:
        return None
    guess = difflib.get_close_matches(value, sorted(regions), n=1)
    hint = f" (did you mean {guess[0]}?)" if guess else ""
    return (
        f"a Region botocore knows in one of the partitions {', '.join(partitions())}{hint}; "
        "a Region newer than the installed botocore needs a newer botocore"
    )


def aws_provider_problems(
    raw: Mapping[str, Any],
) -> tuple[AwsProviderSettings | None, list[Problem]]:
    """The identity of the stack's aws provider (`raw`: the `aws` namespace), for the WABA
    event destination resource, or None and every problem.

    The resource must act as the same identity as the aws provider: a profile, and at
    most one role to assume. Anything it could not reproduce (chained roles, an external
    id, session policies, static keys) is refused rather than silently acting as someone
    else; so is a key the provider does not have (a typo such as `aws:regoin`).
    """
    problems: list[Problem] = _unknown_aws_key_problems(raw)
    for key, advice in _UNSUPPORTED_AWS_KEYS.items():
        if raw.get(key) is not None:
            received = "[secret]" if key in _SECRET_AWS_KEYS else raw[key]
            problems.append(Problem(f"aws:{key}", received, f"not set: {advice}", remove=True))
    region = raw.get("region")
    if region is not None and (why := region_problem(region)):
        problems.append(Problem("aws:region", region, why, "us-east-1"))
    key = "assumeRoles" if raw.get("assumeRoles") is not None else "assumeRole"
    role_arn, role_problems = _assume_role_problems(key, raw.get(key))
    problems += role_problems
    if problems:
        return None, first_per_path(problems)
    profile = raw.get("profile")
    return AwsProviderSettings(
        profile=profile if isinstance(profile, str) else None, assume_role_arn=role_arn
    ), []


# The ARN keys of a destination, and whether each names a Region (a role's does not).
ARN_KEYS = (
    ("wabaId", True),
    ("connectInstanceArn", True),
    ("topicArn", True),
    ("roleArn", False),
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
        item = item if isinstance(item, Mapping) else {}
        for key, regional in ARN_KEYS:
            value = item.get(key)
            arn = parse_arn(value) if isinstance(value, str) else None
            if arn is None:
                continue
            if mismatches(arn, partition, region if regional else None, account_id):
                problems.append(
                    Problem(
                        f"destinations[{index}].{key}",
                        value,
                        f"an ARN where this stack deploys ({where}): deploy the stack there "
                        "(aws:region, and credentials for that account) or name a resource "
                        "in it",
                        EXPECTED[key][1],
                    )
                )
    return problems
