"""The loopback servers of the fixture world, started detached so that a shell script can
leave them running between commands, and stopped by their process ids."""

import os
import signal
import subprocess
import sys
import time

from .repos import isolated_env

SUPPORT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = {"hub": "fixture_hub.py", "git": "git_http_server.py"}


def start(kind, root, work, home, bytes_log=None):
    """Starts the `kind` server ("hub": fixture_hub.py, "git": git_http_server.py) over
    `root`; returns (pid, port) once it listens. Its output goes to WORK/logs/KIND.log."""
    port_file = os.path.join(work, kind + ".port")
    if os.path.exists(port_file):
        os.remove(port_file)
    arguments = [sys.executable, os.path.join(SUPPORT, SCRIPTS[kind]), "--root", root, "--port-file", port_file]
    if bytes_log:
        arguments += ["--bytes-log", bytes_log]
    os.makedirs(os.path.join(work, "logs"), exist_ok=True)
    env = isolated_env(home)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    with open(os.path.join(work, "logs", kind + ".log"), "ab") as log:
        process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                   start_new_session=True)
    for _ in range(200):
        if os.path.exists(port_file):
            with open(port_file) as f:
                text = f.read().strip()
            if text.isdigit():
                return process.pid, int(text)
        if process.poll() is not None:
            raise RuntimeError("%s exited with status %s; see %s/logs/%s.log" % (SCRIPTS[kind], process.returncode, work, kind))
        time.sleep(0.05)
    process.terminate()
    raise RuntimeError("%s wrote no port in 10 s" % SCRIPTS[kind])


def stop(pid):
    """Sends SIGTERM to `pid` and waits (up to 10 s) until it is gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(200):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:  # reaps it when it is our child (in-process use)
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        time.sleep(0.05)
