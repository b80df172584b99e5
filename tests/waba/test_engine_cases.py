"""The ten ways issue 10 found to break the WABA's destination, each driven through the
engine's own path: `python -m pulumi.dynamic` over gRPC, called in the engine's order
(create-before-delete for `--replace` and a rename), against the emulator. Each test
looks at what the WABA's owner would: its live destination after each command."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.waba_destination import WabaEventDestinationProvider
from tests.fakes.fixtures import AwsDoubles
from tests.waba.builders import make_topic, props
from tests.waba.engine import Engine, EngineRefused, dynamic_provider
from tests.waba.steps import GET, PUT

SERIALISED = serialize_provider(WabaEventDestinationProvider())
NAME = "events-waba"
ROOT = Path(__file__).resolve().parents[2]
# What users read: the README and the pages it leads to.
USER_DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.fixture
def engine(aws: AwsDoubles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    # One attempt per call, so a fault is not hidden by botocore's retries.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with dynamic_provider(aws.env(), tmp_path / "provider.stderr") as stub:
        yield Engine(stub, SERIALISED)


def provider_log(tmp_path: Path) -> list[str]:
    return (tmp_path / "provider.stderr").read_text().splitlines()


def sends_to(topic: str | None) -> dict[str, str] | None:
    return {"eventDestinationArn": topic} if topic else None


def news(aws: AwsDoubles, waba: str, topic: str, **more: Any) -> dict[str, Any]:
    return props(waba, topic, aws.region, verify=False, **more)


# ---- 1. claiming someone else's write ----------------------------------------------


def test_1_a_change_to_what_someone_else_set_adopts_it_and_destroy_leaves_it(
    aws: AwsDoubles, engine: Engine
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    ours = make_topic(aws.region, aws.account, name="ours")
    theirs = make_topic(aws.region, aws.account, name="theirs")
    id_, state = engine.create(NAME, news(aws, waba, ours))
    aws.emulator.set_destination(waba, theirs)  # the console, or another stack
    writes = len(aws.emulator.writes)

    state = engine.up(NAME, id_, state, news(aws, waba, theirs))  # no refresh in between

    assert state["ownership"] == "adopted" and state["appliedEventDestinationArn"] == ""
    assert "which this resource did not set" in state["notice"]
    assert aws.emulator.writes[writes:] == []  # nothing written over it
    engine.destroy(NAME, id_, state)
    assert aws.emulator.destination(waba) == sends_to(theirs)


# ---- 2. adopting, then changing --------------------------------------------------


def test_2_a_stack_that_adopted_another_stacks_destination_needs_takeover_to_change_it(
    aws: AwsDoubles, engine: Engine
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    a_topic = make_topic(aws.region, aws.account, name="stack-a")
    b_topic = make_topic(aws.region, aws.account, name="stack-b")
    engine.create(NAME, news(aws, waba, a_topic))
    b_id, b_state = engine.create(NAME, news(aws, waba, a_topic, ownerStack="prod"))
    assert b_state["ownership"] == "adopted"

    # Check reads the WABA and refuses, so `pulumi preview` already says so.
    with pytest.raises(EngineRefused) as refused:
        engine.up(NAME, b_id, b_state, news(aws, waba, b_topic, ownerStack="prod"))

    reason = refused.value.args[0]["wabaId"]
    assert "takeover" in reason
    assert "resource 'events-waba' of stack 'social-messaging-destinations/dev'" in reason
    assert aws.emulator.destination(waba) == sends_to(a_topic)


def test_2_a_stack_that_adopted_a_console_destination_needs_takeover_to_change_it(
    aws: AwsDoubles, engine: Engine
) -> None:
    console = make_topic(aws.region, aws.account, name="console")
    waba = aws.emulator.link_waba(region=aws.region, destination=console)
    ours = make_topic(aws.region, aws.account, name="ours")
    id_, state = engine.create(NAME, news(aws, waba, console))

    with pytest.raises(grpc.RpcError, match="takeover"):
        engine.up(NAME, id_, state, news(aws, waba, ours))
    assert aws.emulator.destination(waba) == sends_to(console)

    state = engine.up(NAME, id_, state, news(aws, waba, ours, takeover=True))
    engine.destroy(NAME, id_, state)
    assert aws.emulator.destination(waba) == sends_to(console)


def waba_with_a_destination(aws: AwsDoubles) -> tuple[str, str, str]:
    """A topic someone else set up as a WABA's destination, that WABA, and our topic."""
    original = make_topic(aws.region, aws.account, name="original")
    waba = aws.emulator.link_waba(region=aws.region, destination=original)
    return original, waba, make_topic(aws.region, aws.account, name="ours")


# ---- 3. lost answers -----------------------------------------------------------------


