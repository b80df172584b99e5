"""The socialmessaging calls of each command, counted on the engine's gRPC path: the
worst case of each operation (a takeover, whose delete puts back the previous
destination and its owner's claim). Shared by test_call_budgets.py and
`python -m benchmarks.waba_calls`."""

from __future__ import annotations

from typing import Any

from tests.fakes.socialmessaging import SocialMessagingEmulator
from tests.waba.engine import Engine

# (most calls, most Puts), pre-flight reads not counted. Check reads the WABA (at most
# 2 calls, no write) at preview and before every create and update, so `up` of a create
# or update adds those 2 to the operation's own; create and update pay 4 calls for the
# race guard (Get and ListTags just before the Put and after it); with verify on, a
# write reads the WABA once more after the pre-flight (2 calls).
BUDGETS = {
    "preview": (2, 0),
    # A WABA this stack already points where it declares: `up` writes nothing to it.
    "preview (no change)": (0, 0),
    "create": (10, 1),
    "update": (10, 1),
    "refresh": (2, 0),
    "delete": (4, 1),
}
PUT = "PutWhatsAppBusinessAccountEventDestinations"


def _inputs(waba: str, topic: str, region: str, **more: Any) -> dict[str, Any]:
    return {
        "wabaId": waba,
        "eventDestinationArn": topic,
        "region": region,
        "verify": False,
        "ownerProject": "social-messaging-destinations",
        "ownerStack": "dev",
        "ownerResource": "events-waba",
        **more,
    }


def measure(
    engine: Engine, emulator: SocialMessagingEmulator, region: str, account: str
) -> dict[str, list[str]]:
    """Each command once, from preview to destroy; the operations each one called."""
    topic = f"arn:aws:sns:{region}:{account}:"
    emulator.reset()
    owner = _inputs("", topic + "crm", region, ownerStack="crm")
    waba = emulator.link_waba(region=region)
    name = "events-waba"
    crm_id, _ = engine.create("crm", {**owner, "wabaId": waba})  # another stack's claim
    calls: dict[str, list[str]] = {}

    def counted(command: str, action: Any) -> Any:
        emulator.reset_calls()
        result = action()
        calls[command] = emulator.operations()
        return result

    news = _inputs(waba, topic + "ours", region, takeover=True)
    counted("preview", lambda: engine.check(name, news))
    id_, state = counted("create", lambda: engine.create(name, news))
    counted("preview (no change)", lambda: engine.check(name, news, state))
    changed = {**news, "eventDestinationArn": topic + "ours-v2"}
    state = counted("update", lambda: engine.up(name, id_, state, changed))
    state = counted("refresh", lambda: engine.refresh(name, id_, state))
    counted("delete", lambda: engine.destroy(name, id_, state))
    assert emulator.destination(waba) == {"eventDestinationArn": topic + "crm"}
    assert crm_id
    return calls


def within_budget(calls: dict[str, list[str]]) -> dict[str, bool]:
    return {
        command: len(made) <= BUDGETS[command][0] and made.count(PUT) <= BUDGETS[command][1]
        for command, made in calls.items()
    }
