"""TopicDeletion: deletes the stack's SNS topic at `pulumi destroy`, never at a
replacement or a rename.

The topic has a fixed name, and SNS `CreateTopic` with an existing name returns the
existing topic. So when the engine replaces the topic create-before-delete (`pulumi up
--replace`, a rename without `aliases`), the "new" topic is the old one and the old
resource's delete would delete the only topic. The topic resource is therefore
`retain_on_delete`, and this resource deletes the topic instead, on its own delete,
and only when no WABA of the stack still sends its events to it. At `destroy` the
WABAs are handed back first (they depend on this resource), so the topic goes; at a
replacement or rename of this resource or of the topic, the WABAs still send to it, so
it stays. A change of the topic's name replaces this resource: the WABAs have moved to
the new topic by the time the old one is deleted.

Pickled by reference like the WABA destination's provider: this module must stay
importable as `components.topic_deletion`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from botocore.exceptions import BotoCoreError, ClientError
from pulumi import dynamic

from components.waba.access import ACCESS_INPUTS, WABA_IDS, WabaAccess
from components.waba.client import WabaClient, WabaDestinationError, aws_session, client_config
from components.waba.state import (
    REGION,
    destination_from_api,
)

TOPIC_ARN = "topicArn"
_INPUTS = (TOPIC_ARN, *ACCESS_INPUTS)


def _inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    return {key: props.get(key) for key in _INPUTS}


def wabas_on_topic(props: Mapping[str, Any], topic_arn: str) -> tuple[list[str], list[str]]:
    """The WABAs (among those given) that send their events to the topic, and those
    that could not be read (1 read call per WABA)."""
    sending: list[str] = []
    unread: list[str] = []
    for waba in props.get(WABA_IDS) or []:
        client = WabaClient.for_props(props)
        try:
            account = client.find(str(waba))
        except WabaDestinationError:
            unread.append(str(waba))
            continue
        live = destination_from_api(account.get("eventDestinations")) if account else None
        if live is not None and live.arn == topic_arn:
            sending.append(str(waba))
    return sending, unread


def kept_reason(topic_arn: str, sending: Sequence[str], unread: Sequence[str]) -> str | None:
    """Why the topic must stay, or None when it can go."""
    if sending:
        return (
            f"SNS topic {topic_arn} is kept: WABA {', '.join(sending)} still sends its events "
            "to it (a replacement or rename of this stack's resources hands it over)."
        )
    if unread:
        return (
            f"SNS topic {topic_arn} is kept: WABA {', '.join(unread)} could not be read, so "
            "it may still send its events to it. Once no WABA does, delete it with "
            f"`aws sns delete-topic --topic-arn {topic_arn}`."
        )
    return None


class TopicDeletionProvider(dynamic.ResourceProvider):
    """No call at create or update; at delete, one read per WABA and DeleteTopic."""

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        changed = [key for key in _INPUTS if olds.get(key) != news.get(key)]
        replaces = [TOPIC_ARN] if TOPIC_ARN in changed else []
        return dynamic.DiffResult(changes=bool(changed), replaces=replaces)

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        return dynamic.CreateResult(str(props[TOPIC_ARN]), _inputs(props))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        return dynamic.UpdateResult(_inputs(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        topic_arn = str(props.get(TOPIC_ARN) or id_)
        reason = kept_reason(topic_arn, *wabas_on_topic(props, topic_arn))
        if reason is not None:
            pulumi.log.warn(reason)
            return
        sns = aws_session(props).client("sns", region_name=props[REGION], config=client_config())
        try:
            sns.delete_topic(TopicArn=topic_arn)
        except (ClientError, BotoCoreError) as error:
            raise WabaDestinationError(
                f"DeleteTopic of {topic_arn} failed: {error}. The deploying identity needs "
                f"sns:DeleteTopic on {topic_arn}; run `pulumi destroy` again once it has it."
            ) from None


class TopicDeletion(dynamic.Resource, module="social-messaging", name="TopicDeletion"):
    """Deletes the topic at destroy; see the module's docstring."""

    def __init__(
        self,
        resource_name: str,
        topic_arn: pulumi.Input[str],
        access: WabaAccess,
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        props = {TOPIC_ARN: topic_arn, **access.props()}
        super().__init__(TopicDeletionProvider(), resource_name, props, opts)
