"""pytest fixtures: the socialmessaging emulator and moto on loopback, and an
environment in which boto3 reaches only them with throwaway credentials."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.aws import MOTO_ACCOUNT, MotoServer
from tests.fakes.socialmessaging import SocialMessagingEmulator

REGION = "eu-west-1"
# Recognisable throwaway values: tests assert they never reach state or messages.
ACCESS_KEY_ID = "AKIAFAKEDEPLOYER7Q2Z"
SECRET_ACCESS_KEY = "fake-secret-Zx9Lq2Wv8Nn4Rr6Tt0Yy3Uu5Ii7Oo1Pp"
SESSION_TOKEN = "fake-session-token-Hh2Jj4Kk6Ll8Mm0Nn2Bb4Vv6Cc8"

# Anything that could point boto3 at a real account or change retry behaviour.
_CLEARED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_ENDPOINT_URL",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_REGION",
    "AWS_SECURITY_TOKEN",
)


@dataclass
class AwsDoubles:
    """What a test needs to reach the doubles: the emulator, moto, and the Region and
    account the WABAs live in."""

    emulator: SocialMessagingEmulator
    moto: MotoServer
    region: str
    account: str
    config_file: Path

    def env(self) -> dict[str, str]:
        """The current environment, for a subprocess that must reach the same doubles."""
        return dict(os.environ)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[SocialMessagingEmulator]:
    emulator = SocialMessagingEmulator(account=MOTO_ACCOUNT).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def socialmessaging(emulator_server: SocialMessagingEmulator) -> SocialMessagingEmulator:
    emulator_server.reset()
    return emulator_server


@pytest.fixture
def aws(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    moto_server: MotoServer,
    socialmessaging: SocialMessagingEmulator,
) -> AwsDoubles:
    """boto3 talks only to the doubles, with throwaway static credentials and an
    empty AWS config of its own."""
    moto_server.reset()
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    config_file = tmp_path / "aws-config"
    config_file.write_text("")
    credentials_file = tmp_path / "aws-credentials"
    credentials_file.write_text("")
    values = {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "AWS_SESSION_TOKEN": SESSION_TOKEN,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(config_file),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials_file),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_SOCIALMESSAGING": socialmessaging.url,
        **moto_server.endpoint_env(),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return AwsDoubles(socialmessaging, moto_server, REGION, MOTO_ACCOUNT, config_file)
