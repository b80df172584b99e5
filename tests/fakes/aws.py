"""moto's server on loopback, standing in for SNS, KMS, IAM and STS over real HTTP."""

from __future__ import annotations

import logging
import urllib.request

from moto.server import ThreadedMotoServer

# The account moto answers for; WABAs in tests live in it so ARNs line up.
MOTO_ACCOUNT = "123456789012"
MOTO_SERVICES = ("SNS", "KMS", "IAM", "STS")


class MotoServer:
    """A ThreadedMotoServer on 127.0.0.1 and a free port."""

    def __init__(self) -> None:
        # Werkzeug logs every request at INFO; keep test output readable.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.url = ""

    def start(self) -> MotoServer:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self._server.stop()

    def reset(self) -> None:
        """Forget every topic, key and role (between tests)."""
        url = f"{self.url}/moto-api/reset"
        request = urllib.request.Request(url, method="POST")  # noqa: S310 (loopback)
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (loopback)
            answer.read()

    def endpoint_env(self) -> dict[str, str]:
        """The per-service endpoint variables boto3 honours."""
        return {f"AWS_ENDPOINT_URL_{service}": self.url for service in MOTO_SERVICES}
