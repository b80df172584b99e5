"""The pack's fuzz test, run long: `python -m benchmarks.pack_fuzz [--examples N]`.

`tests/policy_pack/test_fuzz.py` runs a bounded, derandomised number of examples in the
suite; this runs the same three properties (nothing escapes, the work grows linearly, no
unconditioned service grant passes) with many random examples, and prints a table of
each property's outcome and time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_FILE = "tests/policy_pack/test_fuzz.py"
PROPERTIES = (
    "test_no_exception_escapes_the_pack",
    "test_the_work_grows_linearly_with_the_stack",
    "test_no_grant_to_a_service_without_the_conditions_passes",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--examples", type=int, default=2000)
    args = parser.parse_args(argv)
    env = {**os.environ, "PACK_FUZZ_EXAMPLES": str(args.examples)}
    print(f"{'property':<60}{'examples':>10}{'result':>8}{'seconds':>9}")
    failed = 0
    for name in PROPERTIES:
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             f"{TEST_FILE}::{name}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        elapsed = time.perf_counter() - start
        outcome = "pass" if result.returncode == 0 else "FAIL"
        failed += result.returncode != 0
        print(f"{name:<60}{args.examples:>10,}{outcome:>8}{elapsed:>9.0f}", flush=True)
        if result.returncode != 0:
            print(result.stdout[-4000:])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
