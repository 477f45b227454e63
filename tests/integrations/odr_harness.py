"""Shared helpers of the integration drivers in tests/integrations/: a real odrd on 127.0.0.1:0
that dies with the driver, running a command with a timeout, and describing a failed one.

Stdlib only, for Debian's /usr/bin/python3.
"""

import argparse
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

VIDEO_URL_PREFIX = "https://video.example/join/"


def die_with_parent():
    """In the child before exec: SIGTERM when this driver dies (say, killed on ctest's timeout),
    so that odrd never outlives the test (prctl PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)


class Odrd:
    """`odrd` on 127.0.0.1:0 with `data_dir` and `extra_args` (e.g. the TLS flags); log in
    data_dir/odrd.log. `address` is 127.0.0.1:PORT once it serves."""

    def __init__(self, odrd, data_dir, extra_args=()):
        port_file = os.path.join(data_dir, "port")
        self.log_path = os.path.join(data_dir, "odrd.log")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [odrd, "--listen", "127.0.0.1:0", "--data-dir", data_dir,
                 "--port-file", port_file, "--workers", "2", "--shutdown-grace", "5",
                 "--rate-limit", "0",
                 "--video-url-template", VIDEO_URL_PREFIX + "{appointment}?token={token}",
                 *extra_args],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                preexec_fn=die_with_parent)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with open(port_file) as f:
                    port = int(f.read().strip() or 0)
                if port > 0:
                    self.address = f"127.0.0.1:{port}"
                    return
            except FileNotFoundError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"odrd exited ({self.process.returncode}):\n{self.log()}")
            time.sleep(0.02)
        self.process.kill()
        self.process.wait()
        raise RuntimeError(f"odrd did not start in 20 s:\n{self.log()}")

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self):
        """SIGTERM, then waits; returns the exit status (SIGKILL after 20 s)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def run(argv, env, stdin=None):
    """Runs argv to completion (at most 60 s); returns the CompletedProcess with text output."""
    return subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True, timeout=60,
                          check=False)


def describe(result):
    return (f"{' '.join(result.args[:3])} ... exit {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")


def write_secret(path, text):
    """Writes `text` and a newline to a new file of mode 0600."""
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(text + "\n")


def parse_args(description):
    """The binaries every example test runs (from CMake); returns (args, the rest for unittest)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--odrd", required=True, help="the odrd binary")
    parser.add_argument("--odr", required=True, help="the odr CLI binary")
    parser.add_argument("--bindings-dir", required=True,
                        help="where odr_bindings wrote them (BUILD/bindings)")
    parser.add_argument("--node", default=shutil.which("node"), help="node (default: on PATH)")
    args, rest = parser.parse_known_args()
    for tool in ("odrd", "odr", "node"):
        path = getattr(args, tool)
        if not path or not os.access(path, os.X_OK):
            parser.error(f"--{tool}: {path} is not an executable")
    return args, rest


class OdrdTestCase(unittest.TestCase):
    """A test class around one odrd: setUpClass sets tmp, data_dir, base_env, odrd_binary and
    starts `odrd` (an Odrd); this stops it and cleans up (ODR_KEEP_TEST_DIR=1 keeps the dir)."""

    odrd = None
    odrd_binary = None
    tmp = None
    data_dir = None
    base_env = None

    @classmethod
    def tearDownClass(cls):
        log = cls.odrd.log()
        status = cls.stop_and_clean_up()
        # SIGTERM is a graceful stop: exit status 0.
        if status != 0:
            raise RuntimeError(f"odrd exited with {status} on SIGTERM:\n{log}")

    @classmethod
    def stop_and_clean_up(cls):
        """Stops odrd (SIGTERM) and removes the temp dir; returns odrd's exit status (None if
        it never started)."""
        status = cls.odrd.stop() if cls.odrd is not None else None
        if os.environ.get("ODR_KEEP_TEST_DIR"):
            print(f"kept {cls.tmp}", file=sys.stderr)
        elif cls.tmp:
            shutil.rmtree(cls.tmp, ignore_errors=True)
        return status

    @classmethod
    def admin(cls, *args):
        """`odrd admin ARGS --data-dir DATA`; returns stdout without the trailing newline."""
        result = run([cls.odrd_binary, "admin", *args, "--data-dir", cls.data_dir], cls.base_env)
        if result.returncode != 0:
            raise RuntimeError(describe(result))
        return result.stdout.rstrip("\n")
