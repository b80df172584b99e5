"""Running the real Pulumi CLI against local doubles of AWS, the way a user runs it.

A `PulumiWorkspace` is one isolated Pulumi home with a file state backend and a
passphrase secrets provider; `run` calls the CLI and keeps a transcript of every
command, printed when a test fails. `LocalAws` starts moto's server and the
socialmessaging emulator on loopback and makes the environment that points the
stand-in aws plugin, the dynamic provider and boto3 at them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakes.aws import MOTO_ACCOUNT, MotoServer
from tests.fakes.socialmessaging import SocialMessagingEmulator

REPO = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO / "scripts" / "pulumi-cli"
STAND_IN_PLUGINS = REPO / "tests" / "fakes" / "bin"
PASSPHRASE = "e2e-passphrase-not-a-secret"
REGION = "us-east-1"
ACCOUNT = MOTO_ACCOUNT
# moto serves every service on one port; these are the ones the stand-in plugin, the
# dynamic provider and the consumer call.
MOTO_SERVICES = ("SNS", "KMS", "IAM", "STS", "SQS")


def find_pulumi() -> Path | None:
    """The CLI the tests run: the one scripts/pulumi-cli built, else a `pulumi` on PATH."""
    built = subprocess.run(
        [str(BUILD_SCRIPT), "--path"], capture_output=True, text=True, check=False
    )
    if built.returncode == 0 and built.stdout.strip():
        return Path(built.stdout.strip().splitlines()[-1]) / "pulumi"
    found = shutil.which("pulumi")
    return Path(found) if found else None


@dataclass
class LocalAws:
    """moto (SNS, KMS, IAM, STS, SQS) and the socialmessaging emulator on loopback."""

    moto: MotoServer
    emulator: SocialMessagingEmulator

    def env(self) -> dict[str, str]:
        env = {f"AWS_ENDPOINT_URL_{service}": self.moto.url for service in MOTO_SERVICES}
        env["AWS_ENDPOINT_URL_SOCIALMESSAGING"] = self.emulator.url
        # Fake credentials for moto; nothing here reaches AWS.
        env.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_REGION=REGION,
            AWS_DEFAULT_REGION=REGION,
            AWS_MAX_ATTEMPTS="2",
        )
        return env

    def reset(self) -> None:
        self.moto.reset()
        self.emulator.reset()


@contextmanager
def local_aws() -> Iterator[LocalAws]:
    moto = MotoServer().start()
    emulator = SocialMessagingEmulator(account=ACCOUNT).start()
    try:
        yield LocalAws(moto, emulator)
    finally:
        emulator.stop()
        moto.stop()


@dataclass
class Result:
    args: list[str]
    cwd: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> object:
        return json.loads(self.stdout)


@dataclass
class PulumiWorkspace:
    """One Pulumi home and file backend; every CLI call goes through `run`."""

    pulumi: Path
    root: Path
    aws: LocalAws
    transcript: list[str] = field(default_factory=list)

    @property
    def backend(self) -> Path:
        return self.root / "state"

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "AWS_"))}
        path = os.pathsep.join(
            [str(self.pulumi.parent), str(STAND_IN_PLUGINS), keep.get("PATH", "")]
        )
        env = {
            **keep,
            **self.aws.env(),
            "PATH": path,
            "PULUMI_HOME": str(self.root / "home"),
            "PULUMI_BACKEND_URL": f"file://{self.backend}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
            "PULUMI_SKIP_CONFIRMATIONS": "true",
            "NO_COLOR": "1",
            # The stand-in plugin runs with the interpreter that runs the tests.
            "SMD_TEST_PYTHON": sys.executable,
        }
        env.update(extra or {})
        return env

    def run(
        self,
        args: Sequence[str],
        cwd: Path,
        *,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        timeout: float = 600,
    ) -> Result:
        command = [str(self.pulumi), *args]
        if args and args[0] in {"up", "preview", "destroy", "refresh", "import"}:
            command += ["--non-interactive", "--color", "never"]
        completed = subprocess.run(
            command,
            cwd=cwd,
            env=self.env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        result = Result(list(args), cwd, completed.returncode, completed.stdout, completed.stderr)
        self.transcript.append(
            f"$ pulumi {' '.join(args)}   (in {cwd.name}, exit {completed.returncode})\n"
            f"{completed.stdout}{completed.stderr}"
        )
        if check and completed.returncode != 0:
            raise AssertionError(
                f"`pulumi {' '.join(args)}` exited {completed.returncode}\n" + self.text()
            )
        return result

    def text(self) -> str:
        return "\n".join(self.transcript)


def project_copy(source: Path, target: Path, venv: Path, files: Sequence[str]) -> Path:
    """A project folder with `files` copied from `source` and `venv` linked in as the
    virtual environment Pulumi.yaml names (`virtualenv: venv`)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in files:
        origin = source / name
        if origin.is_dir():
            shutil.copytree(origin, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, target / name)
    (target / "venv").symlink_to(venv, target_is_directory=True)
    return target
