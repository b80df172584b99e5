"""The socialmessaging calls of the resource, with retries, timeouts and errors turned
into one message that says what failed and how to fix it (never a credential).

One botocore loader serves the whole provider process (components.waba.model), and a
session with its client is kept per identity (profile, Region, assumed role and the
AWS_* environment) for the life of the process, which is one `pulumi` command: the
engine starts `python -m pulumi.dynamic` per command. Assumed-role sessions are
rebuilt after a quarter of an hour, well within the credentials' hour."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    ParamValidationError,
    ProfileNotFound,
)

from components.aws_errors import error_code as _code
from components.aws_errors import error_message as _message
from components.waba.claim import KEYS, Claim, claim_from_tags, tags_from_api
from components.waba.model import (
    GET_OPERATION,
    LIST_TAGS_OPERATION,
    PUT_OPERATION,
    SERVICE_NAME,
    SERVICE_PRINCIPAL,
    TAG_OPERATION,
    UNTAG_OPERATION,
    shared_loader,
)
from components.waba.state import ASSUME_ROLE_ARN, PROFILE, REGION, WABA_ARN, EventDestination
from components.waba.validation import waba_resource_arn

if TYPE_CHECKING:  # loaded when a session is made: a preview that reads no WABA skips them
    import boto3
    import botocore.session

# botocore's standard retry mode retries ThrottledRequestException (429, modelled
# retryable), DependencyException (502) and InternalServiceException (500) with
# exponential backoff and jitter. Five attempts in all ride out a short burst.
DEFAULT_MAX_ATTEMPTS = 5
CONNECT_TIMEOUT_SECONDS: float = 10
READ_TIMEOUT_SECONDS: float = 60
ROLE_SESSION_NAME = "pulumi-waba-event-destination"
ASSUMED_SESSION_SECONDS = 15 * 60
# A WABA read as not found is read once more after this pause before anything is
# concluded from it: a read can miss a WABA for a moment.
NOT_FOUND_CONFIRM_SECONDS = 0.2
NOT_FOUND = "ResourceNotFoundException"
_ACCESS_DENIED = {"AccessDeniedException", "AccessDenied"}


class WabaDestinationError(Exception):
    """A failure of a WABA event destination operation, in one message."""


def max_attempts() -> int:
    """Total attempts per call: AWS_MAX_ATTEMPTS when set, as for the AWS CLI."""
    raw = os.environ.get("AWS_MAX_ATTEMPTS") or str(DEFAULT_MAX_ATTEMPTS)
    if not raw.isdigit() or int(raw) < 1:
        raise WabaDestinationError(
            f"AWS_MAX_ATTEMPTS: received {raw!r}; expected a whole number of attempts "
            "such as 5. Fix or unset it."
        )
    return int(raw)


def client_config() -> Config:
    """Standard retries and explicit timeouts for every client."""
    return Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts()},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
    )


def _no_credentials() -> WabaDestinationError:
    return WabaDestinationError(
        "no AWS credentials found: set profile (or AWS_PROFILE) on the machine that runs "
        "pulumi, or use the standard credential chain (SSO, instance or container role)."
    )


def new_botocore_session(profile: str | None) -> botocore.session.Session:
    """A botocore session that reuses the process's loader (and its parsed models)."""
    import botocore.session

    session = botocore.session.Session(profile=profile)
    session.register_component("data_loader", shared_loader())
    return session


def _environment_key() -> str:
    """The AWS_* environment, as a digest: a session made for one environment is
    never reused in another (the tests change it between operations)."""
    items = sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_"))
    return hashlib.sha256(repr(items).encode()).hexdigest()


_cache_lock = threading.Lock()
_cache: dict[tuple[str, str, str, str], tuple[float, boto3.session.Session]] = {}


def aws_session(props: Mapping[str, Any]) -> boto3.session.Session:
    """A session with the same identity as the stack's aws provider: the standard
    credential chain or `profile`, then `assumeRoleArn` if set. Kept per process,
    never stored in state."""
    region = str(props[REGION])
    profile = str(props.get(PROFILE) or "")
    assume_role_arn = str(props.get(ASSUME_ROLE_ARN) or "")
    key = (profile, region, assume_role_arn, _environment_key())
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(key)
        if cached and (not assume_role_arn or now - cached[0] < ASSUMED_SESSION_SECONDS):
            return cached[1]
    session = _make_session(region, profile, assume_role_arn)
    with _cache_lock:
        _cache[key] = (now, session)
    return session


def _make_session(region: str, profile: str, assume_role_arn: str) -> boto3.session.Session:
    import boto3

    try:
        session = boto3.session.Session(
            botocore_session=new_botocore_session(None),
            profile_name=profile or None,
            region_name=region,
        )
        session.get_credentials()  # an unknown profile fails here, not mid-operation
    except ProfileNotFound:
        raise WabaDestinationError(
            f"profile: received {profile!r}, which is not in the AWS config or credentials "
            "file of the machine that runs pulumi; set profile to an existing profile or "
            "remove it to use the standard credential chain."
        ) from None
    if not assume_role_arn:
        return session
    sts = session.client("sts", region_name=region, config=client_config())
    try:
        credentials = sts.assume_role(RoleArn=assume_role_arn, RoleSessionName=ROLE_SESSION_NAME)[
            "Credentials"
        ]
    except ClientError as error:
        raise WabaDestinationError(
            f"assumeRoleArn: could not assume {assume_role_arn}: {_code(error)}: "
            f"{_message(error)}. Let the deploying identity sts:AssumeRole it and the role "
            "trust that identity, or fix assumeRoleArn."
        ) from None
    except NoCredentialsError:
        raise _no_credentials() from None
    except BotoCoreError as error:
        raise WabaDestinationError(
            f"assumeRoleArn: could not assume {assume_role_arn}: {error}"
        ) from None
    assumed = new_botocore_session(None)
    assumed.set_credentials(
        credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
    )
    return boto3.session.Session(botocore_session=assumed, region_name=region)


