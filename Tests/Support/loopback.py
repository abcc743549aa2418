"""What the loopback test servers share: the port file, and serving until SIGTERM."""

import os
import shutil
import signal
import sys
import tempfile


def write_port_file(path, port):
    """Writes `port` to `path` atomically (tests poll the file to know the server listens)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".port.", dir=directory)
    with os.fdopen(fd, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def serve(make_server, port_file, home_prefix, on_close=None):
    """Makes the server with `make_server(home)` (home: an empty folder for git, removed
    at the end), writes its port to `port_file` and prints `PORT <n>`, then serves until
    SIGTERM or SIGINT; returns 0, the exit status for both."""

    def on_term(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    home = tempfile.mkdtemp(prefix=home_prefix)
    server = None
    try:
        server = make_server(home)
        port = server.server_address[1]
        if port_file:
            write_port_file(port_file, port)
        sys.stdout.write("PORT %d\n" % port)
        sys.stdout.flush()
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if server is not None:
            if on_close is not None:
                on_close(server)
            server.server_close()
        shutil.rmtree(home, ignore_errors=True)
    return 0
