"""Partition-aware ARN building and parsing.

Every ARN this project writes is built here from the real partition (`aws`, `aws-cn`,
`aws-us-gov`), so a stack in China or GovCloud never receives a commercial ARN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
SOCIAL_MESSAGING_SERVICE = "social-messaging"
SOCIAL_MESSAGING_PRINCIPAL = "social-messaging.amazonaws.com"

_ACCOUNT = re.compile(r"^\d{12}$")


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


def parse_arn(value: str) -> Arn | None:
    """Split an ARN into its parts, or None when it is not one (six colon-separated
    fields; the resource may contain more colons). Formats are checked by the caller."""
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


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


def is_sns_topic_arn(value: str) -> bool:
    parsed = parse_arn(value)
    return (
        parsed is not None
        and parsed.service == "sns"
        and _ACCOUNT.match(parsed.account) is not None
        and re.fullmatch(r"[A-Za-z0-9_-]{1,256}(\.fifo)?", parsed.resource) is not None
    )


def is_connect_instance_arn(value: str) -> bool:
    parsed = parse_arn(value)
    return (
        parsed is not None
        and parsed.service == "connect"
        and _ACCOUNT.match(parsed.account) is not None
        and re.fullmatch(r"instance/[0-9a-fA-F-]{1,100}", parsed.resource) is not None
    )
