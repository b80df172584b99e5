"""The whole lifecycle with the real Pulumi CLI, on this machine, without an AWS account.

    scripts/walkthrough

It finds the Pulumi CLI (a `pulumi` on PATH, else the one scripts/pulumi-cli builds),
starts moto (SNS, KMS, IAM, STS, SQS) and the socialmessaging emulator on loopback, links
two WABAs there, and then runs, printing each command and what the CLI printed:
`pulumi install` in the policy pack, `pulumi preview --policy-pack`, `pulumi up`,
`pulumi stack output`, the consumer example's `pulumi up` through a stack reference,
`social-messaging-doctor` (the live check: both WABAs healthy, the consumer's queue
subscribed to the topic), and `pulumi destroy` of both. Everything lives in a temporary
folder that is removed at the end; AWS is never called. The doubles live in tests/: this
is a demonstration, not a way to deploy.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.e2e.cli import BUILD_SCRIPT, REGION, REPO, PulumiWorkspace, find_pulumi, local_aws
from tests.e2e.stacks import PROJECT, Stack, connect, consumer, producer, sns, write_stack_config


def say(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def pulumi_cli() -> Path:
    found = shutil.which("pulumi")
    if found:
        return Path(found)
    found_path = find_pulumi()
    if found_path is not None:
        return found_path
    say("no Pulumi CLI on PATH: building one from Pulumi's Go modules (scripts/pulumi-cli)")
    built = subprocess.run([str(BUILD_SCRIPT)], stdout=subprocess.PIPE, text=True, check=True)
    return Path(built.stdout.strip().splitlines()[-1]) / "pulumi"


def show(ws: PulumiWorkspace) -> None:
    print(ws.transcript[-1], flush=True)


def walk(keep: bool) -> int:
    cli = pulumi_cli()
    say(f"Pulumi CLI: {cli}")
    venv = Path(sys.prefix)
    root = Path(tempfile.mkdtemp(prefix="social-messaging-walkthrough-"))
    try:
        with local_aws() as aws:
            say(f"moto on {aws.moto.url}, socialmessaging emulator on {aws.emulator.url}")
            waba_sns = aws.emulator.link_waba("Orders (SNS)", region=REGION)
            waba_connect = aws.emulator.link_waba("Support (Connect)", region=REGION)
            say(f"linked WABAs {waba_sns} and {waba_connect} in {REGION}, no destination yet")

            ws = PulumiWorkspace(pulumi=cli, root=root, aws=aws)
            ws.backend.mkdir()
            pack = root / "social-messaging-guard"
            shutil.copytree(
                REPO / "policy-packs" / "social-messaging-guard",
                pack,
                ignore=shutil.ignore_patterns("venv", "__pycache__"),
            )
            say("pulumi install (in the policy pack: makes its virtual environment)")
            ws.run(["install"], cwd=pack)
            show(ws)

            project = producer(root, venv)
            stack = Stack(ws, project, "local").init()
            write_stack_config(project, "local", [sns(waba_sns), connect(waba_connect)])
            say(f"stack 'local' of {PROJECT}: Pulumi.local.yaml")
            print((project / "Pulumi.local.yaml").read_text(), flush=True)

            for title, action in (
                ("pulumi preview --policy-pack", lambda: stack.preview("--policy-pack", str(pack))),
                ("pulumi up", stack.up),
            ):
                say(title)
                action()
                show(ws)

            say("pulumi stack output --json")
            print(json.dumps(stack.outputs(), indent=2), flush=True)
            for waba in (waba_sns, waba_connect):
                say(f"{waba} now sends its events to {aws.emulator.destination(waba)}")

            queue = consumer(root, venv)
            queue_stack = Stack(ws, queue, "local").init()
            for key, value in (
                ("producerStack", f"organization/{PROJECT}/local"),
                ("aws:region", REGION),
                ("queueName", "orders-whatsapp-events-local"),
            ):
                ws.run(["config", "set", key, value, "--stack", "local"], cwd=queue)
            say("examples/consumer: pulumi up (reads the topic through a stack reference)")
            queue_stack.up()
            show(ws)
            doctor = [str(Path(sys.executable).parent / "social-messaging-doctor"), "--quiet"]
            say(f"social-messaging-doctor --region {REGION} (the live check, read-only)")
            checked = subprocess.run(
                [*doctor, "--region", REGION],
                env=ws.env(),
                capture_output=True,
                text=True,
                check=False,
            )
            print(checked.stdout + checked.stderr, flush=True)
            assert checked.returncode == 0, f"the live check exited {checked.returncode}"

            say("examples/consumer: pulumi destroy")
            queue_stack.destroy()
            show(ws)

            say("pulumi destroy")
            stack.destroy()
            show(ws)
            for waba in (waba_sns, waba_connect):
                say(f"{waba} destination after destroy: {aws.emulator.destination(waba)}")
    except AssertionError as error:
        print(f"\nwalkthrough failed: {error}", file=sys.stderr)
        return 1
    finally:
        if keep:
            say(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    say("done: the whole lifecycle ran against local doubles of AWS")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    sys.exit(walk(parser.parse_args().keep))


if __name__ == "__main__":
    main()
