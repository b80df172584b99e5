"""What the real engine does with the WABA destination: drift, replacement, rename,
import, two stacks on one WABA, and where the provider's decisions show to a user."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.cli import ACCOUNT, REGION, PulumiWorkspace
from tests.e2e.stacks import WABA_TYPE, Stack, deployed, history, producer, sns, write_stack_config

OTHER_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:console-configured-topic"


def test_drift_is_shown_by_refresh_and_up_refuses_to_overwrite_it(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    stack, waba, _ = deployed(workspace, tmp_path, project_venv)
    workspace.aws.emulator.set_destination(waba, OTHER_TOPIC)

    refreshed = stack.refresh()
    assert re.search(
        r"~\s+\S+:WabaEventDestination whatsapp-waba-\w+ updated .*\[diff: ~eventDestinationArn\]",
        refreshed.stdout,
    ), refreshed.stdout

    up = stack.up(check=False)
    assert up.returncode != 0
    assert OTHER_TOPIC in up.output and "takeover" in up.output
    assert workspace.aws.emulator.destination(waba) == {"eventDestinationArn": OTHER_TOPIC}


def test_a_second_stack_declaring_the_same_waba_is_refused_and_names_what_is_there(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    first, waba, _ = deployed(workspace, tmp_path, project_venv)
    ours = first.outputs()["topicArn"]
    second = Stack(workspace, first.cwd, "staging").init()
    write_stack_config(first.cwd, "staging", [sns(waba)])

    refused = second.up(check=False)

    assert refused.returncode != 0
    assert ours in refused.output
    assert workspace.aws.emulator.destination(waba) == {"eventDestinationArn": ours}
    second.destroy()
    assert workspace.aws.emulator.destination(waba) == {"eventDestinationArn": ours}
    first.destroy()
    assert workspace.aws.emulator.destination(waba) is None


def test_import_of_a_waba_destination_is_refused_by_the_engine_path(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    waba = workspace.aws.emulator.link_waba("Orders", region=REGION, destination=OTHER_TOPIC)
    project = producer(tmp_path, project_venv)
    stack = Stack(workspace, project, "dev").init()
    write_stack_config(project, "dev", [sns(waba)])

    imported = stack.run("import", WABA_TYPE, "imported", waba, "--yes", check=False)

    # The engine sends Read with the id only; the dynamic provider cannot be found without
    # the serialised provider input (pulumi/pulumi#16175).
    assert imported.returncode != 0
    assert "KeyError: '__provider'" in imported.output
    assert workspace.aws.emulator.destination(waba) == {"eventDestinationArn": OTHER_TOPIC}


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path} no longer contains {old!r}: update this test"
    path.write_text(text.replace(old, new))


WABA_NAME = 'f"{name}-{waba_resource_suffix(destination.settings.waba_id)}"'
WABA_OPTIONS = "pulumi.ResourceOptions(parent=self, depends_on=depends_on"


def _handed_over_without_a_gap(stack: Stack, waba: str, ours: str, since: int, out: str) -> None:
    """The WABA never had no destination since `since`, still has ours, the new resource
    says it inherited it, and a destroy then clears it (the claim moved with it)."""
    emulator = stack.ws.aws.emulator
    assert None not in history(stack.ws, waba, since), "the WABA was left without a destination"
    assert emulator.destination(waba) == {"eventDestinationArn": ours}
    assert f"WABA {waba}: inherited the destination {ours}" in out
    stack.destroy()
    assert emulator.destination(waba) is None


def test_replace_keeps_the_waba_pointed_at_our_topic_throughout(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    stack, waba, _ = deployed(workspace, tmp_path, project_venv)
    ours = stack.outputs()["topicArn"]
    (urn,) = stack.urns(WABA_TYPE)
    since = len(workspace.aws.emulator.writes)

    replaced = stack.up("--replace", urn)

    # The engine replaces create-before-delete: the new resource inherits the claim, and
    # the original's delete leaves the WABA alone.
    out = replaced.stdout
    assert out.index("created replacement") < out.index("deleted original"), out
    _handed_over_without_a_gap(stack, waba, ours, since, out)


def test_rename_without_alias_keeps_the_waba_pointed_at_our_topic_throughout(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    stack, waba, _ = deployed(workspace, tmp_path, project_venv)
    ours = stack.outputs()["topicArn"]
    _rewrite(
        stack.cwd / "components" / "event_destinations.py",
        WABA_NAME,
        'f"{name}-renamed-{waba_resource_suffix(destination.settings.waba_id)}"',
    )
    since = len(workspace.aws.emulator.writes)

    renamed = stack.up()

    # Without an alias the engine creates the new URN, then deletes the old one at the end.
    out = renamed.stdout
    assert "+ 1 created" in out and "- 1 deleted" in out, out
    assert out.index("whatsapp-renamed-waba-") < out.index(" deleted ("), out
    _handed_over_without_a_gap(stack, waba, ours, since, out)


def test_replace_on_changes_does_not_replace_the_waba_destination(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    project = producer(tmp_path, project_venv)
    _rewrite(
        project / "components" / "event_destinations.py",
        WABA_OPTIONS,
        WABA_OPTIONS + ', replace_on_changes=["eventDestinationArn"]',
    )
    waba = workspace.aws.emulator.link_waba("Orders", region=REGION)
    stack = Stack(workspace, project, "dev").init()
    write_stack_config(project, "dev", [sns(waba)])
    stack.up()
    write_stack_config(project, "dev", [sns(waba)], topic={"name": "orders-events-v2"})
    workspace.aws.emulator.reset_calls()

    changed = stack.up()

    # The engine does not replace this dynamic resource for replaceOnChanges: it updates it.
    assert re.search(
        r"~ +\S+:WabaEventDestination whatsapp-waba-\w+ updated .*\[diff: ~eventDestinationArn\]",
        changed.stdout,
    ), changed.stdout
    assert not [
        line
        for line in changed.stdout.splitlines()
        if "WabaEventDestination" in line and "replac" in line
    ]
    assert workspace.aws.emulator.destination(waba) == {
        "eventDestinationArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:orders-events-v2"
    }


def diagnostics(output: str) -> dict[str, str]:
    """The CLI's Diagnostics section, one block per resource header line."""
    section = output.split("\nDiagnostics:\n", 1)[-1].split("\nOutputs:\n")[0]
    section = section.split("\nResources:\n")[0]
    blocks: dict[str, str] = {}
    header = ""
    for line in section.splitlines():
        if line.startswith("  ") and not line.startswith("    "):
            header = line.strip()
            blocks[header] = ""
        elif header:
            blocks[header] += line.strip() + "\n"
    return blocks


