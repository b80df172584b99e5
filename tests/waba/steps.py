"""Steps of a stack's life as the engine drives the provider (up, refresh, import,
destroy), shared by the lifecycle tests."""

from __future__ import annotations

from typing import Any

from components.waba_destination import WabaEventDestinationProvider
from tests.fakes.fixtures import AwsDoubles
from tests.waba.builders import props

GET = "GetLinkedWhatsAppBusinessAccount"
PUT = "PutWhatsAppBusinessAccountEventDestinations"
LIST = "ListTagsForResource"
TAG = "TagResource"
UNTAG = "UntagResource"
# The engine adds the serialised provider to every state; its value does not matter here.
PROVIDER = {"__provider": "serialised"}
provider = WabaEventDestinationProvider()


def stored(outs: dict[str, Any] | None) -> dict[str, Any]:
    """Outputs as the engine keeps them in state and passes them back."""
    assert outs is not None
    return {**outs, **PROVIDER}


def created(aws: AwsDoubles, waba: str, topic: str, **more: Any) -> dict[str, Any]:
    """Create (`pulumi up`), then forget the calls it made, as the next command starts."""
    result = provider.create(props(waba, topic, aws.region, **more))
    aws.emulator.reset_calls()
    return stored(result.outs)


def refreshed(aws: AwsDoubles, state: dict[str, Any]) -> dict[str, Any]:
    """`pulumi refresh`: read the WABA into state, then forget the call."""
    result = provider.read(state["wabaArn"], state)
    aws.emulator.reset_calls()
    assert result.id == state["wabaArn"]
    return stored(result.outs)


def updated(aws: AwsDoubles, state: dict[str, Any], topic: str, **more: Any) -> dict[str, Any]:
    """`pulumi up` with a changed destination: update in place."""
    news = {**props(str(state["wabaId"]), topic, aws.region, **more), **PROVIDER}
    return stored(provider.update(state["wabaArn"], state, news).outs)


def destroyed(state: dict[str, Any]) -> None:
    """`pulumi destroy`."""
    provider.delete(state["wabaArn"], state)
