"""Two first `up`s of one WABA at once, on the engine's gRPC path: two provider
processes (two stacks), told apart by the emulator through the access key their calls
are signed with, and the emulator's ordering of their calls. Each test asserts what
the WABA's owner would see after it: one owner, a claim that matches the WABA, and,
once both stacks are destroyed, the WABA as it was before them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.waba.claim import TOKEN, Identity, Previous, claim_for, claim_from_tags
from components.waba.state import EventDestination
from components.waba_destination import WabaEventDestinationProvider
from tests.fakes.fixtures import AwsDoubles
from tests.waba.builders import make_topic, props
from tests.waba.engine import Engine, EngineRefused, dynamic_provider

SERIALISED = serialize_provider(WabaEventDestinationProvider())
NAME = "events-waba"
A, B = "AKIAFAKESTACKA000001", "AKIAFAKESTACKB000002"
# The calls of a create that writes (verify off): the deciding read, the claim, the
# read just before the Put, the Put, the confirming read.
DECIDE, CLAIM, RECHECK, PUT, CONFIRM = 2, 1, 2, 1, 2


@pytest.fixture
def engines(aws: AwsDoubles, tmp_path: Path) -> Iterator[dict[str, Engine]]:
    """Stack A's and stack B's provider processes."""
    env = {**aws.env(), "AWS_MAX_ATTEMPTS": "1"}
    with (
        dynamic_provider({**env, "AWS_ACCESS_KEY_ID": A}, tmp_path / "a.stderr") as a,
        dynamic_provider({**env, "AWS_ACCESS_KEY_ID": B}, tmp_path / "b.stderr") as b,
    ):
        yield {A: Engine(a, SERIALISED), B: Engine(b, SERIALISED)}


def _news(aws: AwsDoubles, waba: str, stack: str, **more: Any) -> dict[str, Any]:
    topic = make_topic(aws.region, aws.account, name=f"{stack}-events")
    return props(waba, topic, aws.region, verify=False, ownerStack=stack, **more)


def _at_once(
    engines: dict[str, Engine], news: dict[str, dict[str, Any]]
) -> dict[str, tuple[str, dict[str, Any]] | None]:
    """Both stacks' creates at once; each result, or None when it failed."""
    results: dict[str, tuple[str, dict[str, Any]] | None] = {}

    def run(caller: str) -> None:
        try:
            results[caller] = engines[caller].create(NAME, news[caller])
        except grpc.RpcError:
            results[caller] = None

    threads = [threading.Thread(target=run, args=(caller,)) for caller in news]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _turns(*steps: tuple[str, int]) -> list[str]:
    return [caller for caller, count in steps for _ in range(count)]


def _agrees(aws: AwsDoubles, waba: str) -> bool:
    """No claim, or one that names what the WABA sends to."""
    claim = claim_from_tags(aws.emulator.tags(waba))
    live = aws.emulator.destination(waba)
    if claim is None:
        return True
    return live is not None and claim.destination == live["eventDestinationArn"]


def _destroy_all(engines: dict[str, Engine], results: dict[str, Any]) -> None:
    for caller, result in results.items():
        if result is not None:
            engines[caller].destroy(NAME, *result)


