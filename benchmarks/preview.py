"""`pulumi preview` of this project under the real CLI, against a flat program and an
empty one: `venv/bin/python -m benchmarks.preview [runs]`.

Each program gets two stacks of the same settings (moto behind the stand-in aws plugin,
the socialmessaging emulator): one deployed and unchanged, what a preview in CI sees
(check reads no WABA there, as `up` writes to none), and one never deployed (check reads
every WABA). Each stack is previewed `runs` times, interleaved, and the median wall time
is printed per stack and WABA count. The flat program registers the same aws resources
directly and, in place of each dynamic resource of ours (the topic's deletion, the
claims guard, one per WABA), one of a provider that does nothing, with the same
dependencies: a WABA is pointed at its topic only once the topic, its key and its
policy exist, in a flat program as in ours. The empty program registers nothing (the
floor: starting the CLI, the language host and the plugins). Needs the CLI
(`scripts/pulumi-cli`).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.cli import PulumiWorkspace, find_pulumi, local_aws, project_copy
from tests.e2e.stacks import PROJECT, REPO, producer, sns, write_stack_config

FLAT = """
import json
import pulumi
import pulumi_aws as aws
from pulumi import dynamic

from components.arns import sns_topic_arn
from components.policy_documents import topic_key_policy, topic_policy

class NothingProvider(dynamic.ResourceProvider):
    def create(self, props):
        return dynamic.CreateResult("nothing", props)

class Nothing(dynamic.Resource, module="benchmark", name="Nothing"):
    def __init__(self, name, props, depends_on):
        super().__init__(NothingProvider(), name, props,
                         pulumi.ResourceOptions(depends_on=depends_on))

config = pulumi.Config()
wabas = [d["wabaId"] for d in config.require_object("destinations")]
partition = aws.get_partition().partition
region, account = aws.get_region().region, aws.get_caller_identity().account_id
name = "flat-events"
topic_arn = sns_topic_arn(partition, region, account, name)
key = aws.kms.Key("key", policy=json.dumps(topic_key_policy(partition, region, account)))
alias = aws.kms.Alias("alias", name=f"alias/{name}", target_key_id=key.key_id)
topic = aws.sns.Topic("topic", name=name, kms_master_key_id=f"alias/{name}",
                      opts=pulumi.ResourceOptions(depends_on=[alias]))
policy = aws.sns.TopicPolicy("policy", arn=topic.arn,
                             policy=json.dumps(topic_policy(partition, region, account, topic_arn)))
deletion = Nothing("topic-deletion", {"topicArn": topic_arn}, [topic, policy])
destination = [key, alias, topic, policy, deletion]
guard = Nothing("claims-guard", {"wabaIds": wabas}, destination)
for waba in wabas:
    Nothing(waba, {"wabaId": waba, "eventDestinationArn": topic_arn}, [*destination, guard])
"""
EMPTY = "import pulumi\n"


def _program(tmp: Path, venv: Path, name: str, main: str | None) -> Path:
    if main is None:
        return producer(tmp, venv, name=name)
    folder = project_copy(REPO, tmp / name, venv, ("Pulumi.yaml", "components"))
    (folder / "__main__.py").write_text(main)
    return folder


SCENARIOS = ("deployed", "new")
# Python caches the programs' bytecode as on a user's machine (the copies start without
# __pycache__, and a PYTHONDONTWRITEBYTECODE of the environment would have each preview
# compile every module of the project again).
CACHED = {"PYTHONDONTWRITEBYTECODE": ""}


def _stacks(
    ws: PulumiWorkspace, folders: dict[str, Path], wabas: dict[str, list[str]]
) -> list[tuple[str, str, Path]]:
    """(scenario, program, folder) of every stack to preview: each program deployed
    once, and (but the empty one) a stack never deployed, for WABAs of their own (the
    deployed project's WABAs are its own)."""
    stacks = []
    for label, folder in folders.items():
        for scenario in SCENARIOS if label != "empty" else SCENARIOS[:1]:
            stack = f"{label}-{scenario}"
            ws.run(["stack", "init", stack], cwd=folder)
            write_stack_config(folder, stack, [sns(w) for w in wabas[scenario]], namespace=PROJECT)
            if scenario == "deployed":
                ws.run(["up", "--yes", "--skip-preview", "--stack", stack], cwd=folder, env=CACHED)
            stacks.append((scenario, label, folder))
    return stacks


def measure(runs: int, counts: tuple[int, ...] = (1, 25)) -> dict[tuple[str, str, int], float]:
    """Median seconds per (scenario, program, WABA count)."""
    pulumi = find_pulumi()
    if pulumi is None:
        sys.exit("no Pulumi CLI: run scripts/pulumi-cli first")
    venv = Path(sys.prefix)
    medians: dict[tuple[str, str, int], float] = {}
    with local_aws() as aws, tempfile.TemporaryDirectory() as scratch:
        for count in counts:
            aws.reset()
            tmp = Path(scratch) / f"n{count}"
            ws = PulumiWorkspace(pulumi=pulumi, root=tmp, aws=aws)
            ws.backend.mkdir(parents=True)
            wabas = {
                scenario: [
                    aws.emulator.link_waba(f"{scenario} {i}", region="us-east-1")
                    for i in range(count)
                ]
                for scenario in SCENARIOS
            }
            folders = {
                "project": _program(tmp, venv, "project", None),
                "flat": _program(tmp, venv, "flat", FLAT),
                "empty": _program(tmp, venv, "empty", EMPTY),
            }
            stacks = _stacks(ws, folders, wabas)
            times: dict[tuple[str, str], list[float]] = {(s, p): [] for s, p, _ in stacks}
            for _ in range(runs):
                for scenario, label, folder in stacks:
                    start = time.perf_counter()
                    ws.run(["preview", "--stack", f"{label}-{scenario}"], cwd=folder, env=CACHED)
                    times[(scenario, label)].append(time.perf_counter() - start)
            for (scenario, label), measured in times.items():
                medians[(scenario, label, count)] = statistics.median(measured)
    return medians


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    medians = measure(runs)
    print(f"pulumi preview, median of {runs} interleaved runs (seconds)")
    print(f"{'stack':<9} {'WABAs':>5} {'project':>8} {'flat':>8} {'empty':>8} {'project/flat':>13}")
    for scenario in SCENARIOS:
        for count in sorted({c for s, _, c in medians if s == scenario}):
            project, flat = (medians[(scenario, label, count)] for label in ("project", "flat"))
            empty = medians[("deployed", "empty", count)]
            print(
                f"{scenario:<9} {count:>5} {project:>8.2f} {flat:>8.2f} {empty:>8.2f} "
                f"{project / flat:>13.2f}"
            )


if __name__ == "__main__":
    main()
