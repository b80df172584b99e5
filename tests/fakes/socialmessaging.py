"""A local HTTP emulator of the `socialmessaging` calls this project makes.

moto has no `socialmessaging`, so this serves the rest-json protocol on 127.0.0.1 for
PutWhatsAppBusinessAccountEventDestinations, GetLinkedWhatsAppBusinessAccount,
ListLinkedWhatsAppBusinessAccounts and the tag operations on a WABA's ARN
(TagResource, UntagResource, ListTagsForResource). Routes, request validation and answers all come
from botocore's model of the service: every request is checked with botocore's
ParamValidator plus the model's max lengths, patterns and enums (which ParamValidator
leaves to the server), and every answer is built in the model's output shape. boto3
reaches it through AWS_ENDPOINT_URL_SOCIALMESSAGING.

Tests link WABAs, change them out of band (also between two calls of the code under
test, with `after_next`), inject faults (throttles, 5xx, 502, AccessDenied, slow
answers, and answers lost after the request took effect) and count the calls that
reached the service.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import botocore.session
from botocore.model import OperationModel, Shape
from botocore.validate import ParamValidator

SERVICE = "socialmessaging"
SIGNING_NAME = "social-messaging"
OPERATIONS = (
    "PutWhatsAppBusinessAccountEventDestinations",
    "GetLinkedWhatsAppBusinessAccount",
    "ListLinkedWhatsAppBusinessAccounts",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
)
DEFAULT_ACCOUNT = "123456789012"
# AWS's limit of user tags per resource.
MAX_TAGS = 50
_CREDENTIAL = re.compile(
    r"Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request"
)
_DEFAULT_MESSAGES = {
    "ThrottledRequestException": "Rate exceeded",
    "InternalServiceException": "Internal service error",
    "DependencyException": "A dependency of the service failed",
    "AccessDeniedException": "User is not authorized to perform this action",
}


class ApiError(Exception):
    """An error answer: HTTP status, error code and message, rest-json style."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def meta_waba_id(hex_id: str) -> str:
    """Meta's numeric WABA id, derived stably from the AWS id."""
    return str(int.from_bytes(hashlib.sha256(hex_id.encode()).digest()[:6], "big"))


@dataclass
class LinkedWaba:
    """One WABA linked to an account and a Region, as the service holds it."""

    hex_id: str
    name: str
    partition: str
    region: str
    account: str
    registration_status: str
    link_date: datetime
    event_destinations: list[dict[str, str]] = field(default_factory=list)
    phone_numbers: list[dict[str, str]] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"waba-{self.hex_id}"

    @property
    def arn(self) -> str:
        return (
            f"arn:{self.partition}:social-messaging:{self.region}:{self.account}:waba/{self.hex_id}"
        )

    def answer(self, with_phone_numbers: bool) -> dict[str, Any]:
        account: dict[str, Any] = {
            "arn": self.arn,
            "id": self.id,
            "wabaId": meta_waba_id(self.hex_id),
            "registrationStatus": self.registration_status,
            "linkDate": self.link_date,
            "wabaName": self.name,
            "eventDestinations": [dict(item) for item in self.event_destinations],
        }
        if with_phone_numbers:
            account["phoneNumbers"] = [dict(number) for number in self.phone_numbers]
        return account


@dataclass
class Fault:
    """An injected fault: `times` answers (None: every answer) of `operation` ('*':
    any) wait `delay` seconds, then fail with `status`/`code` or, without a status,
    answer normally."""

    operation: str
    status: int | None
    code: str | None
    message: str
    times: int | None
    delay: float
    # The request takes effect, then the error is answered: a lost answer.
    lost: bool = False
    # Matching requests that pass untouched before the fault applies.
    skip: int = 0


@dataclass(frozen=True)
class Call:
    """One request that reached the emulator."""

    operation: str
    params: dict[str, Any]
    status: int
    access_key_id: str
    region: str


@dataclass(frozen=True)
class Write:
    """One Put that took effect: the WABA's destination item before and after."""

    waba_id: str
    before: dict[str, str] | None
    after: dict[str, str] | None
    # "api" for a Put that reached the service, "out-of-band" for set_destination.
    by: str = "api"


