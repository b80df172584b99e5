"""How long an offline review takes as a stack grows: `python -m benchmarks.review`.

Prints a table: for 1 to 25 WABAs (the per-Region quota), the time to render the program
under the mock runtime and the time for the policy pack's analyzer server to judge the
rendering (Analyze per resource plus AnalyzeStack). Median of several runs; timings on a
shared machine vary, so read them as orders of magnitude.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial

from destination_review.policy_analyzer import PolicyPackServer
from destination_review.render import Target, render
from destination_review.review import analyzed

NS = "social-messaging-destinations"
TARGET = Target("aws", "us-east-1", "111122223333")
RUNS = 5


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


def median_ms(action: Callable[[], object]) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    print(f"{'WABAs':>5} {'resources':>9} {'render ms':>10} {'analyze ms':>11}")
    with PolicyPackServer() as server:
        for wabas in (1, 5, 10, 25):
            stack = config(wabas)
            resources = render(stack, target=TARGET).resources
            render_ms = median_ms(partial(render, stack, target=TARGET))
            analyze_ms = median_ms(partial(server.analyze_all, analyzed(resources)))
            print(f"{wabas:>5} {len(resources):>9} {render_ms:>10.0f} {analyze_ms:>11.0f}")


if __name__ == "__main__":
    main()
