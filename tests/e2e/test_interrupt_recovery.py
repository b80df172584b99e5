"""Interrupted `pulumi up` and `pulumi destroy` under the real CLI, then each way a user
recovers: `up` then `destroy`, or `destroy` straight away. The Puts are slowed by the
emulator so the interruption lands while they are in flight: Ctrl-C once, Ctrl-C
twice, the CLI killed, the provider process killed. Afterwards each WABA has what it
had before the stack (a destination set in the console, or none), carries no claim of
this stack, and moto has no topic of the stack left."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.e2e.cli import ACCOUNT, REGION, PulumiWorkspace
from tests.e2e.race import topics
from tests.e2e.stacks import Stack, producer, sns, write_stack_config

PUT = "PutWhatsAppBusinessAccountEventDestinations"
CONSOLE = f"arn:aws:sns:{REGION}:{ACCOUNT}:set-in-the-console"
SLOW_PUT_SECONDS = 6.0
KINDS = ("sigint-once", "sigint-twice", "kill-cli", "kill-provider")


def _start(stack: Stack, *args: str) -> subprocess.Popen[str]:
    """The CLI in a session of its own, so its plugins can be found and cleaned up."""
    command = [str(stack.ws.pulumi), *args, "--stack", stack.name, "--yes", "--skip-preview"]
    command += ["--non-interactive", "--color", "never"]
    return subprocess.Popen(
        command,
        cwd=stack.cwd,
        env=stack.ws.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _session(pid: int) -> list[int]:
    """The processes of the CLI's session (its language host, plugins, providers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != pid:
            try:
                if os.getsid(int(entry.name)) == pid:
                    found.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    return found


def _dynamic_providers(pid: int) -> list[int]:
    providers = []
    for child in _session(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"pulumi.dynamic" in cmdline:
            providers.append(child)
    return providers


def _interrupt(process: subprocess.Popen[str], kind: str) -> None:
    if kind == "kill-provider":
        providers = _dynamic_providers(process.pid)
        assert providers, "no dynamic provider process found"
        for child in providers:
            os.kill(child, signal.SIGKILL)
    elif kind == "kill-cli":
        process.kill()
    else:
        process.send_signal(signal.SIGINT)
        if kind == "sigint-twice":
            process.send_signal(signal.SIGINT)


def _interrupted(stack: Stack, command: str, kind: str, puts: int) -> str:
    """Run `command` until `puts` slow Puts are in flight, interrupt it, wait for
    the CLI (and whatever it left running) to finish; its output."""
    emulator = stack.ws.aws.emulator
    emulator.inject(PUT, delay=SLOW_PUT_SECONDS, times=None)
    before = emulator.arrivals(PUT)
    process = _start(stack, command)
    try:
        emulator.wait_arrival(PUT, count=before + puts, timeout=300)
        _interrupt(process, kind)
        output, _ = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
        emulator.clear_faults()
        emulator.wait_idle(timeout=60)
        for child in _session(process.pid):  # orphans of a killed CLI
            os.kill(child, signal.SIGKILL)
    stack.ws.transcript.append(f"$ pulumi {command} (interrupted: {kind})\n{output}")
    if kind == "kill-cli":
        # A killed CLI leaves its lock on the state; the CLI itself says to cancel it.
        stack.run("cancel", "--yes")
    return output


def _deployable(workspace: PulumiWorkspace, tmp_path: Path, venv: Path) -> tuple[Stack, str, str]:
    emulator = workspace.aws.emulator
    taken = emulator.link_waba("Taken", region=REGION, destination=CONSOLE)
    empty = emulator.link_waba("Empty", region=REGION)
    project = producer(tmp_path, venv)
    stack = Stack(workspace, project, "dev").init()
    write_stack_config(project, "dev", [sns(taken, takeover=True), sns(empty)])
    return stack, taken, empty


def _recover(stack: Stack, recovery: str, taken: str, empty: str, *up: str) -> None:
    """The user's way out, then what the WABAs and moto hold."""
    if recovery == "up-then-destroy":
        assert stack.up(*up).returncode == 0
        topic = stack.outputs()["topicArn"]
        assert stack.ws.aws.emulator.destination(empty) == {"eventDestinationArn": topic}
    assert stack.destroy().returncode == 0
    _as_before(stack, taken, empty)


def _as_before(stack: Stack, taken: str, empty: str) -> None:
    emulator = stack.ws.aws.emulator
    assert emulator.destination(taken) == {"eventDestinationArn": CONSOLE}
    assert emulator.destination(empty) is None
    assert emulator.tags(taken) == {} and emulator.tags(empty) == {}
    assert topics(stack.ws) == set()


@pytest.mark.parametrize("recovery", ["up-then-destroy", "destroy"])
@pytest.mark.parametrize("kind", KINDS)
def test_an_interrupted_first_up_recovers_to_the_wabas_as_they_were(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path, kind: str, recovery: str
) -> None:
    stack, taken, empty = _deployable(workspace, tmp_path, project_venv)

    _interrupted(stack, "up", kind, puts=2)

    _recover(stack, recovery, taken, empty)


@pytest.mark.parametrize("recovery", ["up-then-destroy", "destroy"])
@pytest.mark.parametrize("kind", KINDS)
def test_an_interrupted_destroy_recovers_to_the_wabas_as_they_were(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path, kind: str, recovery: str
) -> None:
    stack, taken, empty = _deployable(workspace, tmp_path, project_venv)
    stack.up()

    _interrupted(stack, "destroy", kind, puts=2)

    # Deletes that were in flight may have put the WABAs back while state still holds
    # their resources: `up` reads them first to see it (docs/ownership.md).
    _recover(stack, recovery, taken, empty, "--refresh")
