"""One WABA id normalisation for the stack settings and the resource's check and diff:
whatever the settings accept, check accepts, and the same WABA in another form or case
is the same WABA to both (issue 10, case 7)."""

from __future__ import annotations

import pytest

from components.settings import SettingsError, parse_settings
from components.waba.validation import check_inputs, plan_diff

HEX = "0123456789abcdef0123456789abcdef"
ARN = f"arn:aws:social-messaging:eu-west-1:123456789012:waba/{HEX}"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:events"


def settings_accept(waba_id: str) -> bool:
    raw = {"destinations": [{"wabaId": waba_id, "type": "sns", "topicArn": TOPIC}]}
    try:
        parse_settings(raw, "social-messaging-destinations", "dev")
    except SettingsError:
        return False
    return True


def check_accepts(waba_id: str) -> bool:
    _, failures = check_inputs(
        {"wabaId": waba_id, "eventDestinationArn": TOPIC, "region": "eu-west-1"}
    )
    return not any(failure.property == "wabaId" for failure in failures)


@pytest.mark.parametrize(
    "waba_id",
    [
        f"waba-{HEX}",
        f"waba-{HEX.upper()}",
        ARN,
        ARN.replace(HEX, HEX.upper()),
        f"waba-{HEX[:8]}\u200b{HEX[8:]}",  # zero-width space
        f"waba-{HEX} ",
        f"\ufeffwaba-{HEX}",  # byte order mark
        f"WABA-{HEX}",  # the service's pattern wants `waba-`
        "waba-",
        f"arn:aws:sns:eu-west-1:123456789012:waba/{HEX}",
        "123456789",
    ],
)
def test_settings_and_check_agree_on_every_form(waba_id: str) -> None:
    assert settings_accept(waba_id) is check_accepts(waba_id)


def test_an_invisible_character_is_shown_where_it_is_by_both() -> None:
    hidden = f"waba-{HEX[:8]}\u200b{HEX[8:]}"
    raw = {"destinations": [{"wabaId": hidden, "type": "sns", "topicArn": TOPIC}]}
    with pytest.raises(SettingsError) as refused:
        parse_settings(raw, "social-messaging-destinations", "dev")
    assert "ZERO WIDTH SPACE (U+200B) at position 13" in str(refused.value)
    _, failures = check_inputs(
        {"wabaId": hidden, "eventDestinationArn": TOPIC, "region": "eu-west-1"}
    )
    assert "ZERO WIDTH SPACE (U+200B) at position 13" in failures[0].reason


@pytest.mark.parametrize("other", [f"waba-{HEX.upper()}", ARN, ARN.replace(HEX, HEX.upper())])
def test_the_same_waba_in_another_form_or_case_updates_in_place(other: str) -> None:
    olds = {"wabaId": f"waba-{HEX}", "eventDestinationArn": TOPIC, "region": "eu-west-1"}
    plan = plan_diff(olds, {**olds, "wabaId": other})
    assert plan.changes and plan.replaces == ()
    raw = {
        "destinations": [
            {"wabaId": f"waba-{HEX}", "type": "sns", "topicArn": TOPIC},
            {"wabaId": other, "type": "sns", "topicArn": TOPIC},
        ]
    }
    with pytest.raises(SettingsError, match="each WABA once"):
        parse_settings(raw, "social-messaging-destinations", "dev")
