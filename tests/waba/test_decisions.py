"""The decision table of create, update and delete (live value x claim x state ->
action), the WABA's id forms, and check's robustness: whatever a program passes,
check answers with failures, never a traceback, and in linear time."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.waba import ids
from components.waba.claim import (
    MAX_TAG_VALUE,
    UNRECORDED,
    Claim,
    Identity,
    Previous,
    PriorClaim,
    claim_for,
    claim_from_tags,
)
from components.waba.decisions import (
    DestinationConflict,
    create_plan,
    delete_action,
    update_plan,
)
from components.waba.record import Held
from components.waba.state import INPUTS, EventDestination, applied_from
from components.waba.validation import check_inputs, same_waba, waba_resource_arn

OURS = EventDestination("arn:aws:connect:eu-west-1:123456789012:instance/a", "arn:r/ours")
SAME_ARN_OTHER_ROLE = EventDestination(OURS.arn, "arn:r/theirs")
THEIRS = EventDestination("arn:aws:sns:eu-west-1:123456789012:crm-events")
NEWER = EventDestination("arn:aws:sns:eu-west-1:123456789012:whatsapp-events-v2")
ME = Identity("project", "dev", "events-waba")
OTHER_STACK = Identity("project", "prod", "events-waba")
TOKEN = "t-mine"


OTHER_TOKEN = "t-other"


def claim(
    identity: Identity, destination: EventDestination, token: str = OTHER_TOKEN, **more: Any
) -> Claim:
    return claim_for(
        identity,
        token,
        destination,
        Previous(more.get("previous"), more.get("known", True), more.get("prior")),
    )


# ---- create: live x claim -> action ------------------------------------------------


@pytest.mark.parametrize(
    ("live", "found", "takeover", "ownership", "write"),
    [
        (None, None, False, "created", True),
        (OURS, None, False, "adopted", False),  # no claim: someone set exactly ours
        (OURS, claim(OTHER_STACK, OURS), False, "adopted", False),
        (OURS, claim(ME, OURS), False, "inherited", False),  # replacement, rename, lost answer
        (THEIRS, claim(ME, THEIRS), False, "inherited", True),  # ours, changed in the program
        (THEIRS, None, True, "taken-over", True),
        (THEIRS, claim(OTHER_STACK, THEIRS), True, "taken-over", True),
        (OURS, claim(ME, THEIRS), False, "adopted", False),  # a stale claim is no claim
    ],
)
def test_create_decides_from_the_live_value_and_the_claim(
    live: EventDestination | None,
    found: Claim | None,
    takeover: bool,
    ownership: str,
    write: bool,
) -> None:
    plan = create_plan(OURS, live, found, ME, takeover, "waba-1")
    assert (plan.ownership, plan.write) == (ownership, write)


def test_inheriting_takes_the_previous_destination_from_the_claim() -> None:
    prior = PriorClaim("project/other", "crm", "t-0")
    found = claim(ME, OURS, previous=THEIRS, prior=prior)
    plan = create_plan(OURS, OURS, found, ME, False, "waba-1")
    assert plan.previous == Previous(THEIRS, True, prior)
    assert "inherited" in plan.notice and "events-waba" in plan.notice


@pytest.mark.parametrize(
    ("live", "found"),
    [(THEIRS, None), (SAME_ARN_OTHER_ROLE, None), (THEIRS, claim(OTHER_STACK, THEIRS))],
)
def test_create_refuses_someone_elses_destination_without_takeover(
    live: EventDestination, found: Claim | None
) -> None:
    with pytest.raises(DestinationConflict, match="takeover"):
        create_plan(OURS, live, found, ME, False, "waba-1")


# ---- update: live x claim x state -> action ---------------------------------------


def plan_update(
    live: EventDestination | None,
    found: Claim | None,
    applied: EventDestination | None,
    ownership: Any = "created",
    takeover: bool = False,
) -> tuple[str, bool]:
    plan = update_plan(NEWER, live, found, Held(applied, TOKEN, ownership), takeover, "waba-1")
    return plan.ownership, plan.write


@pytest.mark.parametrize(
    ("live", "found", "applied", "ownership", "takeover", "expected"),
    [
        (OURS, claim(ME, OURS, TOKEN), OURS, "created", False, ("created", True)),
        (OURS, None, OURS, "created", False, ("created", True)),  # older state: no claim
        (None, None, OURS, "created", False, ("created", True)),  # cleared: nobody cut off
        # live is already the new desired value, but not ours: adopted, never applied
        (NEWER, None, OURS, "created", False, ("adopted", False)),
        (NEWER, claim(OTHER_STACK, NEWER), OURS, "created", False, ("adopted", False)),
        (THEIRS, None, OURS, "created", True, ("taken-over", True)),
        (THEIRS, claim(OTHER_STACK, THEIRS), None, "adopted", True, ("taken-over", True)),
        # our own claim names the live value although state lost track: ours
        (THEIRS, claim(ME, THEIRS, TOKEN), OURS, "created", False, ("created", True)),
    ],
)
def test_update_writes_only_over_what_this_resource_applied(
    live: EventDestination | None,
    found: Claim | None,
    applied: EventDestination | None,
    ownership: str,
    takeover: bool,
    expected: tuple[str, bool],
) -> None:
    assert plan_update(live, found, applied, ownership, takeover) == expected


@pytest.mark.parametrize(
    ("live", "found", "applied", "ownership"),
    [
        (THEIRS, None, OURS, "created"),  # someone changed it since
        (OURS, claim(OTHER_STACK, OURS), OURS, "created"),  # another resource claims it
        (THEIRS, None, None, "adopted"),  # adopted, then the program changed it
        (OURS, None, None, "adopted"),
    ],
)
def test_update_refuses_over_a_destination_that_is_not_ours(
    live: EventDestination, found: Claim | None, applied: EventDestination | None, ownership: Any
) -> None:
    with pytest.raises(DestinationConflict, match="takeover"):
        plan_update(live, found, applied, ownership)


def test_takeover_of_an_adopted_destination_records_it_as_previous() -> None:
    found = claim(OTHER_STACK, THEIRS)
    held = Held(None, TOKEN, "adopted", Previous(THEIRS))
    plan = update_plan(NEWER, THEIRS, found, held, True, "waba-1")
    assert plan.previous == Previous(THEIRS, True, found.prior())
    assert "puts it back" in plan.notice


# ---- delete: live x claim x state -> action ---------------------------------------


@pytest.mark.parametrize(
    ("live", "found", "applied", "previous", "known", "kind"),
    [
        (OURS, claim(ME, OURS, TOKEN), OURS, None, True, "clear"),
        (OURS, claim(ME, OURS, TOKEN, previous=THEIRS), OURS, THEIRS, True, "restore"),
        (OURS, None, OURS, None, True, "clear"),  # older state, no claim: from state
        (OURS, None, OURS, THEIRS, True, "restore"),
        (OURS, claim(ME, OURS), OURS, None, True, "leave"),  # the replacement's claim
        (OURS, claim(OTHER_STACK, OURS), OURS, None, True, "leave"),  # taken over since
        (THEIRS, None, OURS, None, True, "leave"),  # changed by someone else
        (SAME_ARN_OTHER_ROLE, None, OURS, None, True, "leave"),
        (None, None, OURS, THEIRS, True, "leave"),  # cleared: nothing to undo
        (OURS, None, None, OURS, True, "leave"),  # adopted
        (OURS, claim(ME, OURS, TOKEN, known=False), OURS, None, False, "leave"),  # unrecorded
        (OURS, claim(ME, THEIRS, TOKEN), OURS, None, True, "clear"),  # stale claim: state
    ],
)
def test_delete_only_undoes_what_this_resource_did(
    live: EventDestination | None,
    found: Claim | None,
    applied: EventDestination | None,
    previous: EventDestination | None,
    known: bool,
    kind: str,
) -> None:
    action = delete_action(
        live, found, Held(applied, TOKEN, previous=Previous(previous, known)), "waba-1"
    )
    assert action.kind == kind
    assert action.restore == (previous if kind == "restore" else None)
    assert "waba-1" in action.reason and "\n" not in action.reason


def test_a_resource_taken_over_hands_what_it_found_to_the_one_that_took_over() -> None:
    # dev set OURS over nothing; prod took over with NEWER (its previous: OURS, and
    # dev's claim). dev is destroyed first: prod's claim must now put back nothing.
    mine = claim(ME, OURS, TOKEN)
    theirs = claim(OTHER_STACK, NEWER, previous=OURS, prior=mine.prior())
    leaving = delete_action(NEWER, theirs, Held(OURS, TOKEN), "waba-1")
    assert leaving.kind == "leave" and leaving.hand_over is not None
    assert leaving.hand_over.previous is None and leaving.hand_over.previous_known
    assert leaving.hand_over.token == theirs.token
    last = delete_action(
        NEWER, leaving.hand_over, Held(NEWER, theirs.token, previous=Previous(OURS)), "w"
    )
    assert (last.kind, last.restore) == ("clear", None)


def test_applied_falls_back_to_the_destination_of_older_state() -> None:
    older = {"eventDestinationArn": OURS.arn, "roleArn": OURS.role_arn}
    assert applied_from(older) == OURS
    current = {**older, "appliedEventDestinationArn": THEIRS.arn, "appliedRoleArn": ""}
    assert applied_from(current) == THEIRS
    assert applied_from({**older, "appliedEventDestinationArn": ""}) is None


# ---- the claim as tags -------------------------------------------------------------


def test_a_claim_round_trips_through_tags_within_the_tag_limits() -> None:
    prior = PriorClaim("project/other", "crm", "t-0")
    written = claim(ME, OURS, TOKEN, previous=THEIRS, prior=prior)
    tags = written.to_tags()
    assert all(len(value) <= MAX_TAG_VALUE for value in tags.values())
    assert claim_from_tags(tags) == written
    assert claim_from_tags({}) is None


def test_values_too_long_for_a_tag_are_digested_or_marked_unrecorded() -> None:
    long_topic = EventDestination("arn:aws:sns:eu-west-1:123456789012:" + "t" * 256)
    written = claim(Identity("p" * 200, "s" * 100, "r" * 300), long_topic, previous=long_topic)
    tags = written.to_tags()
    assert all(len(value) <= MAX_TAG_VALUE for value in tags.values())
    read = claim_from_tags(tags)
    assert read is not None and read.holds(long_topic)  # a digest still compares
    assert not read.holds(OURS)
    assert tags["pulumi:waba-destination:previous"] == UNRECORDED
    assert read.previous is None and read.previous_known is False


# ---- one WABA id normalisation -----------------------------------------------------

HEX = "0123456789abcdef0123456789abcdef"
ARN = f"arn:aws:social-messaging:eu-west-1:123456789012:waba/{HEX}"


@pytest.mark.parametrize(
    ("state_id", "state_arn", "new_id", "same"),
    [
        (f"waba-{HEX}", None, ARN, True),
        (ARN, ARN, f"waba-{HEX}", True),
        (f"waba-{HEX}", ARN, f"waba-{HEX}", True),
        (f"waba-{HEX}", None, f"waba-{HEX.upper()}", True),  # case names the same WABA
        (f"waba-{HEX}", None, ARN.replace(HEX, HEX.upper()), True),
        (ARN, ARN, ARN.replace(HEX, "f" * 32), False),
        (f"waba-{HEX}", ARN, "waba-" + "f" * 32, False),
        (f"waba-{HEX}", ARN, None, False),
    ],
)
def test_same_waba_compares_the_id_in_any_form_or_case(
    state_id: str, state_arn: str | None, new_id: str | None, same: bool
) -> None:
    assert same_waba({"wabaId": state_id, "wabaArn": state_arn}, new_id) is same


def test_invisible_characters_are_named_with_their_position() -> None:
    assert ids.describe_invisible("waba-12\u200b34") == (
        "contains ZERO WIDTH SPACE (U+200B) at position 7"
    )
    assert ids.waba_key("waba-12\u200b34") is None
    assert ids.waba_key(f"waba-{HEX.upper()}") == HEX
    assert ids.waba_key(f"WABA-{HEX}") is None  # the service's pattern wants `waba-`


@pytest.mark.parametrize(
    ("waba_id", "region", "known", "expected"),
    [
        (f"waba-{HEX}", "eu-west-1", ARN, ARN),
        (ARN, "eu-west-1", "", ARN),
        (
            f"waba-{HEX}",
            "eu-west-1",
            "",
            f"arn:aws:social-messaging:eu-west-1:<account>:waba/{HEX}",
        ),
        (
            f"waba-{HEX}",
            "cn-north-1",
            "",
            f"arn:aws-cn:social-messaging:cn-north-1:<account>:waba/{HEX}",
        ),
        (
            f"waba-{HEX}",
            "xx-nowhere-9",
            "",
            f"arn:<partition>:social-messaging:xx-nowhere-9:<account>:waba/{HEX}",
        ),
    ],
)
def test_permission_messages_name_the_waba_in_its_arn_form(
    waba_id: str, region: str, known: str, expected: str
) -> None:
    assert waba_resource_arn(waba_id, region, known) == expected


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=200),
    st.sampled_from(["arn:aws:sns:eu-west-1:1:t", "waba-1", "eu-west-1", "arn:::::"]),
    st.lists(st.text(max_size=5), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(list(INPUTS) + ["extra"]), values))
def test_check_never_raises_and_names_only_real_properties(news: dict[str, Any]) -> None:
    inputs, failures = check_inputs(news)
    assert set(news) <= set(inputs)
    assert {failure.property for failure in failures} <= set(news) | set(INPUTS)
    assert len({failure.property for failure in failures}) == len(failures)
    assert all(failure.reason for failure in failures)