def test_3_a_takeover_whose_answer_is_lost_finishes_and_destroy_restores(
    aws: AwsDoubles, engine: Engine
) -> None:
    original, waba, ours = waba_with_a_destination(aws)
    aws.emulator.inject(PUT, 500, "InternalServiceException", lost=True)

    id_, state = engine.create(NAME, news(aws, waba, ours, takeover=True))

    assert aws.emulator.destination(waba) == sends_to(ours)
    assert state["previousEventDestinationArn"] == original
    assert "answer to PutWhatsAppBusinessAccountEventDestinations was lost" in state["notice"]
    engine.destroy(NAME, id_, state)
    assert aws.emulator.destination(waba) == sends_to(original)


def test_3_a_create_that_fails_after_its_write_landed_is_inherited_by_the_next_up(
    aws: AwsDoubles, engine: Engine
) -> None:
    original, waba, ours = waba_with_a_destination(aws)
    aws.emulator.inject(PUT, 500, "InternalServiceException", lost=True)
    # The read back after the Put (the fourth Get, after check's and the race guard's)
    # fails too.
    aws.emulator.inject(GET, 500, "InternalServiceException", times=1, skip=3)

    with pytest.raises(grpc.RpcError):
        engine.create(NAME, news(aws, waba, ours, takeover=True))  # the read back failed too
    assert aws.emulator.destination(waba) == sends_to(ours)

    id_, state = engine.create(NAME, news(aws, waba, ours, takeover=True))  # the next `up`

    assert state["ownership"] == "inherited"
    assert state["previousEventDestinationArn"] == original
    engine.destroy(NAME, id_, state)
    assert aws.emulator.destination(waba) == sends_to(original)


