"""Where the `social-messaging-guard` pack is, and starting it as the engine does.

Import-light on purpose (no gRPC, no Pulumi): the review starts the pack first, so that
the pack's own start (importing pulumi-policy and its rules) runs while the review
renders the program, and connects to it afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DEFAULT_PROJECT = "social-messaging-destinations"
DEFAULT_STACK = "dev"
DEFAULT_ORGANIZATION = "organization"
PACK_FILE = "PulumiPolicy.yaml"


def default_pack_dir() -> Path:
    """The pack shipped in this package (an installed wheel), else the source tree's
    `policy-packs/social-messaging-guard` (a checkout or an editable install)."""
    here = Path(__file__).resolve().parent
    packaged = here / "policy_pack"
    if (packaged / PACK_FILE).is_file():
        return packaged
    return here.parent / "policy-packs" / "social-messaging-guard"


def launch_pack(
    pack_dir: Path,
    *,
    python: str | None = None,
    project: str = DEFAULT_PROJECT,
    stack: str = DEFAULT_STACK,
    organization: str = DEFAULT_ORGANIZATION,
    dry_run: bool = True,
) -> subprocess.Popen[bytes]:
    """Start `python -u -m pulumi.policy <engine> .` in the pack's folder, with the
    environment the engine gives a Python pack; it prints its port when it is ready."""
    if not (pack_dir / PACK_FILE).is_file():
        raise FileNotFoundError(
            f"Policy pack folder '{pack_dir}' has no {PACK_FILE}; pass the folder of a Pulumi "
            "policy pack (default: policy-packs/social-messaging-guard)."
        )
    env = dict(os.environ)
    env.update(
        {
            "PULUMI_PROJECT": project,
            "PULUMI_STACK": stack,
            "PULUMI_ORGANIZATION": organization,
            "PULUMI_DRY_RUN": "true" if dry_run else "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    # No engine runs here; Python packs accept the address but never dial it.
    engine_address = "127.0.0.1:0"
    return subprocess.Popen(
        [python or sys.executable, "-u", "-m", "pulumi.policy", engine_address, "."],
        cwd=pack_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
