"""How long an offline review takes: `python -m benchmarks.review [--runs N]`.

Two tables. The first is the whole command as a user runs it (`python -m
destination_review --stack <stack>`, the pack's start included) against `python -c`
importing what the review and its pack load (pulumi, pulumi_aws with its iam, kms and
sns modules, boto3, pulumi_policy): the ratio is the review's cost beyond
loading its libraries, and it should stay at or below 2. The second is, for 1 to 25
WABAs (the per-Region quota), the time to render the program under the mock runtime and
the time for the pack's analyzer server to judge the rendering. Medians of interleaved
runs; on a shared machine read them as orders of magnitude, the ratio as the figure.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from destination_review.policy_analyzer import PolicyPackServer
from destination_review.render import Target, render
from destination_review.review import analyzed

NS = "social-messaging-destinations"
TARGET = Target("aws", "us-east-1", "111122223333")
ROOT = Path(__file__).resolve().parent.parent
RATIO_BOUND = 2.0
IMPORTS = (
    "import pulumi, pulumi_aws, pulumi_aws.iam, pulumi_aws.kms, pulumi_aws.sns, boto3, "
    "pulumi_policy"
)


def config(wabas: int) -> dict[str, object]:
    t = TARGET
    instance = f"arn:{t.partition}:connect:{t.region}:{t.account_id}:instance/0a1b2c3d"
    destinations = []
    for index in range(wabas):
        waba = f"waba-{index:032x}"
        if index % 2:
            destinations.append({"wabaId": waba, "type": "connect", "connectInstanceArn": instance})
        else:
            destinations.append({"wabaId": waba, "type": "sns"})
    return {f"{NS}:destinations": destinations}


def median_ms(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _wall_ms(argv: Sequence[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, capture_output=True, check=True)
    return (time.perf_counter() - start) * 1000


def command_rows(stacks: Sequence[str], runs: int) -> list[tuple[str, float, float, float]]:
    """(stack, review ms, imports ms, ratio), from interleaved runs of both commands."""
    rows = []
    for stack in stacks:
        review_argv = [sys.executable, "-m", "destination_review", "--stack", stack]
        imports_argv = [sys.executable, "-c", IMPORTS]
        _wall_ms(review_argv)  # warm the file cache once
        reviews, imports = [], []
        for _ in range(runs):
            reviews.append(_wall_ms(review_argv))
            imports.append(_wall_ms(imports_argv))
        review_ms, imports_ms = statistics.median(reviews), statistics.median(imports)
        rows.append((stack, review_ms, imports_ms, review_ms / imports_ms))
    return rows


def command_table(rows: Sequence[tuple[str, float, float, float]]) -> list[str]:
    lines = [f"{'stack':>5} {'review ms':>9} {'imports ms':>10} {'ratio':>5} (bound {RATIO_BOUND})"]
    for stack, review_ms, imports_ms, ratio in rows:
        lines.append(f"{stack:>5} {review_ms:>9.0f} {imports_ms:>10.0f} {ratio:>5.2f}")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.review")
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median)")
    runs = parser.parse_args(argv).runs
    print("\n".join(command_table(command_rows(("dev", "prod"), runs))))
    print()
    print(f"{'WABAs':>5} {'resources':>9} {'render ms':>10} {'analyze ms':>11}")
    with PolicyPackServer() as server:
        for wabas in (1, 5, 10, 25):
            stack = config(wabas)
            resources = render(stack, target=TARGET).resources
            render_ms = median_ms(partial(render, stack, target=TARGET), runs)
            analyze_ms = median_ms(partial(server.analyze_all, analyzed(resources)), runs)
            print(f"{wabas:>5} {len(resources):>9} {render_ms:>10.0f} {analyze_ms:>11.0f}")


if __name__ == "__main__":
    main()
