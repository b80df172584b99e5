"""IAM's condition semantics as `rules/conditions.py` implements them.

Each test's name ends with the IAM documentation page it follows:
`condition_operators` = IAM User Guide, "IAM JSON policy elements: Condition operators";
`condition_element` = "IAM JSON policy elements: Condition";
`multivalued_keys` = "Single-valued vs. multivalued context keys";
`arn_format` = "IAM identifiers" / Amazon S3's ARN formats.
"""

from __future__ import annotations

import pytest
from rules.arns import parse_arn
from rules.conditions import (
    Operator,
    arn_has_no_account,
    arn_matches,
    condition_entries,
    confused_deputy_problems,
    holds_for_absent_key,
    holds_for_value,
    parse_operator,
    takes_wildcards,
)
from rules.documents import parse_document

ACCOUNT = "111122223333"


def operator(name: str) -> Operator:
    parsed = parse_operator(name)
    assert parsed is not None, name
    return parsed


@pytest.mark.parametrize("name", ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"])
@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("arn:aws:sns:*:111122223333:events", "arn:aws:sns:eu-west-1:111122223333:events", True),
        ("arn:aws:sns:us-east-?:111122223333:*", "arn:aws:sns:us-east-2:111122223333:x", True),
        ("arn:aws:sns:*:111122223333:events", "arn:aws:sns:eu-west-1:444455556666:events", False),
        # A `*` stays inside its part: it cannot swallow the colons of Region and account.
        ("arn:aws:sns:*:events", "arn:aws:sns:eu-west-1:111122223333:events", False),
        # Case-sensitive, part by part.
        ("arn:aws:SNS:*:111122223333:events", "arn:aws:sns:us-east-1:111122223333:events", False),
        # The resource part is the rest of the ARN, colons included.
        (
            "arn:aws:logs:*:111122223333:log-group:*",
            "arn:aws:logs:x:111122223333:log-group:a:b",
            True,
        ),
    ],
)
def test_arn_equals_and_arn_like_match_alike_part_by_part__condition_operators(
    name: str, pattern: str, value: str, matches: bool
) -> None:
    parsed = operator(name)
    negated = "Not" in name
    assert holds_for_value(parsed, value, (pattern,)) is (matches != negated)
    assert arn_matches(pattern, value) is matches


def test_wildcards_are_literal_only_under_string_equals__condition_operators() -> None:
    assert not takes_wildcards("StringEquals") and not takes_wildcards("StringNotEquals")
    assert takes_wildcards("StringLike") and takes_wildcards("ArnEquals")
    assert takes_wildcards("ArnNotEquals") and takes_wildcards("ArnLike")
    assert holds_for_value(operator("StringEquals"), "1111", ("11*",)) is False
    assert holds_for_value(operator("StringEquals"), "11*", ("11*",)) is True
    assert holds_for_value(operator("StringLike"), "1111", ("11*",)) is True


@pytest.mark.parametrize(
    ("name", "values", "holds"),
    [
        ("StringEquals", ("x",), False),
        ("StringNotEquals", ("x",), True),
        ("StringEqualsIfExists", ("x",), True),
        ("ArnLikeIfExists", ("arn:aws:s3:::b",), True),
        ("ForAllValues:StringEquals", ("x",), True),
        ("ForAnyValue:StringEquals", ("x",), False),
        ("Null", ("true",), True),
        ("Null", ("false",), False),
    ],
)
def test_a_key_missing_from_the_request__condition_operators_and_multivalued_keys(
    name: str, values: tuple[str, ...], holds: bool
) -> None:
    assert holds_for_absent_key(operator(name), values) is holds


def test_set_qualifiers_reduce_to_the_base_operator_for_one_value__multivalued_keys() -> None:
    for name in ("ForAnyValue:StringEquals", "ForAllValues:StringEquals", "StringEquals"):
        assert holds_for_value(operator(name), ACCOUNT, (ACCOUNT,)) is True
        assert holds_for_value(operator(name), ACCOUNT, ("444455556666",)) is False


def test_case_rules_of_values__condition_operators() -> None:
    assert holds_for_value(operator("StringEquals"), "Events", ("events",)) is False
    assert holds_for_value(operator("StringEqualsIgnoreCase"), "Events", ("events",)) is True
    assert holds_for_value(operator("Bool"), "true", ("TRUE",)) is True


def test_key_names_are_case_insensitive_operator_names_are_not__condition_element() -> None:
    entries = condition_entries(
        {"StringEquals": {"AWS:SOURCEACCOUNT": ACCOUNT}}, "aws:SourceAccount"
    )
    assert [e.values for e in entries] == [(ACCOUNT,)]
    assert parse_operator("stringEquals") is None and parse_operator("NullIfExists") is None
    assert operator("ForAnyValue:StringLikeIfExists").if_exists


@pytest.mark.parametrize(
    ("arn", "accountless"),
    [
        ("arn:aws:s3:::amzn-s3-demo-bucket", True),
        ("arn:aws:s3:*:*:amzn-s3-demo-bucket", True),
        ("arn:aws:s3:::amzn-s3-demo-bucket/prefix/*", True),
        ("arn:aws:s3:us-east-1:*:accesspoint/*", False),
        ("arn:aws:sns:*:*:events", False),
    ],
)
def test_s3_bucket_arns_carry_no_account_or_region__arn_format(arn: str, accountless: bool) -> None:
    parsed = parse_arn(arn)
    assert parsed is not None and arn_has_no_account(parsed) is accountless


def _problems(condition: dict, principal: str = "s3.amazonaws.com") -> list[str]:
    document = parse_document(
        {
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Service": principal},
                "Action": "sns:Publish",
                "Resource": "*",
                "Condition": condition,
            }
        }
    )
    problems, _ = confused_deputy_problems(document.statements[0], principal)
    return problems


def test_wildcard_region_and_account_of_an_s3_bucket_arn_widen_nothing__arn_format() -> None:
    documented = {
        "ArnLike": {"aws:SourceArn": "arn:aws:s3:*:*:amzn-s3-demo-bucket"},
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
    }
    assert _problems(documented) == []
    # The account still has to be pinned, by aws:SourceAccount.
    del documented["StringEquals"]
    assert any("no `aws:SourceAccount` condition" in p for p in _problems(documented))


def test_a_wildcard_account_in_an_arn_that_has_one_is_still_refused__arn_format() -> None:
    condition = {
        "ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:*:events"},
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
    }
    assert any(
        "account field is a wildcard" in p for p in _problems(condition, "sns.amazonaws.com")
    )


def test_arn_equals_with_wildcards_is_no_literal_comparison__condition_operators() -> None:
    condition = {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnEquals": {"aws:SourceArn": f"arn:aws:social-messaging:*:{ACCOUNT}:waba/*"},
    }
    assert _problems(condition, "social-messaging.amazonaws.com") == []
    literal = {"StringEquals": {"aws:SourceAccount": "1111222233*"}}
    assert any("compared literally" in p for p in _problems(literal, "sns.amazonaws.com"))
