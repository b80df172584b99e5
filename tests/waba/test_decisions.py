"""The decisions create, update and delete take, over every combination that matters,
the WABA's two id forms, and check's robustness: whatever a program passes, check
answers with failures, never a traceback."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.waba_destination_rules import (
    INPUTS,
    DestinationConflict,
    EventDestination,
    applied_from_props,
    check_inputs,
    create_action,
    delete_action,
    same_waba,
    update_action,
    waba_resource_arn,
)

OURS = EventDestination("arn:aws:connect:eu-west-1:123456789012:instance/a", "arn:r/ours")
SAME_ARN_OTHER_ROLE = EventDestination(OURS.arn, "arn:r/theirs")
THEIRS = EventDestination("arn:aws:sns:eu-west-1:123456789012:crm-events")
NEWER = EventDestination("arn:aws:sns:eu-west-1:123456789012:whatsapp-events-v2")


@pytest.mark.parametrize(
    ("live", "takeover", "expected"),
    [
        (None, False, "write"),
        (None, True, "write"),
        (OURS, False, "adopt"),
        (OURS, True, "adopt"),
        (THEIRS, True, "write"),
        (SAME_ARN_OTHER_ROLE, True, "write"),
    ],
)
def test_create_writes_adopts_or_takes_over(
    live: EventDestination | None, takeover: bool, expected: str
) -> None:
    assert create_action(live, OURS, takeover, "waba-1") == expected


@pytest.mark.parametrize("live", [THEIRS, SAME_ARN_OTHER_ROLE])
def test_create_refuses_someone_elses_destination_without_takeover(
    live: EventDestination,
) -> None:
    with pytest.raises(DestinationConflict, match="takeover"):
        create_action(live, OURS, False, "waba-1")


@pytest.mark.parametrize(
    ("live", "applied", "previous", "kind", "restore"),
    [
        (OURS, OURS, None, "clear", None),
        (OURS, OURS, THEIRS, "restore", THEIRS),
        (OURS, OURS, OURS, "leave", None),  # adopted
        (THEIRS, OURS, None, "leave", None),  # changed by someone else
        (SAME_ARN_OTHER_ROLE, OURS, None, "leave", None),  # role changed by someone else
        (None, OURS, THEIRS, "leave", None),  # cleared by someone else: nothing to undo
        (THEIRS, THEIRS, THEIRS, "leave", None),  # imported
        (None, None, None, "leave", None),  # imported without a destination
        (OURS, None, None, "leave", None),  # set by someone else after an empty import
    ],
)
def test_delete_only_undoes_what_this_resource_did(
    live: EventDestination | None,
    applied: EventDestination | None,
    previous: EventDestination | None,
    kind: str,
    restore: EventDestination | None,
) -> None:
    action = delete_action(live, applied, previous, "waba-1")
    assert action.kind == kind
    assert action.restore == restore
    assert "waba-1" in action.reason


@pytest.mark.parametrize(
    ("live", "applied", "takeover", "expected"),
    [
        (OURS, OURS, False, "write"),  # still what this resource set
        (NEWER, OURS, False, "write"),  # already the new destination
        (None, OURS, False, "write"),  # cleared: nobody to cut off
        (THEIRS, OURS, True, "takeover"),
        (SAME_ARN_OTHER_ROLE, OURS, True, "takeover"),
    ],
)
def test_update_writes_over_its_own_destination_or_takes_over(
    live: EventDestination | None,
    applied: EventDestination | None,
    takeover: bool,
    expected: str,
) -> None:
    assert update_action(live, applied, NEWER, takeover, "waba-1") == expected


@pytest.mark.parametrize("live", [THEIRS, SAME_ARN_OTHER_ROLE])
def test_update_refuses_someone_elses_destination_without_takeover(
    live: EventDestination,
) -> None:
    with pytest.raises(DestinationConflict) as refused:
        update_action(live, OURS, NEWER, False, "waba-1")
    assert live.describe() in str(refused.value)
    assert "takeover" in str(refused.value) and "pulumi refresh" in str(refused.value)


def test_applied_falls_back_to_the_destination_of_older_state() -> None:
    older = {"eventDestinationArn": OURS.arn, "roleArn": OURS.role_arn}
    assert applied_from_props(older) == OURS
    current = {**older, "appliedEventDestinationArn": THEIRS.arn, "appliedRoleArn": ""}
    assert applied_from_props(current) == THEIRS
    assert applied_from_props({**older, "appliedEventDestinationArn": ""}) is None


HEX = "0123456789abcdef0123456789abcdef"
ARN = f"arn:aws:social-messaging:eu-west-1:123456789012:waba/{HEX}"


@pytest.mark.parametrize(
    ("state_id", "state_arn", "new_id", "same"),
    [
        (f"waba-{HEX}", None, ARN, True),
        (ARN, ARN, f"waba-{HEX}", True),
        (f"waba-{HEX}", ARN, f"waba-{HEX}", True),
        (ARN, ARN, ARN.replace(HEX, "f" * 32), False),
        (f"waba-{HEX}", ARN, "waba-" + "f" * 32, False),
        (f"waba-{HEX}", ARN, None, False),
    ],
)
def test_same_waba_compares_the_id_in_either_form(
    state_id: str, state_arn: str | None, new_id: str | None, same: bool
) -> None:
    assert same_waba({"wabaId": state_id, "wabaArn": state_arn}, new_id) is same


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
