"""ARN and principal parsing, independent of the project's components on purpose.

The pack verifies what the components produce, so it keeps its own small parser rather
than sharing (and inheriting the bugs of) the code it checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

SOCIAL_MESSAGING_SERVICE = "social-messaging"
SOCIAL_MESSAGING_PRINCIPAL = "social-messaging.amazonaws.com"

# arn:partition:service:region:account:resource; region and account may be empty (IAM, S3).
_ARN = re.compile(
    r"^arn:(?P<partition>[^:]*):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):"
    r"(?P<resource>.*)$",
    re.DOTALL,
)


@dataclass(frozen=True)
class Arn:
    """The six parts of an ARN; any part may hold IAM wildcards when it comes from a policy."""

    partition: str
    service: str
    region: str
    account: str
    resource: str


@lru_cache(maxsize=4096)
def parse_arn(value: str) -> Arn | None:
    """Split an ARN into its parts; None when the value is not shaped like an ARN."""
    match = _ARN.match(value.strip())
    if match is None:
        return None
    return Arn(**match.groupdict())


def has_wildcard(value: str) -> bool:
    """IAM's multi- and single-character wildcards."""
    return "*" in value or "?" in value


def sns_topic_name(arn: Arn) -> str | None:
    """The topic name of an SNS topic ARN (its resource part), None for other ARNs."""
    if arn.service != "sns" or not arn.resource or ":" in arn.resource:
        return None
    return arn.resource


def iam_resource_name(arn: Arn, kind: str) -> str | None:
    """The name of an IAM role or policy ARN (`role/path/name` -> `name`)."""
    if arn.service != "iam" or not arn.resource.startswith(f"{kind}/"):
        return None
    return arn.resource.rsplit("/", 1)[-1]


def kms_alias_name(value: str) -> str | None:
    """The alias name (`alias/...`) a KMS key reference uses, from a name or an alias ARN.

    Surrounding whitespace is dropped and the `alias/` prefix is matched in any case, so
    `ALIAS/AWS/SNS` or an alias ARN with `ALIAS/aws/sns` is recognised; the name after the
    prefix keeps its case.
    """
    reference = value.strip()
    if reference[:6].lower() == "alias/":
        return "alias/" + reference[6:]
    arn = parse_arn(reference)
    if arn is not None and arn.service.lower() == "kms" and arn.resource[:6].lower() == "alias/":
        return "alias/" + arn.resource[6:]
    return None


def connect_instance_id(arn: Arn) -> str | None:
    """The instance ID of an Amazon Connect instance ARN; None for its queues, numbers, ..."""
    if arn.service != "connect":
        return None
    match = re.fullmatch(r"instance/([^/]+)", arn.resource)
    return match.group(1) if match else None


@lru_cache(maxsize=512)
def principal_service(principal: str) -> str:
    """The service part of a service principal: `sns.amazonaws.com` -> `sns`.

    Regional principals (`logs.eu-west-1.amazonaws.com`) and China principals
    (`...amazonaws.com.cn`) reduce the same way; `delivery.logs.amazonaws.com` keeps
    its two labels because the label before the domain alone would be ambiguous.
    """
    host = principal.strip().lower()
    for suffix in (".amazonaws.com.cn", ".amazonaws.com"):
        if host.endswith(suffix):
            host = host[: -len(suffix)]
            break
    labels = host.split(".")
    if len(labels) > 1 and re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", labels[-1]):
        labels = labels[:-1]
    return ".".join(labels)


def is_social_messaging_principal(principal: str) -> bool:
    return principal_service(principal) == SOCIAL_MESSAGING_SERVICE