def _block(blocks: dict[str, str], start: str, contains: str = "") -> str:
    found = [
        text for header, text in blocks.items() if header.startswith(start) and contains in header
    ]
    assert len(found) == 1, (start, contains, list(blocks))
    return found[0]


def test_where_the_providers_decisions_show(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    """On up, the program logs each decision on the resource it concerns (a warning under
    the WabaEventDestination); on destroy the program does not run, so the provider's own
    message is the channel, and the engine shows it under the stack (pulumi/pulumi#6065)."""
    ours = f"arn:aws:sns:{REGION}:{ACCOUNT}:social-messaging-destinations-dev-events"
    adopted = workspace.aws.emulator.link_waba("Adopted", region=REGION, destination=ours)
    taken = workspace.aws.emulator.link_waba("Taken", region=REGION, destination=OTHER_TOPIC)
    project = producer(tmp_path, project_venv)
    stack = Stack(workspace, project, "dev").init()
    write_stack_config(project, "dev", [sns(adopted), sns(taken, takeover=True)])

    up = diagnostics(stack.up().stdout)
    adopted_suffix, taken_suffix = adopted.split("-", 1)[1], taken.split("-", 1)[1]
    on_adopted = _block(
        up, "pulumi-python:dynamic/social-messaging:WabaEventDestination", adopted_suffix
    )
    assert on_adopted.startswith(f"warning: WABA {adopted} already sends its events to {ours}")
    assert "adopted" in on_adopted
    on_taken = _block(
        up, "pulumi-python:dynamic/social-messaging:WabaEventDestination", taken_suffix
    )
    assert on_taken.startswith(f"warning: WABA {taken}: takeover replaced {OTHER_TOPIC}")
    assert adopted not in _block(up, "pulumi:pulumi:Stack")

    destroyed = diagnostics(stack.destroy().stdout)
    assert not [h for h in destroyed if "WabaEventDestination" in h], list(destroyed)
    on_stack = _block(destroyed, "pulumi:pulumi:Stack")
    assert f"warning: WABA {adopted} left as it is" in on_stack
    assert f"info: WABA {taken}: put back the destination it had before, {OTHER_TOPIC}" in on_stack
    assert workspace.aws.emulator.destination(taken) == {"eventDestinationArn": OTHER_TOPIC}
    assert workspace.aws.emulator.destination(adopted) == {"eventDestinationArn": ours}