def test_3_an_update_whose_answer_is_lost_does_not_fail_the_up(
    aws: AwsDoubles, engine: Engine
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    first = make_topic(aws.region, aws.account, name="first")
    second = make_topic(aws.region, aws.account, name="second")
    id_, state = engine.create(NAME, news(aws, waba, first))
    aws.emulator.inject(PUT, 504, "InternalServiceException", lost=True)

    state = engine.up(NAME, id_, state, news(aws, waba, second))

    assert state["appliedEventDestinationArn"] == second
    assert "was lost" in state["notice"]
    engine.destroy(NAME, id_, state)
    assert aws.emulator.destination(waba) is None


# ---- 4. a refresh that reads the WABA as gone once ---------------------------------


def test_4_a_transient_not_found_on_refresh_keeps_the_takeover_state(
    aws: AwsDoubles, engine: Engine
) -> None:
    original, waba, ours = waba_with_a_destination(aws)
    id_, state = engine.create(NAME, news(aws, waba, ours, takeover=True))
    aws.emulator.inject(GET, 404, "ResourceNotFoundException", times=1)

    refreshed = engine.refresh(NAME, id_, state)

    assert refreshed is not None
    assert refreshed["previousEventDestinationArn"] == original
    engine.destroy(NAME, id_, refreshed)
    assert aws.emulator.destination(waba) == sends_to(original)


# ---- 5 and 6. replacement and rename -------------------------------------------------


@pytest.mark.parametrize("new_name", [NAME, "events-waba-renamed"], ids=["replace", "rename"])
def test_5_6_replacement_and_rename_never_leave_the_waba_empty(
    aws: AwsDoubles, engine: Engine, tmp_path: Path, new_name: str
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    ours = make_topic(aws.region, aws.account, name="ours")
    id_, state = engine.create(NAME, news(aws, waba, ours))
    aws.emulator.reset()
    aws.emulator.link_waba(region=aws.region, hex_id=waba.removeprefix("waba-"))
    aws.emulator.set_destination(waba, ours)
    aws.emulator.set_tags(waba, _tags_of(state, ours))

    new_id, new_state = engine.replace(
        NAME, new_name, id_, state, news(aws, waba, ours, ownerResource=new_name)
    )

    assert new_state["ownership"] == "inherited"
    assert aws.emulator.destination(waba) == sends_to(ours)
    assert [w for w in aws.emulator.writes if w.by == "api"] == []  # never cleared
    [line] = [line for line in provider_log(tmp_path) if "left as it is" in line]
    assert f"now claimed by resource '{new_name}'" in line
    engine.destroy(new_name, new_id, new_state)
    assert aws.emulator.destination(waba) is None


def _tags_of(state: dict[str, Any], topic: str) -> dict[str, str]:
    """The claim the create wrote, rebuilt (the emulator was reset to count writes)."""
    from components.waba.claim import Identity, Previous, claim_for
    from components.waba.state import EventDestination

    identity = Identity(state["ownerProject"], state["ownerStack"], state["ownerResource"])
    return claim_for(identity, state["claimToken"], EventDestination(topic), Previous()).to_tags()


def test_5_replacement_after_a_takeover_keeps_ours_and_destroy_restores_the_original(
    aws: AwsDoubles, engine: Engine
) -> None:
    original, waba, ours = waba_with_a_destination(aws)
    id_, state = engine.create(NAME, news(aws, waba, ours, takeover=True))

    new_id, new_state = engine.replace(NAME, NAME, id_, state, news(aws, waba, ours, takeover=True))

    assert aws.emulator.destination(waba) == sends_to(ours)
    assert new_state["previousEventDestinationArn"] == original
    engine.destroy(NAME, new_id, new_state)
    assert aws.emulator.destination(waba) == sends_to(original)


# ---- 7. the same WABA in several forms ----------------------------------------------


def test_7_an_invisible_character_in_the_waba_id_is_refused_showing_where(
    aws: AwsDoubles, engine: Engine
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    topic = make_topic(aws.region, aws.account)

    with pytest.raises(EngineRefused) as refused:
        engine.check(NAME, news(aws, waba[:9] + "\u200b" + waba[9:], topic))

    [reason] = refused.value.args[0].values()
    assert "ZERO WIDTH SPACE (U+200B) at position 9" in reason


def test_7_a_change_of_case_or_form_of_the_waba_id_never_replaces(
    aws: AwsDoubles, engine: Engine
) -> None:
    waba = aws.emulator.link_waba(region=aws.region)
    topic = make_topic(aws.region, aws.account)
    id_, state = engine.create(NAME, news(aws, waba, topic))
    aws.emulator.reset_calls()

    key = waba.removeprefix("waba-")
    for other_form in ("waba-" + key.upper(), id_.replace(key, key.upper())):
        diff, _ = engine.diff(NAME, id_, state, {**news(aws, waba, topic), "wabaId": other_form})
        assert list(diff.replaces) == []
    state = engine.up(NAME, id_, state, {**news(aws, waba, topic), "wabaId": "waba-" + key.upper()})

    assert aws.emulator.destination(waba) == sends_to(topic)
    assert set(aws.emulator.operations()) <= {GET, "ListTagsForResource"}  # check reads
    engine.destroy(NAME, id_, state)  # the WABA is still found: by the ARN AWS reported
    assert aws.emulator.destination(waba) is None


# ---- 8. hostile input -----------------------------------------------------------------


@pytest.mark.parametrize("key", ["roleArn", "assumeRoleArn"])
def test_8_a_100000_character_role_arn_is_refused_by_its_length(
    aws: AwsDoubles, engine: Engine, key: str
) -> None:
    hostile = "arn:aws:iam::123456789012:role/" + "a" * 100_000
    instance = f"arn:aws:connect:{aws.region}:{aws.account}:instance/0b1c2d3e"
    values = news(aws, "waba-0a", instance, roleArn="arn:aws:iam::123456789012:role/channel")

    with pytest.raises(EngineRefused) as refused:
        engine.check(NAME, {**values, key: hostile})

    reason = refused.value.args[0][key]
    assert re.search(r"is 100031 characters long, longer than IAM's 2048", reason)
    assert len(reason) < 500  # the value is not echoed back in full


# ---- 9. decisions that are easy to miss -------------------------------------------------


def test_9_the_decision_is_an_output_and_destroy_says_it_in_one_line(
    aws: AwsDoubles, engine: Engine, tmp_path: Path
) -> None:
    topic = make_topic(aws.region, aws.account)
    waba = aws.emulator.link_waba(region=aws.region, destination=topic)

    id_, state = engine.create(NAME, news(aws, waba, topic))
    engine.destroy(NAME, id_, state)

    assert state["ownership"] == "adopted"
    assert state["notice"] == (
        f"WABA {waba} already sends its events to {topic} and no stack claims it (set in "
        "the console, by the CLI, or by an older version): adopted without writing. "
        "Destroying this resource leaves it in place; changing it later needs takeover."
    )
    assert [line for line in provider_log(tmp_path) if waba in line] == [
        f"warning: WABA {waba} left as it is: it sends its events to {topic}, which this "
        "resource did not set (it adopted it, or someone changed it since)."
    ]


# ---- 10. import --------------------------------------------------------------------------


def test_10_declaring_a_destination_lets_up_adopt_it_and_destroy_leaves_it(
    aws: AwsDoubles, engine: Engine
) -> None:
    topic = make_topic(aws.region, aws.account)
    waba = aws.emulator.link_waba(region=aws.region, destination=topic)

    id_, state = engine.create(NAME, news(aws, waba, topic))
    engine.destroy(NAME, id_, state)

    assert state["ownership"] == "adopted"
    assert aws.emulator.destination(waba) == sends_to(topic)
    assert [w for w in aws.emulator.writes if w.by == "api"] == []


def test_10_the_docs_do_not_promise_pulumi_import() -> None:
    text = "\n".join(page.read_text() for page in USER_DOCS)
    promises = [
        line
        for line in text.splitlines()
        if "pulumi import" in line
        and not any(word in line for word in ("cannot", "refused", "not "))
    ]
    assert promises == []
    assert "declare it and let `pulumi up` adopt it" in text
