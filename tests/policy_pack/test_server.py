"""The pack driven exactly as the engine drives it: started as a process, then gRPC."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE as UNKNOWN

from destination_review.policy_analyzer import (
    PACK_DIR,
    AnalyzedResource,
    PolicyPackServer,
    Secret,
)
from tests.policy_pack.corpus_cases import POLICY_NAMES as PACK_POLICY_NAMES
from tests.policy_pack.program_stacks import program_stack, with_properties

POLICY_NAMES = set(PACK_POLICY_NAMES)

UNCONDITIONED_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "social-messaging.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


@pytest.fixture(autouse=True)
def default_config(server: PolicyPackServer) -> None:
    server.configure({})


def aws_managed_key_stack() -> list[AnalyzedResource]:
    return [
        with_properties(r, kmsMasterKeyId="alias/aws/sns") if r.type == "aws:sns/topic:Topic" else r
        for r in program_stack("sns")
    ]


def test_info_lists_the_six_policies_mandatory_with_why_and_how(server: PolicyPackServer) -> None:
    info = server.info()
    assert info["name"] == "social-messaging-guard"
    assert info["version"] == "0.1.0"  # PulumiPolicy.yaml wins, as in the engine
    assert info["supportsConfig"] is True
    policies = {p["name"]: p for p in info["policies"]}
    assert set(policies) == POLICY_NAMES
    for policy in policies.values():
        assert policy["enforcementLevel"] == "mandatory"
        assert policy["severity"] in {"medium", "high", "critical"}
        # Each description says what is checked and why (the consequence after ':' or 'so').
        assert len(policy["description"]) > 80
        assert re.search(r": |, so |Otherwise", policy["description"]), policy["description"]
        assert len(policy["remediationSteps"]) > 80
    assert policies["service-principal-confused-deputy"]["policyType"] == "resource"
    assert {n for n, p in policies.items() if p["policyType"] == "stack"} == POLICY_NAMES - {
        "service-principal-confused-deputy"
    }


def test_info_publishes_config_schemas_with_defaults(server: PolicyPackServer) -> None:
    schemas = {p["name"]: p["configSchema"] for p in server.info()["policies"]}
    assert schemas["sns-topic-customer-managed-key"]["properties"]["requireEncryption"] == {
        "type": "boolean",
        "default": True,
        "description": schemas["sns-topic-customer-managed-key"]["properties"]["requireEncryption"][
            "description"
        ],
    }
    deputy = schemas["service-principal-confused-deputy"]["properties"]
    assert deputy["requiredKeys"]["default"] == ["aws:SourceAccount", "aws:SourceArn"]
    assert deputy["exemptServices"]["default"] == []
    assert (
        schemas["connect-channel-role-least-privilege"]["properties"]["additionalActions"]["type"]
        == "array"
    )
    assert schemas["kms-key-symmetric"] == {}


def test_analyze_reports_a_resource_violation_with_its_urn(server: PolicyPackServer) -> None:
    role = AnalyzedResource(
        "aws:iam/role:Role", "channel", {"assumeRolePolicy": UNCONDITIONED_TRUST}
    )
    violations = server.analyze(role)
    assert {(v.policy_name, v.enforcement_level, v.urn) for v in violations} == {
        ("service-principal-confused-deputy", "mandatory", role.resolved_urn)
    }
    assert len(violations) == 2
    assert all(v.description and not v.message.startswith(v.description) for v in violations)


def test_analyze_of_an_unrelated_resource_is_silent(server: PolicyPackServer) -> None:
    bucket = AnalyzedResource("aws:s3/bucket:Bucket", "logs", {"bucket": "logs", "acl": "private"})
    assert server.analyze(bucket) == []


def test_analyze_stack_points_at_the_offending_resource(server: PolicyPackServer) -> None:
    violations = server.analyze_stack(aws_managed_key_stack())
    assert [(v.policy_name, v.enforcement_level) for v in violations] == [
        ("sns-topic-customer-managed-key", "mandatory")
    ]
    assert violations[0].urn.endswith("aws:sns/topic:Topic::whatsapp-events-topic")
    assert "'alias/aws/sns'" in violations[0].message


def test_unknown_values_come_back_as_advisory_could_not_run(server: PolicyPackServer) -> None:
    role = AnalyzedResource("aws:iam/role:Role", "computed", {"assumeRolePolicy": UNKNOWN})
    violations = server.analyze(role)
    assert len(violations) == 1
    assert violations[0].enforcement_level == "advisory" and violations[0].could_not_run
    assert "`assumeRolePolicy` of 'computed'" in violations[0].message


def test_configure_changes_levels_and_settings_and_reconfiguring_resets(
    server: PolicyPackServer,
) -> None:
    resources = aws_managed_key_stack()
    server.configure({"sns-topic-customer-managed-key": {"enforcementLevel": "advisory"}})
    assert [v.enforcement_level for v in server.analyze_all(resources)] == ["advisory"]
    server.configure({"sns-topic-customer-managed-key": "disabled"})
    assert server.analyze_all(resources) == []
    server.configure({})
    assert [v.enforcement_level for v in server.analyze_all(resources)] == ["mandatory"]


def test_configuring_one_policy_keeps_the_others_mandatory(server: PolicyPackServer) -> None:
    server.configure(
        {
            "connect-channel-role-least-privilege": {
                "additionalActions": ["connect:DescribeInstance"]
            }
        }
    )
    role = AnalyzedResource(
        "aws:iam/role:Role", "channel", {"assumeRolePolicy": UNCONDITIONED_TRUST}
    )
    assert {v.enforcement_level for v in server.analyze(role)} == {"mandatory"}


def test_all_sets_every_level_and_a_policy_entry_overrides_it(server: PolicyPackServer) -> None:
    server.configure({"all": "advisory", "sns-topic-customer-managed-key": "mandatory"})
    role = AnalyzedResource(
        "aws:iam/role:Role", "channel", {"assumeRolePolicy": UNCONDITIONED_TRUST}
    )
    assert {v.enforcement_level for v in server.analyze(role)} == {"advisory"}
    assert [v.enforcement_level for v in server.analyze_stack(aws_managed_key_stack())] == [
        "mandatory"
    ]


@pytest.mark.parametrize(
    ("config", "fragments"),
    [
        ({"no-such-policy": "mandatory"}, ["'no-such-policy'", "expected one of"]),
        ({"kms-key-symmetric": "blocking"}, ["'blocking'", "advisory"]),
        (
            {"sns-topic-customer-managed-key": {"requireEncryption": "no"}},
            ["`requireEncryption`", "'no'", "boolean"],
        ),
        (
            {"sns-topic-customer-managed-key": {"requireKms": False}},
            ["`requireKms`", "requireEncryption"],
        ),
        (
            {"service-principal-confused-deputy": ["aws:SourceArn"]},
            ["'service-principal-confused-deputy'", "enforcement level"],
        ),
    ],
)
def test_invalid_config_is_refused_with_what_and_how(
    server: PolicyPackServer, config: dict, fragments: list[str]
) -> None:
    with pytest.raises(ValueError) as error:
        server.configure(config)
    assert all(fragment in str(error.value) for fragment in fragments), str(error.value)


def test_a_setting_of_the_wrong_shape_sent_by_another_client_fails_the_call(
    server: PolicyPackServer,
) -> None:
    """The pack refuses bad settings itself, naming them, for clients that skip the schema."""
    import grpc
    from pulumi.runtime.proto import analyzer_pb2

    request = analyzer_pb2.ConfigureAnalyzerRequest()
    entry = analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.MANDATORY)
    entry.properties.update({"requiredKeys": ["aws:SourceOwner"]})
    request.policyConfig["service-principal-confused-deputy"].CopyFrom(entry)
    server.stub.Configure(request)
    role = AnalyzedResource(
        "aws:iam/role:Role", "channel", {"assumeRolePolicy": UNCONDITIONED_TRUST}
    )
    with pytest.raises(grpc.RpcError) as error:
        server.analyze(role)
    assert "`requiredKeys`" in str(error.value.details()) and "aws:SourceOwner" in str(
        error.value.details()
    )


def test_initial_config_is_applied_at_start() -> None:
    with PolicyPackServer(config={"sns-topic-customer-managed-key": "advisory"}) as running:
        assert [v.enforcement_level for v in running.analyze_stack(aws_managed_key_stack())] == [
            "advisory"
        ]


def test_secret_properties_reach_the_pack_as_their_value(server: PolicyPackServer) -> None:
    role = AnalyzedResource(
        "aws:iam/role:Role", "channel", {"assumeRolePolicy": Secret(UNCONDITIONED_TRUST)}
    )
    assert len(server.analyze(role)) == 2


def test_a_folder_without_pulumipolicy_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as error, PolicyPackServer(pack_dir=tmp_path):
        pass
    assert str(tmp_path) in str(error.value) and "PulumiPolicy.yaml" in str(error.value)


def test_a_pack_that_fails_to_start_reports_its_stderr(tmp_path: Path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text("raise SystemExit('the pack could not load its rules')\n")
    with (
        pytest.raises(RuntimeError) as error,
        PolicyPackServer(pack_dir=tmp_path, python=sys.executable),
    ):
        pass
    assert "did not print its port" in str(error.value)
    assert "the pack could not load its rules" in str(error.value)


def test_the_server_stops_with_its_context() -> None:
    running = PolicyPackServer(PACK_DIR)
    with running:
        assert running.info()["name"] == "social-messaging-guard"
    with pytest.raises(RuntimeError, match="not running"):
        running.info()


def test_a_refused_initial_config_stops_the_pack() -> None:
    running = PolicyPackServer(config={"kms-key-symetric": "mandatory"})
    with pytest.raises(ValueError, match="'kms-key-symetric'"), running:
        pass
    with pytest.raises(RuntimeError, match="not running"):
        running.info()
