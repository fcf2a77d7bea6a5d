"""`closeout serve` and `closeout demo` as real processes on an empty data folder.

They always run on a fresh SQLite file, even when the suite itself runs on PostgreSQL:
the point is what a newcomer sees after a fresh clone.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
START_TIMEOUT = 90  # seconds: migrations and the demo load run first


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closeout_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(
        CLOSEOUT_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url or f"sqlite:///{data_dir / 'closeout.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    return env


def closeout(*args: str) -> list[str]:
    return [sys.executable, "-m", "closeout", *args]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def running(args: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """Start a server process, wait until it answers, yield its base URL, stop it."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args,
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Ctrl-C reaches a server in a terminal; a suite started in the background
            # (`cmd &` in a script, nohup) would hand it an ignored SIGINT.
            preexec_fn=_interruptible,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text()}")
            try:
                get(f"{base}/api/openapi.json")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"server did not answer in time:\n{log.read_text()}")
                time.sleep(0.2)
        yield base
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_the_server_answers_pages_and_the_api_schema_from_an_empty_data_folder(command, tmp_path):
    port = free_port()
    data = tmp_path / "data"
    log = tmp_path / "server.log"
    with running(closeout(command, "--port", str(port)), closeout_env(data), port, log) as base:
        status, body = get(f"{base}/")
        assert status == 200 and body
        status, body = get(f"{base}/api/openapi.json")
        assert status == 200
        assert json.loads(body)["openapi"].startswith("3.")
    output = log.read_text()
    assert f"http://127.0.0.1:{port}/" in output
    assert (data / "closeout.sqlite3").exists()
    if command == "demo":
        assert "demo-office" in output and "demo-supervisor" in output
        assert "closeout-demo" in output


BUSY = (
    "cannot listen on %(host)s:%(port)s: the port is already in use; stop the other server "
    "or choose another port with --port"
)


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_busy_port_ends_the_command_with_a_clear_message(command, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            closeout(command, "--port", str(port)),
            cwd=REPO,
            env=closeout_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    assert in_default_language(BUSY, host="127.0.0.1", port=port) in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_ends_with_a_clear_message_when_the_database_is_unreachable(tmp_path):
    unreachable = f"postgres://postgres@127.0.0.1:{free_port()}/closeout"
    result = subprocess.run(
        closeout("serve", "--port", str(free_port())),
        cwd=REPO,
        env=closeout_env(tmp_path, unreachable),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert in_default_language("cannot use the database: %(error)s", error="") in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_help_describes_the_command_and_its_listen_options(command):
    from django.core.management import load_command_class

    parser = load_command_class("closeout.ledger", command).create_parser("closeout", command)
    text = parser.format_help()
    assert "--port" in text and "--host" in text
    assert "DEBUG" in text  # the description says how the command treats DEBUG


def in_default_language(msgid: str, **values: object) -> str:
    """A message as the commands print it: in the default language (Chinese)."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(msgid) % values


def test_the_server_refuses_a_body_far_past_every_limit_at_its_headers(tmp_path):
    """waitress reads a whole body before the application sees it: one announced as far
    longer than any request closeout accepts is refused before a byte of it is read."""
    port = free_port()
    log = tmp_path / "server.log"
    server = closeout("serve", "--port", str(port))
    with (
        running(server, closeout_env(tmp_path / "d"), port, log),
        socket.create_connection(("127.0.0.1", port), timeout=20) as sock,
    ):
        sock.sendall(
            b"POST /api/tasks/1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 600000000\r\n\r\n"  # under waitress's own 1 GiB default
        )
        answer = sock.recv(4096).decode("latin-1")
    assert answer.split()[1] == "413", answer
