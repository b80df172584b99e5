"""The pack's pure helpers: documents, conditions, ARNs, stack links and values."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE as UNKNOWN
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy
from rules.arns import connect_instance_id, kms_alias_name, parse_arn, principal_service
from rules.conditions import (
    condition_entries,
    confused_deputy_problems,
    pins_an_account,
    unknown_operators,
)
from rules.config import bool_setting, string_list_setting
from rules.documents import (
    Statement,
    allows_action,
    covers_resource,
    may_name_the_service,
    parse_document,
    wildcard_match,
)
from rules.index import StackIndex
from rules.service_requests import (
    ServiceRequest,
    admits_social_messaging,
    deny_verdict,
    grants_social_messaging,
    request_for,
)
from rules.topic_standard import check_topic_standard
from rules.values import Resource, UndecidedAtPreview, first_unknown_path, plain

PRINCIPAL = "social-messaging.amazonaws.com"


def statement(**fields: object) -> dict:
    return {
        "Effect": "Allow",
        "Principal": {"Service": PRINCIPAL},
        "Action": "kms:Decrypt",
        "Resource": "*",
        **fields,
    }


def first(document: dict | str) -> Statement:
    return parse_document(document).statements[0]


def good_condition(
    partition: str = "aws", region: str = "us-east-1", account: str = "111122223333"
) -> dict:
    return {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:{partition}:social-messaging:{region}:{account}:*"},
    }


# Documents -------------------------------------------------------------------------------


def test_a_json_string_with_bom_tabs_and_crlf_parses() -> None:
    text = '\ufeff \r\n{\t"Statement" :\r\n {"Sid":"One","Effect":"Allow","Action":["a:B"]}}\r\n'
    document = parse_document(text)
    assert document.problem is None
    assert [s.sid for s in document.statements] == ["One"]
    assert document.statements[0].actions == ("a:B",)


def test_absent_empty_unknown_and_broken_documents_are_told_apart() -> None:
    assert parse_document(None).present is False
    assert parse_document("   ").present is False
    assert parse_document(UNKNOWN).unknown is True
    broken = parse_document('{"Statement": [}')
    assert (
        broken.problem is not None
        and "not valid JSON" in broken.problem
        and "line 1" in broken.problem
    )
    assert parse_document("[1, 2]").problem == "is a JSON list, expected a policy object"


def test_a_statement_in_an_object_keeps_the_position_of_an_unknown() -> None:
    document = parse_document(
        {"Statement": [statement(Condition={"StringEquals": {"aws:SourceAccount": UNKNOWN}})]}
    )
    assert (
        document.statements[0].unknown_path
        == ".Statement[0].Condition.StringEquals.aws:SourceAccount"
    )


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("kms:GenerateDataKey*", "kms:GenerateDataKey", True),
        ("kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext", True),
        ("KMS:decrypt", "kms:Decrypt", True),
        ("sns:Pub?ish", "sns:Publish", True),
        ("sns:Publish", "sns:PublishBatch", False),
        ("arn:aws:sns:*:111122223333:events", "arn:aws:sns:eu-west-1:111122223333:events", True),
    ],
)
def test_iam_wildcards(pattern: str, value: str, expected: bool) -> None:
    assert wildcard_match(pattern, value) is expected


def test_not_action_allows_everything_it_does_not_name() -> None:
    allow = first({"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}})
    assert allows_action(allow, "connect:SendIntegrationEvent")
    assert not allows_action(allow, "iam:PassRole")
    deny = first({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}})
    assert not allows_action(deny, "sns:Publish")


def test_a_resource_is_matched_by_name_when_its_arn_is_unknown() -> None:
    grant = first({"Statement": statement(Resource="arn:aws:sns:us-east-1:111122223333:events")})
    assert covers_resource(grant, None, "events")
    assert not covers_resource(grant, None, "other")
    assert covers_resource(grant, "arn:aws:sns:us-east-1:111122223333:events", None)
    assert not covers_resource(grant, "arn:aws:sns:us-east-1:444455556666:events", None)


# ARNs and principals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "service"),
    [
        ("social-messaging.amazonaws.com", "social-messaging"),
        ("logs.eu-west-1.amazonaws.com", "logs"),
        ("delivery.logs.amazonaws.com", "delivery.logs"),
        ("sns.amazonaws.com.cn", "sns"),
        ("SNS.AMAZONAWS.COM", "sns"),
    ],
)
def test_principal_service(principal: str, service: str) -> None:
    assert principal_service(principal) == service


@pytest.mark.parametrize(
    ("reference", "alias"),
    [
        ("alias/aws/sns", "alias/aws/sns"),
        ("arn:aws-cn:kms:cn-north-1:111122223333:alias/aws/sns", "alias/aws/sns"),
        ("arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/events", "alias/events"),
        ("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", None),
        ("1234abcd-12ab-34cd-56ef-1234567890ab", None),
        ("ALIAS/AWS/SNS", "alias/AWS/SNS"),
        (" alias/events\t", "alias/events"),
        ("arn:aws:kms:us-east-1:111122223333:Alias/aws/sns", "alias/aws/sns"),
    ],
)
def test_kms_alias_name(reference: str, alias: str | None) -> None:
    assert kms_alias_name(reference) == alias


@pytest.mark.parametrize(
    ("arn", "instance"),
    [
        ("arn:aws:connect:us-east-1:111122223333:instance/0a1b", "0a1b"),
        ("arn:aws:connect:us-east-1:111122223333:instance/0a1b/queue/q", None),
        ("arn:aws:connect:us-east-1:111122223333:phone-number/x", None),
        ("arn:aws:sns:us-east-1:111122223333:instance/0a1b", None),
    ],
)
def test_only_an_instance_arn_names_a_connect_instance(arn: str, instance: str | None) -> None:
    parsed = parse_arn(arn)
    assert parsed is not None and connect_instance_id(parsed) == instance


def test_parse_arn_keeps_empty_fields() -> None:
    arn = parse_arn("arn:aws:s3:::bucket/key:with:colons")
    assert arn is not None and (arn.service, arn.region, arn.account, arn.resource) == (
        "s3",
        "",
        "",
        "bucket/key:with:colons",
    )
    assert parse_arn("alias/events") is None


# Confused-deputy conditions ------------------------------------------------------------------


@given(
    partition=st.sampled_from(["aws", "aws-cn", "aws-us-gov"]),
    region=st.from_regex(r"[a-z]{2}-[a-z]{4,9}-[1-9]", fullmatch=True),
    account=st.from_regex(r"[0-9]{12}", fullmatch=True),
    form=st.sampled_from(["string", "list"]),
)
def test_the_documented_conditions_pass_and_each_missing_key_is_named(
    partition: str, region: str, account: str, form: str
) -> None:
    principal = PRINCIPAL if form == "string" else [PRINCIPAL]
    condition = good_condition(partition, region, account)
    good = first({"Statement": statement(Principal={"Service": principal}, Condition=condition)})
    assert confused_deputy_problems(good, PRINCIPAL) == ([], [])
    for key, operator in (("aws:SourceAccount", "StringEquals"), ("aws:SourceArn", "ArnLike")):
        partial = json.loads(json.dumps(condition))
        del partial[operator]
        problems, _ = confused_deputy_problems(
            first({"Statement": statement(Condition=partial)}), PRINCIPAL
        )
        assert len(problems) == 1 and f"no `{key}` condition" in problems[0]


@given(
    ours=st.from_regex(r"[0-9]{12}", fullmatch=True),
    theirs=st.from_regex(r"[0-9]{12}", fullmatch=True),
)
def test_the_source_arn_account_must_be_the_source_account(ours: str, theirs: str) -> None:
    condition = good_condition(account=ours)
    condition["ArnLike"]["aws:SourceArn"] = f"arn:aws:social-messaging:us-east-1:{theirs}:*"
    problems, _ = confused_deputy_problems(
        first({"Statement": statement(Condition=condition)}), PRINCIPAL
    )
    assert (problems == []) is (ours == theirs)


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        (
            {
                "StringEqualsIfExists": {"aws:SourceAccount": "111122223333"},
                "ArnLike": {"aws:SourceArn": "arn:aws:social-messaging:us-east-1:111122223333:*"},
            },
            "IfExists",
        ),
        (
            {
                "ForAllValues:StringEquals": {"aws:SourceAccount": "111122223333"},
                "ArnLike": {"aws:SourceArn": "arn:aws:social-messaging:us-east-1:111122223333:*"},
            },
            "single-valued",
        ),
        (
            {
                "StringEquals": {"aws:SourceAccount": "11112222333?"},
                "ArnLike": {"aws:SourceArn": "arn:aws:social-messaging:us-east-1:111122223333:*"},
            },
            "wildcard value",
        ),
        (
            {
                "StringLike": {"aws:SourceAccount": "111122223333"},
                "ArnLike": {"aws:SourceArn": "arn:aws:social-messaging:us-east-1:111122223333:*"},
            },
            "expected `StringEquals`",
        ),
        (
            {
                "StringEquals": {"aws:SourceAccount": "111122223333"},
                "ArnLike": {"aws:SourceArn": "social-messaging"},
            },
            "not an ARN",
        ),
    ],
)
def test_conditions_that_do_not_pin_the_source(condition: dict, fragment: str) -> None:
    problems, _ = confused_deputy_problems(
        first({"Statement": statement(Condition=condition)}), PRINCIPAL
    )
    assert any(fragment in p for p in problems), problems


def test_negated_and_null_operators_neither_count_nor_err() -> None:
    condition = {
        **good_condition(),
        "StringNotEquals": {"aws:SourceAccount": "444455556666"},
        "Null": {"aws:SourceArn": "false"},
    }
    assert confused_deputy_problems(
        first({"Statement": statement(Condition=condition)}), PRINCIPAL
    ) == ([], [])


def test_condition_keys_are_found_case_insensitively_but_operators_are_not() -> None:
    entries = condition_entries(
        {"StringEquals": {"AWS:SOURCEACCOUNT": ["111122223333"]}}, "aws:SourceAccount"
    )
    assert [(e.base, e.values) for e in entries] == [("StringEquals", ("111122223333",))]
    assert (
        condition_entries({"stringequals": {"aws:SourceAccount": "1"}}, "aws:SourceAccount") == []
    )
    assert unknown_operators(
        {"stringequals": {}, "ForAnyValue:StringLike": {}, "NullIfExists": {}}
    ) == [
        "stringequals",
        "NullIfExists",
    ]


def test_unknown_condition_values_are_reported_not_judged() -> None:
    condition = good_condition()
    condition["StringEquals"]["aws:SourceAccount"] = UNKNOWN
    problems, unknowns = confused_deputy_problems(
        first({"Statement": statement(Condition=condition)}), PRINCIPAL
    )
    assert problems == []
    assert unknowns and "Condition.StringEquals.aws:SourceAccount" in unknowns[0]


@given(
    accounts=st.lists(st.from_regex(r"[0-9]{12}", fullmatch=True), min_size=1, max_size=3),
)
def test_a_grant_pins_exactly_one_account(accounts: list[str]) -> None:
    condition = good_condition(account=accounts[0])
    condition["StringEquals"]["aws:SourceAccount"] = accounts
    problems, _ = confused_deputy_problems(
        first({"Statement": statement(Condition=condition)}), PRINCIPAL
    )
    several = [p for p in problems if "accounts (" in p]
    assert bool(several) is (len(set(accounts)) > 1)


@pytest.mark.parametrize(
    ("principal", "condition", "pinned"),
    [
        ("*", {}, False),
        ({"AWS": "*"}, {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}, True),
        ({"AWS": ["*"]}, {"StringEquals": {"AWS:SourceOwner": "111122223333"}}, True),
        ("*", {"StringLike": {"aws:PrincipalAccount": "1111*"}}, False),
        ("*", {"StringEqualsIfExists": {"aws:PrincipalAccount": "111122223333"}}, False),
        ("*", {"stringequals": {"aws:PrincipalAccount": "111122223333"}}, False),
        ("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}, True),
        ("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}, False),
        ("*", {"Bool": {"aws:SecureTransport": "true"}}, False),
    ],
)
def test_a_grant_to_every_principal_is_pinned_only_by_an_account(
    principal: object, condition: dict, pinned: bool
) -> None:
    grant = first({"Statement": statement(Principal=principal, Condition=condition)})
    assert grant.principal_is_wildcard
    assert pins_an_account(grant) is pinned


# Requests of the service --------------------------------------------------------------------

WABA_ACCOUNT = request_for("arn:aws:sns:us-east-1:111122223333:events")


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ({}, True),
        ({"Bool": {"aws:SecureTransport": "false"}}, False),
        ({"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}, True),
        ({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}, True),
        ({"ForAnyValue:StringNotEquals": {"aws:PrincipalOrgPaths": "o-abc/*"}}, False),
        ({"StringEquals": {"aws:PrincipalAccount": "111122223333"}}, False),
        ({"Null": {"aws:PrincipalArn": "true"}}, True),
        ({"Null": {"aws:SourceAccount": "true"}}, False),
        ({"StringNotEquals": {"aws:SourceAccount": "111122223333"}}, False),
        ({"StringNotEquals": {"aws:SourceAccount": "444455556666"}}, True),
        ({"ArnNotLike": {"aws:SourceArn": "arn:aws:social-messaging:*:111122223333:*"}}, False),
        ({"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}}, True),
        ({"StringEquals": {"aws:PrincipalServiceName": "social-messaging.amazonaws.com"}}, True),
        (
            {
                "StringNotEquals": {"aws:PrincipalAccount": "111122223333"},
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
            False,
        ),
        ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, None),
        (
            {
                "ArnNotEquals": {
                    "aws:SourceArn": "arn:aws:social-messaging:us-east-1:111122223333:waba/x"
                }
            },
            None,
        ),
    ],
)
def test_how_a_deny_applies_to_the_services_requests(condition: dict, holds: bool | None) -> None:
    deny = first(
        {
            "Statement": {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": "*",
                "Condition": condition,
            }
        }
    )
    verdict = deny_verdict(deny, "sns:Publish", WABA_ACCOUNT)
    assert verdict is not None and verdict.holds is holds


def test_a_deny_that_names_other_principals_or_actions_does_not_apply() -> None:
    others = first(
        {
            "Statement": {
                "Effect": "Deny",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "sns:*",
                "Resource": "*",
            }
        }
    )
    assert deny_verdict(others, "sns:Publish", ServiceRequest()) is None
    not_us = first(
        {
            "Statement": {
                "Effect": "Deny",
                "NotPrincipal": {"Service": PRINCIPAL},
                "Action": "sns:*",
                "Resource": "*",
            }
        }
    )
    assert deny_verdict(not_us, "sns:Publish", ServiceRequest()) is None
    other_action = first(
        {"Statement": {"Effect": "Deny", "Principal": "*", "Action": "sns:Subscribe"}}
    )
    assert deny_verdict(other_action, "sns:Publish", ServiceRequest()) is None


@pytest.mark.parametrize(
    ("condition", "admitted"),
    [
        ({}, True),
        (good_condition(), True),
        ({"StringEquals": {"aws:PrincipalAccount": "111122223333"}}, False),
        ({"StringEquals": {"AWS:SourceOwner": "111122223333"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::bucket"}}, False),
    ],
)
def test_a_grant_to_every_principal_admits_the_service_unless_a_condition_excludes_it(
    condition: dict, admitted: bool
) -> None:
    grant = first({"Statement": statement(Principal="*", Condition=condition)})
    assert admits_social_messaging(grant) is admitted


# Values and configuration -------------------------------------------------------------------


def test_plain_unwraps_policy_proxies_and_keeps_unknowns() -> None:
    proxied = unknown_checking_proxy(
        {"arn": UNKNOWN, "tags": {"a": "b"}, "list": [1, {"x": UNKNOWN}]}
    )
    with pytest.raises(UnknownValueError):
        proxied["arn"]  # noqa: B018  (the proxy raises on access; plain() must not)
    assert plain(proxied) == {"arn": UNKNOWN, "tags": {"a": "b"}, "list": [1, {"x": UNKNOWN}]}
    assert first_unknown_path(plain(proxied)) == ".arn"


def test_undecided_at_preview_is_what_pulumi_policy_reports_as_could_not_run() -> None:
    error = UndecidedAtPreview(
        ["`a` of 'x' is unknown at preview", "`b` of 'y' is unknown at preview"]
    )
    assert isinstance(error, UnknownValueError)
    assert error.message == "`a` of 'x' is unknown at preview; `b` of 'y' is unknown at preview"


def test_settings_of_the_wrong_shape_name_the_setting_and_value() -> None:
    with pytest.raises(ValueError, match=r"`requireEncryption` is 'yes'; expected true or false"):
        bool_setting(
            {"requireEncryption": "yes"},
            "sns-topic-customer-managed-key",
            "requireEncryption",
            True,
        )
    with pytest.raises(ValueError, match=r"contains \['aws:SourceIp'\]"):
        string_list_setting(
            {"requiredKeys": ["aws:SourceIp"]}, "p", "requiredKeys", [], ["aws:SourceArn"]
        )
    assert string_list_setting({}, "p", "requiredKeys", ["aws:SourceArn"], ["aws:SourceArn"]) == [
        "aws:SourceArn"
    ]
    with pytest.raises(ValueError, match=r"`requiredKeys` is \[\]; expected at least 1 item"):
        string_list_setting({"requiredKeys": []}, "p", "requiredKeys", ["a"], ["a"], min_items=1)


# Stack links --------------------------------------------------------------------------------


def res(
    type_: str,
    name: str,
    props: dict,
    dependencies: tuple[str, ...] = (),
    property_dependencies: dict[str, tuple[str, ...]] | None = None,
) -> Resource:
    return Resource(
        type=type_,
        name=name,
        urn=f"urn:{name}",
        props=props,
        dependencies=dependencies,
        property_dependencies=property_dependencies or {},
    )


def test_a_topic_key_is_followed_through_its_alias_name_and_the_alias_dependency() -> None:
    key = res("aws:kms/key:Key", "key", {})
    alias = res(
        "aws:kms/alias:Alias",
        "alias",
        {"name": "alias/events", "targetKeyId": UNKNOWN},
        property_dependencies={"targetKeyId": ("urn:key",)},
    )
    topic = res(
        "aws:sns/topic:Topic", "events", {"name": "events", "kmsMasterKeyId": "alias/events"}
    )
    index = StackIndex([key, alias, topic])
    reference = index.topic_key(index.by_urn[topic.urn])
    assert reference.kind == "key" and reference.key is not None
    assert reference.key.urn == key.urn


def test_plain_dependencies_link_only_when_one_candidate_fits() -> None:
    key_a, key_b = res("aws:kms/key:Key", "a", {}), res("aws:kms/key:Key", "b", {})
    one = res(
        "aws:kms/alias:Alias",
        "one",
        {"name": "alias/one", "targetKeyId": UNKNOWN},
        dependencies=("urn:a",),
    )
    two = res(
        "aws:kms/alias:Alias",
        "two",
        {"name": "alias/two", "targetKeyId": UNKNOWN},
        dependencies=("urn:a", "urn:b"),
    )
    index = StackIndex([key_a, key_b, one, two])
    found = index.key_of_alias(index.by_urn[one.urn])
    assert found is not None and found.urn == key_a.urn
    assert index.key_of_alias(index.by_urn[two.urn]) is None


def test_check_topic_standard_runs_without_a_server() -> None:
    topic = res("aws:sns/topic:Topic", "events", {"name": "events", "fifoTopic": True})
    destination = res(
        "pulumi-python:dynamic/social-messaging:WabaEventDestination",
        "d",
        {"wabaId": "waba-1", "eventDestinationArn": "arn:aws:sns:us-east-1:111122223333:events"},
    )
    outcome = check_topic_standard(StackIndex([topic, destination]))
    assert [f.urn for f in outcome.findings] == ["urn:events"]
    assert outcome.undecided == []


@pytest.mark.parametrize(
    "document",
    [
        {"Statement": statement()},
        {"Statement": [statement(Principal="*")]},
        {"Statement": [statement(Principal={"AWS": ["*"]})]},
        {"Statement": [statement(Principal={"Service": "SOCIAL-MESSAGING.amazonaws.com"})]},
        {"Statement": [statement(Principal={"Service": UNKNOWN})]},
        {"Statement": UNKNOWN},
    ],
)
def test_a_policy_that_may_grant_the_service_is_never_skipped_unparsed(document: dict) -> None:
    """The cheap look before parsing may only say no when the parsed policy grants nothing."""
    assert may_name_the_service(document)
    assert may_name_the_service(json.dumps(document))


def test_a_policy_for_another_service_is_skipped_unparsed() -> None:
    lambda_trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ]
    }
    assert not may_name_the_service(lambda_trust, may_hold_unknowns=False)
    assert not may_name_the_service(json.dumps(lambda_trust))
    assert not any(grants_social_messaging(s) for s in parse_document(lambda_trust).statements)