@pytest.mark.parametrize(
    "turns",
    [
        # Both decide over nothing, then both tag: the last tag wins the recheck.
        _turns((A, DECIDE), (B, DECIDE), (A, CLAIM), (B, CLAIM), (A, RECHECK), (B, RECHECK)),
        # A passes its recheck before B tags; B's recheck then sees A's Put.
        _turns((A, DECIDE), (B, DECIDE), (A, CLAIM + RECHECK), (B, CLAIM), (A, PUT), (B, RECHECK)),
        # B tags after A's recheck and before A's Put; A confirms after B gave up.
        _turns(
            (A, DECIDE), (B, DECIDE), (A, CLAIM + RECHECK), (B, CLAIM + RECHECK), (A, PUT + CONFIRM)
        ),
    ],
    ids=["tags-cross", "recheck-before-other-tag", "tag-between-recheck-and-put"],
)
def test_two_first_ups_end_with_one_owner_and_a_claim_that_matches_the_waba(
    aws: AwsDoubles, engines: dict[str, Engine], turns: list[str]
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    news = {A: _news(aws, waba, "a"), B: _news(aws, waba, "b")}
    aws.emulator.take_turns(turns, patience=2.0)

    results = _at_once(engines, news)

    owners = [caller for caller, result in results.items() if result is not None]
    assert len(owners) == 1, results
    (owner,) = owners
    live = aws.emulator.destination(waba)
    assert live == {"eventDestinationArn": news[owner]["eventDestinationArn"]}
    state = results[owner]
    assert state is not None
    assert aws.emulator.tags(waba)[TOKEN] == state[1]["claimToken"]
    _destroy_all(engines, results)
    assert aws.emulator.destination(waba) is None
    assert aws.emulator.tags(waba) == {}


def test_a_takeover_that_reads_between_a_put_and_its_confirming_read_never_restores_a_failed_create(
    aws: AwsDoubles, engines: dict[str, Engine]
) -> None:
    """Stack B takes the WABA over while A's create is between its Put and its confirming
    read: A's create fails, so B must not record A's destination as the one to put back
    (A's destroy deletes that topic)."""
    waba = aws.emulator.link_waba(region=aws.region)
    news = {A: _news(aws, waba, "a"), B: _news(aws, waba, "b", takeover=True)}
    aws.emulator.take_turns(
        _turns((A, DECIDE + CLAIM + RECHECK + PUT), (B, DECIDE + CLAIM + RECHECK), (A, CONFIRM))
        + _turns((A, 1), (B, PUT + CONFIRM)),  # A hands over, then B writes
        patience=2.0,
    )

    results = _at_once(engines, news)

    taker = results[B]
    assert results[A] is None and taker is not None
    assert taker[1]["previousEventDestinationArn"] == ""
    assert aws.emulator.destination(waba) == {"eventDestinationArn": news[B]["eventDestinationArn"]}
    assert _agrees(aws, waba)
    _destroy_all(engines, results)
    assert aws.emulator.destination(waba) is None
    assert aws.emulator.tags(waba) == {}


def test_a_destination_that_moves_just_before_the_put_is_refused_without_writing(
    aws: AwsDoubles, engines: dict[str, Engine]
) -> None:
    console = make_topic(aws.region, aws.account, name="console")
    waba = aws.emulator.link_waba(region=aws.region)
    news = _news(aws, waba, "a")
    aws.emulator.after_next("TagResource", lambda: aws.emulator.set_destination(waba, console))

    with pytest.raises(grpc.RpcError) as refused:
        engines[A].create(NAME, news)

    assert "changed while this operation was about to set" in str(refused.value.details())
    assert "run `pulumi up` again" in str(refused.value.details())
    assert [w.by for w in aws.emulator.writes] == ["out-of-band"]  # no Put
    assert aws.emulator.tags(waba) == {}  # its claim was taken back


def test_the_loser_of_a_race_sees_it_at_the_next_refresh_and_its_up_needs_takeover(
    aws: AwsDoubles, engines: dict[str, Engine]
) -> None:
    """When both stacks pass the check before the Put in the same instant, the last Put
    wins: the other stack's next refresh reports the WABA's destination and whose claim
    holds it, and its next `up` refuses to write over it without takeover."""
    waba = aws.emulator.link_waba(region=aws.region)
    news = {A: _news(aws, waba, "a"), B: _news(aws, waba, "b")}
    id_, state = engines[A].create(NAME, news[A])
    theirs = EventDestination(news[B]["eventDestinationArn"])
    b = Identity("social-messaging-destinations", "b", NAME)
    aws.emulator.set_tags(waba, claim_for(b, "t-b", theirs, Previous()).to_tags())
    aws.emulator.set_destination(waba, theirs.arn)  # B's claim and Put, last

    read = engines[A].refresh(NAME, id_, {**state, "__provider": SERIALISED})

    assert read is not None
    assert read["eventDestinationArn"] == theirs.arn  # drift shows
    assert (
        f"claimed by resource '{NAME}' of stack 'social-messaging-destinations/b'"
        in (read["notice"])
    )
    # Check reads the WABA and refuses, so `pulumi preview` already says so.
    with pytest.raises(EngineRefused) as refused:
        engines[A].up(NAME, id_, read, news[A])
    assert "takeover" in refused.value.args[0]["wabaId"]
    engines[A].destroy(NAME, id_, read)
    assert aws.emulator.destination(waba) == {"eventDestinationArn": theirs.arn}
    assert claim_from_tags(aws.emulator.tags(waba)) == claim_for(b, "t-b", theirs, Previous())
