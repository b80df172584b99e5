"""The corpus, through the real Analyzer server: each case's violations by name and level.

One server serves every case (it is reconfigured before each one, which also resets the
previous case's settings). Every case runs `Analyze` on each resource and `AnalyzeStack`,
as `pulumi preview` does, and must report exactly the expected violations of its policy
(or of every policy, for the cases that say so), including "could not judge" ones; a case
with `error:` must instead be refused with a message holding those fragments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import grpc
import pytest

from destination_review.policy_analyzer import PolicyPackServer
from tests.policy_pack.corpus_cases import CORPUS_DIR, POLICY_NAMES, Case, judge, load_corpus

CASES = load_corpus()


@pytest.fixture(scope="module")
def server() -> Iterator[PolicyPackServer]:
    with PolicyPackServer() as running:
        yield running


def test_the_corpus_has_one_file_per_policy_and_enough_cases() -> None:
    files = sorted(path.stem for path in CORPUS_DIR.glob("*.yaml"))
    assert files == sorted(POLICY_NAMES)
    per_file = Counter(case.file_policy for case in CASES)
    assert len(CASES) >= 60 and min(per_file.values()) >= 10, per_file
    # Both kinds of case in every file: some pass, some must be refused.
    for policy in per_file:
        outcomes = {
            bool(case.expected or case.error) for case in CASES if case.file_policy == policy
        }
        assert outcomes == {True, False}, policy


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(server: PolicyPackServer, case: Case) -> None:
    server.configure(case.config)
    if case.error:
        # The engine's own schema check may let a setting through; the pack must refuse it.
        with pytest.raises(grpc.RpcError) as refused:
            server.analyze_all(case.resources)
        details = str(refused.value.details())
        assert all(fragment in details for fragment in case.error), details
        return
    judge(server, case)
