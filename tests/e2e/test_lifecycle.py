"""The whole lifecycle under the real Pulumi CLI: preview, up, outputs, a consumer reading
them by stack reference, a second up that changes nothing, destroy that puts every WABA
back as it was."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli import ACCOUNT, REGION, LocalAws, PulumiWorkspace
from tests.e2e.events import change_summary, operations, preview_document
from tests.e2e.stacks import (
    CONNECT_INSTANCE,
    PROJECT,
    Stack,
    connect,
    consumer,
    producer,
    sns,
    write_stack_config,
)

README_OUTPUTS = {
    "partition",
    "region",
    "accountId",
    "topicArn",
    "topicName",
    "kmsKeyArn",
    "kmsKeyAlias",
    "connectRoleArn",
    "destinations",
}

README_DESTINATION_KEYS = {
    "wabaId",
    "type",
    "eventDestinationArn",
    "roleArn",
    "takeover",
    "wabaArn",
    "wabaName",
    "registrationStatus",
    "adopted",
    "previousEventDestinationArn",
    "ownership",
    "notice",
}


def _our_resources_in_moto(aws: LocalAws) -> dict[str, list[str]]:
    import boto3

    env = aws.env()
    kwargs = {
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    sns_client = boto3.client("sns", endpoint_url=env["AWS_ENDPOINT_URL_SNS"], **kwargs)
    kms_client = boto3.client("kms", endpoint_url=env["AWS_ENDPOINT_URL_KMS"], **kwargs)
    iam_client = boto3.client("iam", endpoint_url=env["AWS_ENDPOINT_URL_IAM"], **kwargs)
    keys = [
        k["KeyId"]
        for k in kms_client.list_keys()["Keys"]
        if kms_client.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion"
    ]
    return {
        "topics": [t["TopicArn"] for t in sns_client.list_topics()["Topics"]],
        "keys": keys,
        "roles": [r["RoleName"] for r in iam_client.list_roles()["Roles"]],
    }


def test_up_outputs_consumer_and_destroy_restore_every_waba(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    aws = workspace.aws
    previous = f"arn:aws:sns:{REGION}:{ACCOUNT}:someone-elses-topic"
    waba_sns = aws.emulator.link_waba("Orders", region=REGION)
    waba_connect = aws.emulator.link_waba("Support", region=REGION, destination=previous)
    project = producer(tmp_path, project_venv)
    stack = Stack(workspace, project, "dev").init()
    write_stack_config(project, "dev", [sns(waba_sns), connect(waba_connect, takeover=True)])

    preview = preview_document(stack.preview("--json"))
    assert {step["op"] for step in preview["steps"]} == {"create"}
    assert preview["changeSummary"] == {"create": len(preview["steps"])}
    assert aws.emulator.destination(waba_sns) is None, "preview must not write"

    created = stack.up("--json")
    assert change_summary(created) == preview["changeSummary"]
    outputs = stack.outputs()
    assert README_OUTPUTS <= set(outputs), sorted(README_OUTPUTS - set(outputs))
    for entry in outputs["destinations"]:
        assert README_DESTINATION_KEYS <= set(entry), sorted(README_DESTINATION_KEYS - set(entry))
    assert [d["ownership"] for d in outputs["destinations"]] == ["created", "taken-over"]
    topic_arn = outputs["topicArn"]
    assert topic_arn.startswith(f"arn:aws:sns:{REGION}:{ACCOUNT}:")
    assert aws.emulator.destination(waba_sns) == {"eventDestinationArn": topic_arn}
    assert aws.emulator.destination(waba_connect) == {
        "eventDestinationArn": CONNECT_INSTANCE,
        "roleArn": outputs["connectRoleArn"],
    }
    in_moto = _our_resources_in_moto(aws)
    assert topic_arn in in_moto["topics"]
    role_name = outputs["connectRoleArn"].rsplit("/", 1)[-1]
    assert role_name in in_moto["roles"]

    again = stack.up("--json")
    assert set(operations(again).values()) == {"same"}
    assert change_summary(again) == {"same": len(preview["steps"])}

    # A second project reads the outputs through a real StackReference.
    queue_project = consumer(tmp_path, project_venv)
    queue_stack = Stack(workspace, queue_project, "dev").init()
    workspace.run(
        ["config", "set", "producerStack", f"organization/{PROJECT}/dev", "--stack", "dev"],
        cwd=queue_project,
    )
    workspace.run(["config", "set", "aws:region", REGION, "--stack", "dev"], cwd=queue_project)
    workspace.run(
        ["config", "set", "queueName", "orders-whatsapp-events-dev", "--stack", "dev"],
        cwd=queue_project,
    )
    queue_stack.up()
    queue_outputs = queue_stack.outputs()
    assert queue_outputs, "the consumer exports what it built"
    assert topic_arn in str(queue_outputs)
    queue_stack.destroy()

    stack.destroy()
    assert aws.emulator.destination(waba_sns) is None
    assert aws.emulator.destination(waba_connect) == {"eventDestinationArn": previous}
    left = _our_resources_in_moto(aws)
    assert left["topics"] == [] and left["keys"] == []
    assert role_name not in left["roles"]
