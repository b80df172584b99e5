"""The decisions create and delete take, over every combination that matters, and
check's robustness: whatever a program passes, check answers with failures, never a
traceback."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.waba_destination_rules import (
    INPUTS,
    DestinationConflict,
    EventDestination,
    check_inputs,
    create_action,
    delete_action,
)

OURS = EventDestination("arn:aws:connect:eu-west-1:123456789012:instance/a", "arn:r/ours")
SAME_ARN_OTHER_ROLE = EventDestination(OURS.arn, "arn:r/theirs")
THEIRS = EventDestination("arn:aws:sns:eu-west-1:123456789012:crm-events")


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
    ("live", "previous", "kind", "restore"),
    [
        (OURS, None, "clear", None),
        (OURS, THEIRS, "restore", THEIRS),
        (OURS, OURS, "leave", None),  # adopted
        (THEIRS, None, "leave", None),  # changed by someone else
        (SAME_ARN_OTHER_ROLE, None, "leave", None),  # role changed by someone else
        (None, THEIRS, "leave", None),  # cleared by someone else: nothing to undo
    ],
)
def test_delete_only_undoes_what_this_resource_did(
    live: EventDestination | None,
    previous: EventDestination | None,
    kind: str,
    restore: EventDestination | None,
) -> None:
    action = delete_action(live, OURS, previous, "waba-1")
    assert action.kind == kind
    assert action.restore == restore
    assert "waba-1" in action.reason


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
