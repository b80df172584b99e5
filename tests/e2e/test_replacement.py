"""What the real engine's replacements and renames do to the children with a fixed
physical name, and so to the WABA: `pulumi up --replace` of each, a rename of the
component with and without `aliases`, and a change of the topic's name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.e2e.cli import REGION, PulumiWorkspace
from tests.e2e.stacks import Stack, connect, deployed, history, producer, sns, write_stack_config

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
ROLE = "aws:iam/role:Role"
SERVICE = "social-messaging.amazonaws.com"
COMPONENT = 'WhatsAppEventDestinations(\n    "whatsapp",'


def _client(ws: PulumiWorkspace, service: str) -> Any:
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=ws.aws.moto.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def assert_waba_on_a_live_topic(ws: PulumiWorkspace, waba: str, topic_arn: str) -> None:
    """The WABA sends to the topic; it exists, is standard, is encrypted with an
    Enabled symmetric key whose policy lets the service use it, and its policy lets the
    service publish."""
    assert ws.aws.emulator.destination(waba) == {"eventDestinationArn": topic_arn}
    sns, kms = _client(ws, "sns"), _client(ws, "kms")
    attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert attributes.get("FifoTopic", "false") == "false"
    key = kms.describe_key(KeyId=attributes["KmsMasterKeyId"])["KeyMetadata"]
    assert key["KeyState"] == "Enabled" and key["KeySpec"] == "SYMMETRIC_DEFAULT"
    key_policy = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    assert SERVICE in key_policy
    statements = json.loads(attributes["Policy"])["Statement"]
    assert any(
        SERVICE in json.dumps(s.get("Principal")) and "sns:Publish" in json.dumps(s["Action"])
        for s in statements
    ), attributes["Policy"]


def _deployed(ws: PulumiWorkspace, tmp_path: Path, venv: Path) -> tuple[Stack, str, str]:
    stack, waba, topic_arn = deployed(ws, tmp_path, venv)
    assert_waba_on_a_live_topic(ws, waba, topic_arn)
    return stack, waba, topic_arn


def _urn(stack: Stack, type_: str) -> str:
    (urn,) = stack.urns(type_)
    return urn


@pytest.mark.parametrize("child", [TOPIC, KEY, ALIAS, TOPIC_POLICY])
def test_replace_of_each_topic_child_keeps_the_waba_on_a_live_topic(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path, child: str
) -> None:
    stack, waba, topic_arn = _deployed(workspace, tmp_path, project_venv)
    since = len(workspace.aws.emulator.writes)

    replaced = stack.up("--replace", _urn(stack, child))

    assert replaced.returncode == 0
    assert_waba_on_a_live_topic(workspace, waba, topic_arn)
    assert history(workspace, waba, since) == []  # never written, never empty
    assert stack.outputs()["topicArn"] == topic_arn
    again = stack.preview("--json")
    steps = json.loads(again.stdout)["steps"]
    assert {s["op"] for s in steps} == {"same"}, [(s["op"], s["urn"]) for s in steps]
    stack.destroy()
    assert workspace.aws.emulator.destination(waba) is None
    assert _client(workspace, "sns").list_topics()["Topics"] == []


def test_replace_of_the_connect_role_is_refused_before_anything_is_deleted(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    waba = workspace.aws.emulator.link_waba("Support", region=REGION)
    project = producer(tmp_path, project_venv)
    stack = Stack(workspace, project, "dev").init()
    write_stack_config(project, "dev", [connect(waba)])
    stack.up()
    live = workspace.aws.emulator.destination(waba)
    role_arn = stack.outputs()["connectRoleArn"]
    since = len(workspace.aws.emulator.writes)

    replaced = stack.up("--replace", _urn(stack, ROLE), check=False)

    assert replaced.returncode != 0
    assert "EntityAlreadyExists" in replaced.output
    assert workspace.aws.emulator.destination(waba) == live
    assert history(workspace, waba, since) == []
    name = role_arn.rsplit("/", 1)[-1]
    assert _client(workspace, "iam").get_role(RoleName=name)["Role"]["Arn"] == role_arn
    assert stack.outputs()["connectRoleArn"] == role_arn  # a failed update keeps outputs


def _changed_inputs(step: dict[str, Any]) -> list[str]:
    olds = (step.get("oldState") or {}).get("inputs") or {}
    news = (step.get("newState") or {}).get("inputs") or {}
    return sorted(k for k in set(olds) | set(news) if olds.get(k) != news.get(k))


def _rename_component(stack: Stack, new: str, alias: bool) -> None:
    main = stack.cwd / "__main__.py"
    text = main.read_text()
    assert COMPONENT in text, "__main__.py changed: update this test"
    options = (
        ',\n    pulumi.ResourceOptions(aliases=[pulumi.Alias(name="whatsapp")]),' if alias else ""
    )
    text = text.replace(COMPONENT, f'WhatsAppEventDestinations(\n    "{new}",')
    if alias:
        text = text.replace(
            "        aws_provider=aws_provider,\n    ),\n)",
            "        aws_provider=aws_provider,\n    )" + options + "\n)",
        )
    main.write_text(text)


def test_rename_with_aliases_changes_nothing(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    stack, waba, topic_arn = _deployed(workspace, tmp_path, project_venv)
    _rename_component(stack, "orders", alias=True)

    since = len(workspace.aws.emulator.writes)

    preview = stack.preview("--json")
    steps = json.loads(preview.stdout)["steps"]
    # Every resource keeps its state: the WABA's only changed input is its own name,
    # and the claim on the WABA still carries its token, so nothing is written.
    changed = [(s["op"], s["urn"].rsplit("::", 1)[-1], _changed_inputs(s)) for s in steps]
    assert {c[0] for c in changed} == {"same"}, changed
    calls_before = len(workspace.aws.emulator.operations())
    stack.up()
    assert_waba_on_a_live_topic(workspace, waba, topic_arn)
    assert history(workspace, waba, since) == []
    writes = {"PutWhatsAppBusinessAccountEventDestinations", "TagResource", "UntagResource"}
    assert not writes & set(workspace.aws.emulator.operations()[calls_before:])
    again = json.loads(stack.preview("--json").stdout)["steps"]
    assert {s["op"] for s in again} == {"same"}


def test_rename_without_aliases_is_named_at_preview_and_stops_before_deleting(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    stack, waba, topic_arn = _deployed(workspace, tmp_path, project_venv)
    before = stack.outputs()
    _rename_component(stack, "orders", alias=False)
    since = len(workspace.aws.emulator.writes)

    preview = stack.preview()
    assert "this looks like a rename" in preview.output
    assert 'aliases=[pulumi.Alias(name="whatsapp")]' in preview.output

    up = stack.up(check=False)

    deleted = [line for line in up.stdout.splitlines() if "deleted (" in line]
    assert up.returncode != 0 or not deleted, up.output
    assert_waba_on_a_live_topic(workspace, waba, topic_arn)
    assert None not in history(workspace, waba, since)
    assert stack.outputs() == before  # a failed update keeps the outputs consumers read


def test_a_new_topic_name_moves_the_waba_without_a_gap_then_deletes_the_old_topic(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    stack, waba, old_topic = _deployed(workspace, tmp_path, project_venv)
    since = len(workspace.aws.emulator.writes)
    write_stack_config(stack.cwd, "dev", [sns(waba)], topic={"name": "orders-events-v2"})

    stack.up()

    new_topic = stack.outputs()["topicArn"]
    assert new_topic.endswith(":orders-events-v2")
    assert history(workspace, waba, since) == [{"eventDestinationArn": new_topic}]
    assert_waba_on_a_live_topic(workspace, waba, new_topic)
    topics = [t["TopicArn"] for t in _client(workspace, "sns").list_topics()["Topics"]]
    assert old_topic not in topics
