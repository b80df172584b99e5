"""Names AWS will accept: SNS topic names, IAM role names and ARNs, and tags.

IAM's limits are read from botocore's IAM model, not copied; SNS topic names are not in
botocore's model (1 to 256 ASCII letters, digits, '-' and '_').
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from components.arns import FIFO_SUFFIX, TOPIC_NAME_CHARACTERS, TOPIC_NAME_MAX, parse_arn
from components.waba.model import iam_shapes


@dataclass(frozen=True)
class _Limit:
    """One string shape of botocore's IAM model: its length bounds and its pattern."""

    min: int
    max: int
    pattern: str

    def compiled(self) -> re.Pattern[str]:
        # IAM means ASCII: its `\w` is [A-Za-z0-9_], where Python's would admit 'é'.
        return re.compile(self.pattern, re.ASCII)


def _iam_limit(shape: str) -> _Limit:
    found = iam_shapes()[shape]
    return _Limit(int(found.get("min", 0)), int(found.get("max", 0)), found.get("pattern", ""))


def max_tags() -> int:
    """IAM's limit of tags per resource (the same for the KMS key and the SNS topic)."""
    return int(iam_shapes()["tagListType"]["max"])


def _tag_characters(shape: str) -> tuple[frozenset[str], frozenset[str]]:
    """The Unicode categories (`\\p{L}` -> 'L') and literal characters of a tag pattern
    such as `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`, which Python's `re` cannot compile."""
    pattern = _iam_limit(shape).pattern
    body = pattern[pattern.index("[") + 1 : pattern.rindex("]")]
    categories = frozenset(re.findall(r"\\p\{(\w)\}", body))
    literals = re.sub(r"\\p\{\w\}", "", body).replace("\\", "")
    return categories, frozenset(literals)


def tag_text_problem(text: str, shape: str, what: str) -> str | None:
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


def _found(name: str, allowed: re.Pattern[str]) -> str:
    bad = sorted({c for c in name if not allowed.fullmatch(c)})
    return f" (found {', '.join(repr(c) for c in bad[:5])})" if bad else ""


def role_name_problem(name: str) -> str | None:
    """Why `name` is not an IAM role name (IAM's length limit and pattern), or None."""
    limit = _iam_limit("roleNameType")
    if len(name) > limit.max:
        return (
            f"at most {limit.max} characters, IAM's limit for role names (this one has {len(name)})"
        )
    if len(name) < limit.min or not limit.compiled().fullmatch(name):
        found = _found(name, limit.compiled())
        return f"only ASCII letters, digits and '+=,.@_-' in an IAM role name{found}"
    return None


def topic_name_problem(name: str) -> str | None:
    """Why `name` is not a standard SNS topic name, or None."""
    if name.endswith(FIFO_SUFFIX):
        return "a standard topic name, not '.fifo' (FIFO topics cannot be event destinations)"
    if len(name) > TOPIC_NAME_MAX:
        return (
            f"at most {TOPIC_NAME_MAX} characters, SNS's limit for topic names "
            f"(this one has {len(name)})"
        )
    if not TOPIC_NAME_CHARACTERS.fullmatch(name):
        found = _found(name, TOPIC_NAME_CHARACTERS)
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
        or not arn.resource.startswith("role/")
    ):
        return "an IAM role ARN 'arn:<partition>:iam::<account>:role/<name>'"
    return role_name_problem(arn.resource.rsplit("/", 1)[-1])
