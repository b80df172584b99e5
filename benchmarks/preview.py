"""`pulumi preview` of this project under the real CLI, against a flat program and an
empty one: `venv/bin/python -m benchmarks.preview [runs]`.

Each program is deployed once (moto behind the stand-in aws plugin, the
socialmessaging emulator), then previewed `runs` times, the programs interleaved, and
the median wall time is printed per program and WABA count. The flat program registers
the same aws resources directly and, in place of each dynamic resource of ours, one of a
provider that does nothing; the empty program registers nothing (the floor: starting
the CLI, the language host and the plugins). Needs the CLI (`scripts/pulumi-cli`).
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
    def __init__(self, name, props):
        super().__init__(NothingProvider(), name, props)

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
aws.sns.TopicPolicy("policy", arn=topic.arn,
                    policy=json.dumps(topic_policy(partition, region, account, topic_arn)))
Nothing("topic-deletion", {"topicArn": topic_arn})
for waba in wabas:
    Nothing(waba, {"wabaId": waba, "eventDestinationArn": topic_arn})
"""
EMPTY = "import pulumi\n"


def _program(tmp: Path, venv: Path, name: str, main: str | None) -> Path:
    if main is None:
        return producer(tmp, venv, name=name)
    folder = project_copy(REPO, tmp / name, venv, ("Pulumi.yaml", "components"))
    (folder / "__main__.py").write_text(main)
    return folder


def measure(runs: int, counts: tuple[int, ...] = (1, 25)) -> dict[tuple[str, int], float]:
    pulumi = find_pulumi()
    if pulumi is None:
        sys.exit("no Pulumi CLI: run scripts/pulumi-cli first")
    venv = Path(sys.prefix)
    medians: dict[tuple[str, int], float] = {}
    with local_aws() as aws, tempfile.TemporaryDirectory() as scratch:
        for count in counts:
            aws.reset()
            tmp = Path(scratch) / f"n{count}"
            ws = PulumiWorkspace(pulumi=pulumi, root=tmp, aws=aws)
            ws.backend.mkdir(parents=True)
            wabas = [aws.emulator.link_waba(f"W{i}", region="us-east-1") for i in range(count)]
            folders = {
                "project": _program(tmp, venv, "project", None),
                "flat": _program(tmp, venv, "flat", FLAT),
                "empty": _program(tmp, venv, "empty", EMPTY),
            }
            for label, folder in folders.items():
                ws.run(["stack", "init", label], cwd=folder)
                write_stack_config(folder, label, [sns(w) for w in wabas], namespace=PROJECT)
                ws.run(["up", "--yes", "--skip-preview", "--stack", label], cwd=folder)
            times: dict[str, list[float]] = {label: [] for label in folders}
            for _ in range(runs):
                for label, folder in folders.items():
                    start = time.perf_counter()
                    ws.run(["preview", "--stack", label], cwd=folder)
                    times[label].append(time.perf_counter() - start)
            for label, measured in times.items():
                medians[(label, count)] = statistics.median(measured)
    return medians


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    medians = measure(runs)
    print(f"pulumi preview, median of {runs} interleaved runs (seconds)")
    print(f"{'WABAs':>5} {'project':>8} {'flat':>8} {'empty':>8} {'project/flat':>13}")
    for count in sorted({c for _, c in medians}):
        project, flat, empty = (medians[(label, count)] for label in ("project", "flat", "empty"))
        print(f"{count:>5} {project:>8.2f} {flat:>8.2f} {empty:>8.2f} {project / flat:>13.2f}")


if __name__ == "__main__":
    main()