def _model() -> Any:
    return botocore.session.get_session().get_service_model(SERVICE)


def constraint_errors(shape: Shape, value: Any, path: str) -> list[str]:
    """Model constraints ParamValidator does not enforce: max lengths and sizes,
    patterns (unanchored, as Smithy defines them) and enums."""
    errors: list[str] = []
    meta = shape.metadata
    if shape.type_name == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{path}: length {len(value)} exceeds max {meta['max']}")
        if "pattern" in meta and re.search(meta["pattern"], value) is None:
            errors.append(f"{path}: {value!r} does not match pattern {meta['pattern']!r}")
        if "enum" in meta and value not in meta["enum"]:
            errors.append(f"{path}: {value!r} is not one of {meta['enum']}")
    elif shape.type_name == "integer" and isinstance(value, int):
        if "max" in meta and value > meta["max"]:
            errors.append(f"{path}: {value} exceeds max {meta['max']}")
    elif shape.type_name == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{path}: {len(value)} items exceed max {meta['max']}")
        for index, item in enumerate(value):
            errors += constraint_errors(shape.member, item, f"{path}[{index}]")
    elif shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                errors += constraint_errors(member, value[name], f"{path}.{name}")
    return errors


def validate_request(operation: OperationModel, params: dict[str, Any]) -> None:
    """Refuse a request the real service would refuse for its shape."""
    shape = operation.input_shape
    if shape is None:
        return
    report = ParamValidator().validate(params, shape)
    problems = [report.generate_report()] if report.has_errors() else []
    problems += constraint_errors(shape, params, "input")
    if problems:
        raise ApiError(400, "ValidationException", "; ".join(problems))


def serialize_output(shape: Shape, value: Any, path: str = "output") -> Any:
    """A value in the output shape as rest-json writes it (timestamps as epoch
    seconds), insisting on the model's required members so an answer can never be
    something the real service would not send."""
    if shape.type_name == "structure":
        members = shape.members
        missing = [name for name in shape.required_members if name not in value]
        if missing:
            raise AssertionError(f"emulator answer {path} lacks required {missing}")
        unknown = set(value) - set(members)
        if unknown:
            raise AssertionError(f"emulator answer {path} has members not in the model {unknown}")
        return {
            name: serialize_output(members[name], item, f"{path}.{name}")
            for name, item in value.items()
            if item is not None
        }
    if shape.type_name == "list":
        return [serialize_output(shape.member, item, f"{path}[]") for item in value]
    if shape.type_name == "timestamp":
        return value.timestamp()
    return value


class _Server(ThreadingHTTPServer):
    """As an AWS endpoint, many connections at once: the socketserver default backlog
    of 5 drops a burst of 8 concurrent reads' connections, and each dropped one waits
    for TCP's 1 s retransmit."""

    daemon_threads = True
    request_queue_size = 128


