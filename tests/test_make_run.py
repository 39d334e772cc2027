"""`make run` prints the demo accounts last, once the server answers, and says how to reset one."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

# Starts servers and workers of its own and kills them: one at a time, in one test process.
pytestmark = pytest.mark.xdist_group("processes")

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(not (ROOT / ".venv" / ".installed-stamp").exists(), reason="needs `make venv` first")
def test_make_run_prints_the_demo_passwords_last(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "FRONTDOOR_ENV": "development",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
           # No control socket (one per user by default): another server may be running.
           "GUNICORN_CMD_ARGS": "--no-control-socket"}
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while "Front Door is running" not in log.read_text() and time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.5)
            time.sleep(1)  # anything printed after the banner would show up by now
            text = log.read_text()
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=30)
    assert f"Front Door is running at http://127.0.0.1:{port}/" in text
    before_stop = text
    block = before_stop[before_stop.index("Demo staff accounts."):]
    # The accounts come after every start-up line of the server ...
    assert before_stop.index("Listening at") < before_stop.index("Demo staff accounts.")
    assert before_stop.rindex("Booting worker") < before_stop.index("Demo staff accounts.")
    # ... and nothing but the banner follows them.
    assert "admin@demo.frontdoor.invalid" in block and "users set-password EMAIL" in block
    tail = block.strip().splitlines()
    assert tail[-1].startswith("Front Door is running at") and tail[-2].startswith("=====")
