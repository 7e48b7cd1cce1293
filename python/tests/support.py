"""Starts the real Switchboard server (built by `npm run build`) for a test module.

The server listens on a free loopback port with a temporary data directory (embedded SQLite)
and an administrator key generated here, so the tests know it.
"""
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CLI = os.path.join(REPO_ROOT, "packages", "server", "dist", "cli.js")
START_TIMEOUT = 20.0

_CLEARED = ("DATABASE_URL", "REDIS_URL", "SMTP_PORT", "TRUST_PROXY", "METRICS_TOKEN", "NODE_OPTIONS")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def unique_site() -> str:
    return f"https://{unique('site')}.example.com"


class LiveServer:
    def __init__(self) -> None:
        self.api_key = "sbk_test_" + secrets.token_hex(24)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.data_dir = tempfile.mkdtemp(prefix="switchboard-py-")
        self._log_path = os.path.join(self.data_dir, "server.log")
        self._process: Optional[subprocess.Popen] = None

    def start(self) -> "LiveServer":
        if not os.path.exists(CLI):
            raise RuntimeError(f"{CLI} is missing: run `npm run build` at the repository root first")
        env = {k: v for k, v in os.environ.items() if k not in _CLEARED and not k.startswith("SWITCHBOARD_")}
        env.update(
            PORT=str(self.port),
            HOST="127.0.0.1",
            PUBLIC_URL=self.base_url,
            SWITCHBOARD_DATA_DIR=self.data_dir,
            SWITCHBOARD_API_KEY=self.api_key,
            LOG_LEVEL="warn",
            # Provider and webhook URLs in the tests point at 127.0.0.1, so nothing leaves the machine.
            SWITCHBOARD_EGRESS_ALLOW="127.0.0.1",
        )
        log = open(self._log_path, "wb")
        try:
            self._process = subprocess.Popen(
                ["node", CLI, "start"], env=env, cwd=self.data_dir, stdout=log, stderr=subprocess.STDOUT
            )
        finally:
            log.close()
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"the server exited with {self._process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.base_url + "/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer /health within {START_TIMEOUT:g} s:\n{self.log()}")

    def log(self) -> str:
        try:
            with open(self._log_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        self._process = None
        shutil.rmtree(self.data_dir, ignore_errors=True)