class SocialMessagingEmulator:
    """The service state and its request handling; `start()` serves it over HTTP."""

    def __init__(self, partition: str = "aws", account: str = DEFAULT_ACCOUNT) -> None:
        self.partition = partition
        self.account = account
        self._model = _model()
        self._routes = {
            (op.http["method"], op.http["requestUri"].split("?")[0]): op
            for op in (self._model.operation_model(name) for name in OPERATIONS)
        }
        self._lock = threading.Lock()
        self._wabas: dict[str, LinkedWaba] = {}
        self._faults: list[Fault] = []
        self._after: list[tuple[str, Callable[[], None]]] = []
        self._calls: list[Call] = []
        self._writes: list[Write] = []
        self._in_flight = 0
        self._idle = threading.Condition(self._lock)
        self._turns: list[str] = []
        self._patience = 5.0
        self._arrived: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- test API -------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "start() the emulator first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def link_waba(
        self,
        name: str = "Example Business",
        region: str = "eu-west-1",
        account: str | None = None,
        hex_id: str | None = None,
        registration_status: str = "COMPLETE",
        destination: str | None = None,
        role_arn: str | None = None,
    ) -> str:
        """Link a WABA (what the console's Meta sign-up does) and return its id."""
        hex_id = hex_id or secrets.token_hex(16)
        waba = LinkedWaba(
            hex_id=hex_id,
            name=name,
            partition=self.partition,
            region=region,
            account=account or self.account,
            registration_status=registration_status,
            link_date=datetime(2025, 1, 15, 9, 30, tzinfo=timezone.utc),
        )
        waba.phone_numbers.append(
            {
                "arn": f"arn:{self.partition}:social-messaging:{region}:{waba.account}:"
                f"phone-number-id/{hex_id[:16]}",
                "phoneNumber": "+14255550123",
                "phoneNumberId": f"phone-number-id-{hex_id[:16]}",
                "metaPhoneNumberId": "109876543210987",
                "displayPhoneNumberName": name,
                "displayPhoneNumber": "+1 425-555-0123",
                "qualityRating": "GREEN",
            }
        )
        if destination:
            waba.event_destinations = [_item(destination, role_arn)]
        with self._lock:
            self._wabas[waba.id] = waba
        return waba.id

    def waba(self, id_or_arn: str) -> LinkedWaba:
        with self._lock:
            return self._find(id_or_arn, None)

    def set_destination(self, id_or_arn: str, arn: str | None, role_arn: str | None = None) -> None:
        """Change the destination out of band (console, CLI, another stack)."""
        with self._lock:
            waba = self._find(id_or_arn, None)
            before = dict(waba.event_destinations[0]) if waba.event_destinations else None
            waba.event_destinations = [_item(arn, role_arn)] if arn else []
            after = dict(waba.event_destinations[0]) if waba.event_destinations else None
            self._writes.append(Write(waba.id, before, after, "out-of-band"))

    def destination(self, id_or_arn: str) -> dict[str, str] | None:
        """The WABA's destination item now, or None."""
        with self._lock:
            items = self._find(id_or_arn, None).event_destinations
            return dict(items[0]) if items else None

    def tags(self, id_or_arn: str) -> dict[str, str]:
        """The WABA's tags now."""
        with self._lock:
            return dict(self._find(id_or_arn, None).tags)

    def set_tags(self, id_or_arn: str, tags: dict[str, str]) -> None:
        """Replace the WABA's tags out of band."""
        with self._lock:
            self._find(id_or_arn, None).tags = dict(tags)

    def unlink(self, id_or_arn: str) -> None:
        with self._lock:
            del self._wabas[self._find(id_or_arn, None).id]

    def inject(
        self,
        operation: str = "*",
        status: int | None = None,
        code: str | None = None,
        times: int | None = 1,
        delay: float = 0.0,
        message: str | None = None,
        lost: bool = False,
        skip: int = 0,
    ) -> None:
        """Fail (or slow down) the next `times` answers of an operation, after `skip`
        of them passed. With `lost`, the request takes effect first and only its
        answer is the error (a 5xx or a timeout after the write)."""
        if operation != "*" and operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation}")
        if status is not None and code is None:
            raise ValueError("a failing fault needs an error code")
        text = message or _DEFAULT_MESSAGES.get(code or "", "Injected fault")
        with self._lock:
            self._faults.append(Fault(operation, status, code, text, times, delay, lost, skip))

    def after_next(self, operation: str, action: Callable[[], None]) -> None:
        """Run `action` once, right after the next successful answer of `operation` is
        made and before the client receives it: another writer, or a fault, that lands
        between two calls of the code under test."""
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation}")
        with self._lock:
            self._after.append((operation, action))

    def take_turns(self, turns: list[str], patience: float = 5.0) -> None:
        """Order two (or more) callers' calls: callers are told apart by the access key
        id their requests are signed with, and the n-th call of the schedule is
        answered only once the ones before it were. A caller absent from the rest of
        the schedule is not held; a turn whose caller does not call within `patience`
        seconds (it stopped early, say after a refusal) is skipped."""
        with self._lock:
            self._turns = list(turns)
            self._patience = patience

    def _wait_turn(self, caller: str) -> bool:
        """Hold a request until it is its caller's turn; True when it took one."""
        with self._idle:
            deadline = time.monotonic() + self._patience
            while self._turns and caller in self._turns and self._turns[0] != caller:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._turns.pop(0)
                    deadline = time.monotonic() + self._patience
                    self._idle.notify_all()
                    continue
                self._idle.wait(remaining)
            return bool(self._turns) and self._turns[0] == caller

    def arrivals(self, operation: str) -> int:
        """How many requests of `operation` have arrived since the last reset."""
        with self._lock:
            return self._arrived.count(operation)

    def wait_arrival(self, operation: str, count: int = 1, timeout: float = 120.0) -> None:
        """Wait until `count` requests of `operation` have arrived since the last reset
        (answered or not): a test interrupts its client while one is in flight."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._arrived.count(operation) >= count, timeout):
                raise TimeoutError(f"no {operation} arrived within {timeout} s")

    def clear_faults(self) -> None:
        """Forget every injected fault and pending `after_next` action."""
        with self._lock:
            self._faults.clear()
            self._after.clear()

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    @property
    def writes(self) -> list[Write]:
        """Every change of a destination since the last reset, in order: Puts that took
        effect and out-of-band changes (`by`)."""
        with self._lock:
            return list(self._writes)

    def operations(self) -> list[str]:
        return [call.operation for call in self.calls]

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until no request is being answered (a slow answer the client gave
        up on is still recorded once it finishes)."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._in_flight == 0, timeout):
                raise TimeoutError("the emulator is still answering a request")

    def reset(self) -> None:
        """Forget every WABA, fault and call (between tests)."""
        with self._lock:
            self._wabas.clear()
            self._faults.clear()
            self._after.clear()
            self._calls.clear()
            self._writes.clear()
            self._turns.clear()
            self._arrived.clear()

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    # ---- serving --------------------------------------------------------------
    def start(self) -> SocialMessagingEmulator:
        handler = type("Handler", (_Handler,), {"emulator": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    @contextmanager
    def running(self) -> Iterator[SocialMessagingEmulator]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    # ---- request handling -----------------------------------------------------
    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request: route, authenticate, fault, validate, execute."""
        url = urlsplit(target)
        operation = self._routes.get((method, url.path))
        if operation is None:
            return _error(ApiError(404, "UnknownOperationException", f"{method} {url.path}"))
        key, region = _signing_scope(headers)
        params: dict[str, Any] = {}
        status = 200
        with self._lock:
            self._in_flight += 1
            self._arrived.append(operation.name)
            self._idle.notify_all()
        turn = self._wait_turn(key)
        try:
            if not key:
                raise ApiError(
                    403,
                    "IncompleteSignatureException",
                    "Requests must be signed with SigV4 for service social-messaging",
                )
            fault = self._take_fault(operation.name)
            if fault is not None:
                time.sleep(fault.delay)
                if fault.status is not None and not fault.lost:
                    raise ApiError(fault.status, str(fault.code), fault.message)
            params = _request_params(operation, url.query, body)
            validate_request(operation, params)
            answer = self._execute(operation.name, params, region)
            if fault is not None and fault.lost and fault.status is not None:
                raise ApiError(fault.status, str(fault.code), fault.message)
            payload = serialize_output(operation.output_shape, answer)
            action = self._take_after(operation.name)
            if action is not None:
                action()
            return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()
        except ApiError as error:
            status = error.status
            return _error(error)
        finally:
            with self._lock:
                self._calls.append(Call(operation.name, params, status, key, region))
                self._in_flight -= 1
                if turn and self._turns:
                    self._turns.pop(0)
                self._idle.notify_all()

    def _take_fault(self, operation: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.operation in ("*", operation) and fault.times != 0:
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _take_after(self, operation: str) -> Callable[[], None] | None:
        with self._lock:
            for index, (name, action) in enumerate(self._after):
                if name == operation:
                    del self._after[index]
                    return action
        return None

    def _find(self, id_or_arn: str, region: str | None) -> LinkedWaba:
        """A WABA by id or ARN; a WABA is only visible in the Region it is linked to."""
        for waba in self._wabas.values():
            if id_or_arn in (waba.id, waba.arn) and region in (None, waba.region):
                return waba
        raise ApiError(
            404,
            "ResourceNotFoundException",
            f"Linked WhatsApp Business Account {id_or_arn} not found",
        )

    def _execute(self, operation: str, params: dict[str, Any], region: str) -> dict[str, Any]:
        with self._lock:
            if operation == "GetLinkedWhatsAppBusinessAccount":
                return {"account": self._find(params["id"], region).answer(True)}
            if operation == "PutWhatsAppBusinessAccountEventDestinations":
                waba = self._find(params["id"], region)
                before = dict(waba.event_destinations[0]) if waba.event_destinations else None
                waba.event_destinations = [dict(item) for item in params["eventDestinations"]]
                after = dict(waba.event_destinations[0]) if waba.event_destinations else None
                self._writes.append(Write(waba.id, before, after))
                return {}
            if operation == "ListTagsForResource":
                waba = self._find(params["resourceArn"], region)
                return {
                    "statusCode": 200,
                    "tags": [{"key": k, "value": v} for k, v in sorted(waba.tags.items())],
                }
            if operation == "TagResource":
                waba = self._find(params["resourceArn"], region)
                tags = {**waba.tags, **{t["key"]: t.get("value", "") for t in params["tags"]}}
                if len(tags) > MAX_TAGS:
                    raise ApiError(400, "ValidationException", f"more than {MAX_TAGS} tags")
                waba.tags = tags
                return {"statusCode": 200}
            if operation == "UntagResource":
                waba = self._find(params["resourceArn"], region)
                for key in params["tagKeys"]:
                    waba.tags.pop(key, None)
                return {"statusCode": 200}
            return self._list(params, region)

    def _list(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        wabas = [w for w in self._wabas.values() if w.region == region]
        size = int(params.get("maxResults", 10))
        start = 0
        if "nextToken" in params:
            try:
                start = int(base64.urlsafe_b64decode(params["nextToken"]).decode())
            except ValueError:
                raise ApiError(400, "ValidationException", "invalid nextToken") from None
        page = wabas[start : start + size]
        answer: dict[str, Any] = {"linkedAccounts": [w.answer(False) for w in page]}
        if start + size < len(wabas):
            answer["nextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return answer


def _item(arn: str, role_arn: str | None) -> dict[str, str]:
    item = {"eventDestinationArn": arn}
    if role_arn:
        item["roleArn"] = role_arn
    return item


def _signing_scope(headers: dict[str, str]) -> tuple[str, str]:
    """Access key id and Region of a SigV4 request signed for social-messaging."""
    match = _CREDENTIAL.search(headers.get("authorization", ""))
    if match is None or match["service"] != SIGNING_NAME:
        return "", ""
    return match["key"], match["region"]


def _request_params(operation: OperationModel, query: str, body: bytes) -> dict[str, Any]:
    """The request's parameters as boto3 would have passed them, from the query
    string and the JSON body, following the model's locations."""
    params: dict[str, Any] = {}
    values = parse_qs(query, keep_blank_values=True)
    shape = operation.input_shape
    members = shape.members if shape is not None else {}
    body_members = []
    for name, member in members.items():
        location = member.serialization.get("location")
        if location == "querystring":
            wire = member.serialization.get("name", name)
            if wire in values:
                params[name] = _scalar(member, values[wire][-1], name)
        elif location is None:
            body_members.append(name)
    if body_members and body:
        try:
            document = json.loads(body)
        except ValueError:
            raise ApiError(400, "ValidationException", "request body is not JSON") from None
        if not isinstance(document, dict):
            raise ApiError(400, "ValidationException", "request body is not a JSON object")
        params.update(document)
    return params


def _scalar(shape: Shape, raw: str, name: str) -> Any:
    if shape.type_name == "integer":
        try:
            return int(raw)
        except ValueError:
            raise ApiError(400, "ValidationException", f"{name} must be an integer") from None
    return raw


def _error(error: ApiError) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": error.code}
    return error.status, headers, json.dumps({"message": error.message}).encode()


class _Handler(BaseHTTPRequestHandler):
    emulator: SocialMessagingEmulator

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        status, answer_headers, payload = self.emulator.handle(
            self.command, self.path, headers, body
        )
        try:
            self.send_response(status)
            for key, value in answer_headers.items():
                self.send_header(key, value)
            self.send_header("x-amzn-RequestId", secrets.token_hex(8))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (read timeout) before a slow answer was ready.
            pass

    do_GET = do_PUT = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep test output quiet."""