def required_permissions(operation: str, resource: str, passed_role: str = "") -> list[str]:
    needed = [f"social-messaging:{operation} on {resource}"]
    if passed_role:
        needed.append(
            f"iam:PassRole on {passed_role} with condition iam:PassedToService = "
            f"{SERVICE_PRINCIPAL}"
        )
    return needed


def describe_failure(
    error: ClientError,
    operation: str,
    region: str,
    waba: str,
    resource: str,
    passed_role: str = "",
) -> WabaDestinationError:
    """One clear message for a call that failed for good (retries are over)."""
    code, message = _code(error), _message(error)
    text = f"{operation} for WABA {waba} in {region} failed: {code}: {message}"
    if code in _ACCESS_DENIED:
        text += (
            ". The deploying identity needs "
            + "; ".join(required_permissions(operation, resource, passed_role))
            + "."
        )
    elif code == NOT_FOUND:
        text += (
            f". No WABA {waba} is linked to this account in {region}; link it in "
            "the AWS End User Messaging Social console, or fix wabaId and region."
        )
    return WabaDestinationError(text)


@dataclass
class WabaClient:
    """The socialmessaging calls of one operation on one WABA."""

    region: str
    session: boto3.session.Session
    waba_arn: str = ""
    # The id sent to the API: the WABA's ARN as AWS reported it once it is in state,
    # so a later change of form or case in the program never misses the WABA.
    target: str = ""
    calls: list[str] = field(default_factory=list)
    _client: Any = None

    @classmethod
    def for_props(cls, props: Mapping[str, Any]) -> WabaClient:
        known = str(props.get(WABA_ARN) or "")
        return cls(str(props[REGION]), aws_session(props), known, known)

    def _api(self) -> Any:
        if self._client is None:
            self._client = self.session.client(
                SERVICE_NAME, region_name=self.region, config=client_config()
            )
        return self._client

    def _call(
        self,
        operation: str,
        waba: str,
        missing_ok: bool = False,
        passed_role: str = "",
        **params: Any,
    ) -> dict[str, Any] | None:
        method = getattr(self._api(), xform_name(operation))
        self.calls.append(operation)
        try:
            return dict(method(**params))
        except ClientError as error:
            if missing_ok and _code(error) == NOT_FOUND:
                return None
            resource = waba_resource_arn(waba, self.region, self.waba_arn)
            raise describe_failure(
                error, operation, self.region, waba, resource, passed_role
            ) from None
        except NoCredentialsError:
            raise _no_credentials() from None
        except ParamValidationError as error:
            raise WabaDestinationError(f"{operation} for WABA {waba}: {error}") from None
        except BotoCoreError as error:
            raise WabaDestinationError(
                f"{operation} for WABA {waba} in {self.region} failed: {error}"
            ) from None

    def get(self, waba: str) -> dict[str, Any]:
        """The linked WABA; fails when it is not linked."""
        answer = self._call(GET_OPERATION, waba, id=self.target or waba)
        assert answer is not None
        self.waba_arn = str(answer["account"]["arn"])
        return dict(answer["account"])

    def find(self, waba: str) -> dict[str, Any] | None:
        """The linked WABA, or None when two reads, a moment apart, both say it is not
        linked: one not-found is not enough to drop a resource from state."""
        for attempt in range(2):
            answer = self._call(GET_OPERATION, waba, missing_ok=True, id=self.target or waba)
            if answer is not None:
                self.waba_arn = str(answer["account"]["arn"])
                return dict(answer["account"])
            if attempt == 0:
                time.sleep(NOT_FOUND_CONFIRM_SECONDS)
        return None

    def put(self, waba: str, destination: EventDestination | None) -> None:
        """Replace the WABA's destination list: one item, or none to clear it."""
        items = [destination.to_api()] if destination else []
        self._call(
            PUT_OPERATION,
            waba,
            passed_role=destination.role_arn if destination else "",
            id=self.target or waba,
            eventDestinations=items,
        )

    def claim(self, waba: str) -> Claim | None:
        """The ownership claim among the WABA's tags (after `get`, which learns its ARN)."""
        answer = self._call(LIST_TAGS_OPERATION, waba, resourceArn=self.waba_arn)
        assert answer is not None
        return claim_from_tags(tags_from_api(answer.get("tags")))

    def write_claim(self, waba: str, claim: Claim) -> None:
        tags = [{"key": key, "value": value} for key, value in claim.to_tags().items()]
        self._call(TAG_OPERATION, waba, resourceArn=self.waba_arn, tags=tags)

    def remove_claim(self, waba: str) -> None:
        self._call(UNTAG_OPERATION, waba, resourceArn=self.waba_arn, tagKeys=list(KEYS))
