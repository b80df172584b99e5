"""What a process keeps until it exits is exempt from the cyclic garbage collector.

A Pulumi program and the dynamic provider's process each build what they use once (the
modules, botocore's models, an API client) and keep it until they exit. At exit the
interpreter's collector walks all of it again, ~0.1 s of a program's exit and more of a
provider's that has made a client, and the engine waits for every plugin to exit before
a preview or an update ends. `gc.freeze()` moves every object alive now out of the
collector's reach; they are still freed when nothing refers to them, and objects made
later are collected as usual.
"""

from __future__ import annotations

import gc


def keep_until_exit() -> None:
    """Exempt every object alive now from the cyclic collector (see the module)."""
    gc.freeze()
