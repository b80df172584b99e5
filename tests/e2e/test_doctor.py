"""The live check after a real `pulumi up`: the walkthrough's stack (an SNS destination on
the stack's topic, a Connect destination with the stack's channel role) plus a WABA on a
topic of its own that nobody subscribed to. The console script, run as a user runs it,
reports every WABA healthy except that one, and who set each destination."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tests.e2e.cli import ACCOUNT, REGION, PulumiWorkspace
from tests.e2e.stacks import PROJECT, Stack, connect, producer, sns, write_stack_config
from tests.waba.builders import make_topic

DOCTOR = Path(sys.executable).parent / "social-messaging-doctor"


def run_doctor(ws: PulumiWorkspace, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DOCTOR), "--quiet", *args],
        env=ws.env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_after_up_every_waba_is_healthy_but_the_one_without_subscription(
    workspace: PulumiWorkspace,
    project_venv: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in workspace.env().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    # boto3's default session keeps the credentials it first finds: a fresh one for these
    # doubles, and the previous one back afterwards for the tests that follow.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    aws = workspace.aws
    orders = aws.emulator.link_waba("Orders (SNS)", region=REGION)
    support = aws.emulator.link_waba("Support (Connect)", region=REGION)
    returns = aws.emulator.link_waba("Returns (SNS, own topic)", region=REGION)
    # A topic made outside the stack as this project makes one, that nobody subscribes to.
    lonely = make_topic(REGION, ACCOUNT, name="returns-events")

    project = producer(tmp_path, project_venv)
    stack = Stack(workspace, project, "local").init()
    write_stack_config(
        project, "local", [sns(orders), connect(support), sns(returns, topicArn=lonely)]
    )
    stack.up()
    topic = stack.outputs()["topicArn"]
    boto3.client("sns", region_name=REGION).subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-events"
    )

    done = run_doctor(workspace, "--json")
    table = run_doctor(workspace, "--region", REGION)

    assert done.returncode == 1, done.stdout + done.stderr
    document = json.loads(done.stdout)
    assert REGION in document["regions"] and document["account"] == ACCOUNT
    wabas = {w["id"]: w for w in document["wabas"]}
    assert set(wabas) == {orders, support, returns}
    assert wabas[orders]["healthy"] and wabas[support]["healthy"], document
    assert [p["kind"] for p in wabas[returns]["problems"]] == ["topic-no-subscription"]
    assert wabas[orders]["destination"]["arn"] == topic
    for waba in wabas.values():
        assert waba["setBy"]["stack"] == f"{PROJECT}/local"
    assert table.returncode == 1
    print(table.stdout)
    assert f"{REGION}: 3 WABAs" in table.stdout
    assert table.stdout.endswith(
        "3 WABAs in 1 Region of account 123456789012: 2 healthy, 1 problem\n"
    )
