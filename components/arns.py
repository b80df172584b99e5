"""Partition-aware ARN building and parsing.

Every ARN this project writes is built here from the real partition (`aws`, `aws-cn`,
`aws-us-gov`, ...), so a stack in China or GovCloud never receives a commercial ARN.
Parsing is botocore's (`botocore.utils.ArnParser`), and which partition a Region belongs
to comes from botocore's endpoint partition data, not from a guess on the Region's prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from botocore.loaders import create_loader
from botocore.utils import ArnParser, InvalidArnException

SOCIAL_MESSAGING_SERVICE = "social-messaging"
SOCIAL_MESSAGING_PRINCIPAL = "social-messaging.amazonaws.com"
# SNS topic names (not in botocore's model): 1 to 256 ASCII letters, digits, '-', '_'.
TOPIC_NAME_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)
TOPIC_NAME_MAX = 256
FIFO_SUFFIX = ".fifo"
# A Connect instance id: botocore's connect model documents it as a UUID in lower-case
# hexadecimal (the InstanceIdOrArn pattern) of 1 to 100 characters (the InstanceId
# shape); ids are checked for those characters and that length.
_CONNECT_INSTANCE_ID = re.compile(r"[0-9a-f-]{1,100}", re.ASCII)

_ACCOUNT = re.compile(r"^\d{12}$", re.ASCII)
_PARSER = ArnParser()


@dataclass(frozen=True)
class Arn:
    """The parts of an ARN; the resource part keeps its own separators."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return ":".join(
            ["arn", self.partition, self.service, self.region, self.account, self.resource]
        )


def mismatches(
    arn: Arn, partition: str | None, region: str | None, account: str | None
) -> list[tuple[str, str, str]]:
    """Where `arn` is not in the given place: (part, the ARN's, the place's) for its
    partition, Region and account. A part given as None, or an ARN without a Region (a
    role's), is not compared. A WABA publishes only to a destination in its own
    partition, Region and account, and the stack deploys to one of each."""
    found = []
    for part, got, wanted in (
        ("partition", arn.partition, partition),
        ("Region", arn.region, region if arn.region else None),
        ("account", arn.account, account),
    ):
        if wanted is not None and got != wanted:
            found.append((part, got, wanted))
    return found


def parse_arn(value: str) -> Arn | None:
    """Split an ARN into its parts, or None when it is not one: botocore's parser (six
    colon-separated fields, the resource may hold more colons), plus what it leaves to
    callers: the `arn` prefix and non-empty partition, service and resource. Formats of
    the parts are checked by the caller."""
    if not value.startswith("arn:"):
        return None
    try:
        parts = _PARSER.parse_arn(value)
    except InvalidArnException:
        return None
    if not (parts["partition"] and parts["service"] and parts["resource"]):
        return None
    return Arn(
        parts["partition"], parts["service"], parts["region"], parts["account"], parts["resource"]
    )


@lru_cache(maxsize=1)
def _partition_data() -> tuple[tuple[str, re.Pattern[str], frozenset[str]], ...]:
    """(partition, Region pattern, known Regions) from botocore's `partitions.json`, the
    endpoint data its own resolver uses; a Region AWS adds later still matches the
    pattern of its partition."""
    data = create_loader().load_data("partitions")
    return tuple(
        # The patterns mean ASCII: Python's `\w` would match a Cyrillic 'е'.
        (item["id"], re.compile(item["regionRegex"], re.ASCII), frozenset(item.get("regions", {})))
        for item in data["partitions"]
    )


def partitions() -> tuple[str, ...]:
    """Every partition botocore knows (`aws`, `aws-cn`, `aws-us-gov`, `aws-eusc`, ...)."""
    return tuple(partition for partition, _, _ in _partition_data())


def dns_suffix(partition: str) -> str:
    """The partition's DNS suffix (`amazonaws.com`, `amazonaws.com.cn`), from botocore."""
    data = create_loader().load_data("partitions")
    for item in data["partitions"]:
        if item["id"] == partition:
            return str(item["outputs"]["dnsSuffix"])
    raise ValueError(f"no partition {partition!r} in botocore's data")


def known_regions() -> dict[str, str]:
    """Every Region botocore lists, with its partition."""
    return {region: partition for partition, _, regions in _partition_data() for region in regions}


def partition_of_region(region: str) -> str | None:
    """The partition a Region belongs to, or None when no partition has such a Region.

    A listed Region wins over the patterns, which overlap (`us-iso-east-1` also matches
    the pattern of `aws`)."""
    data = _partition_data()
    for partition, _, regions in data:
        if region in regions:
            return partition
    for partition, pattern, _ in data:
        if pattern.match(region):
            return partition
    return None


def account_root_arn(partition: str, account_id: str) -> str:
    """The account principal used to keep a key administrable by the account's IAM."""
    return f"arn:{partition}:iam::{account_id}:root"


def sns_topic_arn(partition: str, region: str, account_id: str, topic_name: str) -> str:
    """A topic ARN built from its explicit name, so it is known at `pulumi preview`."""
    return f"arn:{partition}:sns:{region}:{account_id}:{topic_name}"


def iam_role_arn(partition: str, account_id: str, role_name: str, path: str = "/") -> str:
    """A role ARN built from its explicit name (IAM is global: no Region)."""
    return f"arn:{partition}:iam::{account_id}:role{path}{role_name}"


def kms_alias_name(topic_name: str) -> str:
    """The alias of the topic's key: named after the topic so operators find it."""
    return f"alias/{topic_name}"


def social_messaging_source_arn(partition: str, region: str, account_id: str) -> str:
    """The `aws:SourceArn` pattern that covers every WABA of this account and Region."""
    return f"arn:{partition}:{SOCIAL_MESSAGING_SERVICE}:{region}:{account_id}:*"


def is_topic_name(name: str) -> bool:
    """An SNS topic name, standard or FIFO (`.fifo`)."""
    base = name.removesuffix(FIFO_SUFFIX)
    return len(base) <= TOPIC_NAME_MAX and TOPIC_NAME_CHARACTERS.fullmatch(base) is not None


def is_connect_instance_resource(resource: str) -> bool:
    """`instance/<id>`, the resource part of a Connect instance ARN."""
    head, _, instance_id = resource.partition("/")
    return head == "instance" and _CONNECT_INSTANCE_ID.fullmatch(instance_id) is not None


def is_sns_topic_arn(value: str) -> bool:
    parsed = parse_arn(value)
    return (
        parsed is not None
        and parsed.service == "sns"
        and _ACCOUNT.match(parsed.account) is not None
        and is_topic_name(parsed.resource)
    )


def is_connect_instance_arn(value: str) -> bool:
    parsed = parse_arn(value)
    return (
        parsed is not None
        and parsed.service == "connect"
        and _ACCOUNT.match(parsed.account) is not None
        and is_connect_instance_resource(parsed.resource)
    )
