"""What `check` reads of a WABA (Get, and ListTags when it has a destination: at most 2
calls, no write), and the reads of many WABAs at once.

The engine checks resources one at a time, so 25 WABAs read one after the other would
cost 25 round trips of each call. The claims guard is checked before every WABA
destination of its stack, and knows their ids: its check starts the reads of the WABAs
new to it (a first `up`, an added WABA) on a small pool, and each WABA's check takes
its reading, once, instead of reading again. A WABA already in the stack is read by its
own check, and only when `up` would write to it. A failed read is `unread`, never a
refusal: create and update read again and decide.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from components.process import keep_until_exit
from components.waba.client import WabaClient, WabaDestinationError
from components.waba.ids import waba_key
from components.waba.refusals import CheckReading
from components.waba.state import ASSUME_ROLE_ARN, PROFILE, REGION, destination_from_api

READERS = 8  # reads in flight at once, per provider process
FRESH_SECONDS = 30.0  # a reading started longer ago than this is read again

Reading = tuple[CheckReading, str]  # what was read, and the WABA's ARN ("" if unread)

_lock = threading.Lock()
_apis: dict[tuple[str, Any], Any] = {}
_started: dict[tuple[str, str, str, str], tuple[float, Future[Reading]]] = {}
_pool: list[ThreadPoolExecutor] = []


def _key(props: Mapping[str, Any], waba: str) -> tuple[str, str, str, str]:
    """One WABA as reached with one identity: the same for the guard's inputs and for
    the WABA destination's."""
    return (
        str(props[REGION]),
        str(props.get(PROFILE) or ""),
        str(props.get(ASSUME_ROLE_ARN) or ""),
        waba_key(waba) or waba,
    )


def _client(props: Mapping[str, Any]) -> WabaClient:
    """A client sharing the botocore client of its session with every other read of the
    process: making a client costs more than the two reads."""
    client = WabaClient.for_props(props)
    key = (client.region, client.session)  # the key keeps the session alive
    with _lock:
        if key not in _apis:
            _apis[key] = client._api()
            keep_until_exit()  # the process's client and its models
        client._client = _apis[key]
    return client


def _read(props: Mapping[str, Any], waba: str) -> Reading:
    try:
        client = _client(props)
        account = client.find(waba)
        if account is None:
            return CheckReading(linked=False), ""
        live = destination_from_api(account.get("eventDestinations"))
        claim = client.claim(waba) if live is not None else None
    except WabaDestinationError:
        return CheckReading(unread=True), ""
    return CheckReading(live=live, claim=claim), str(account["arn"])


def _read_after(made: Future[WabaClient], props: Mapping[str, Any], waba: str) -> Reading:
    made.exception()  # wait for the one session and client; a failure is read as unread
    return _read(props, waba)


def start_reads(props: Mapping[str, Any], wabas: Iterable[str]) -> None:
    """Start reading `wabas` with the identity of `props` (Region, profile, role), at
    most READERS at a time, and return: the session and client are made by the pool's
    first task, while the engine goes on; a WABA already being read is not read again."""
    with _lock:
        wabas = [waba for waba in wabas if _key(props, waba) not in _started]
        if not wabas:
            return
        if not _pool:
            _pool.append(ThreadPoolExecutor(READERS, thread_name_prefix="waba-read"))
        made = _pool[0].submit(_client, props)  # first in, so no read waits on a queued task
        for waba in wabas:
            task = _pool[0].submit(_read_after, made, props, waba)
            _started[_key(props, waba)] = (time.monotonic(), task)


def reading(props: Mapping[str, Any], waba: str) -> Reading:
    """The WABA's reading: the one started for it (taken once, and only while fresh),
    or a read now."""
    with _lock:
        started = _started.pop(_key(props, waba), None)
    if started is not None and time.monotonic() - started[0] < FRESH_SECONDS:
        return started[1].result()
    return _read(props, waba)
