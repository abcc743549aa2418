#!/usr/bin/env python3
"""Loopback smart-HTTP git server for tests and benchmarks.

Serves every bare repository below --root through the real `git http-backend`
(run as a CGI subprocess per request), on 127.0.0.1 only.

    python3 git_http_server.py --root DIR [--port 0] [--bytes-log FILE]
                               [--port-file FILE] [--receive-pack] [--verbose]

Once listening it prints `PORT <n>` on stdout and, if --port-file is given,
atomically writes `<n>` to that file (tests poll for it to know the server is
ready). With --bytes-log every finished request appends one line

    <unix_time> <METHOD> <path?query> <status> <response_body_bytes>

where the byte count is the CGI response body (no HTTP headers, no chunk
framing). The line is written and flushed before the final byte of the
response framing is sent, so it is normally on disk by the time the client
sees the end of the response.

Request bodies may use Content-Length or `Transfer-Encoding: chunked`, and may
be gzip-compressed (`Content-Encoding: gzip` is passed to http-backend, which
inflates it). Responses are sent as HTTP/1.1 chunked (keep-alive) or, for
HTTP/1.0 clients, delimited by closing the connection.

SIGTERM and SIGINT stop the server and exit with status 0.
Only the Python standard library is used.
"""

import argparse
import os
import shutil
import socket
import sys
import threading
import time
from http.server import ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from git_http_handler import Handler  # noqa: E402  (sibling modules, path set just above)
import loopback  # noqa: E402


class GitHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Do not join handler threads on shutdown: an idle keep-alive connection
    # would otherwise delay exit until its socket times out.
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address, handler, *, root, git, home, log_file,
                 receive_pack, verbose):
        super().__init__(address, handler)
        self.root = root
        self.git = git
        self.home = home
        self.log_file = log_file
        self.log_lock = threading.Lock()
        self.receive_pack = receive_pack
        self.verbose = verbose

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, BrokenPipeError)):
            return
        super().handle_error(request, client_address)

    def log_bytes(self, method, target, status, nbytes):
        if self.log_file is None:
            return
        line = "%.6f %s %s %d %d\n" % (time.time(), method, target, status, nbytes)
        with self.log_lock:
            try:
                self.log_file.write(line)
                self.log_file.flush()
            except ValueError:
                pass  # closed: the server is shutting down

    def cgi_env(self):
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": self.home,
            "GIT_PROJECT_ROOT": self.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_LFS_SKIP_SMUDGE": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_SOFTWARE": "sediment-test-git-http",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(self.server_address[1]),
        }
        config = [("safe.directory", "*")]
        if self.receive_pack:
            config.append(("http.receivepack", "true"))
        env["GIT_CONFIG_COUNT"] = str(len(config))
        for i, (key, value) in enumerate(config):
            env["GIT_CONFIG_KEY_%d" % i] = key
            env["GIT_CONFIG_VALUE_%d" % i] = value
        for name, value in os.environ.items():
            # GIT_TRACE* lets a caller debug the server side, e.g. run the
            # server with GIT_TRACE_PACKET=/tmp/pkt.log.
            if name in ("LANG", "LC_ALL", "TMPDIR") or name.startswith("GIT_TRACE"):
                env[name] = value
        return env


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Serve bare git repositories over smart HTTP on 127.0.0.1.")
    parser.add_argument("--root", required=True,
                        help="folder holding the bare repositories")
    parser.add_argument("--port", type=int, default=0,
                        help="TCP port (0: let the OS choose)")
    parser.add_argument("--bytes-log", metavar="FILE",
                        help="append one line per request with the response body size")
    parser.add_argument("--port-file", metavar="FILE",
                        help="write the chosen port here (atomically) once listening")
    parser.add_argument("--receive-pack", action="store_true",
                        help="also allow pushes (http.receivepack=true)")
    parser.add_argument("--git", default="git", help="git executable")
    parser.add_argument("--verbose", action="store_true",
                        help="log requests and http-backend stderr to stderr")
    args = parser.parse_args(argv)

    root = os.path.abspath(args.root)
    if not os.path.isdir(root):
        parser.error("--root %s is not a directory" % root)
    git = shutil.which(args.git) or args.git
    log_file = open(args.bytes_log, "a", encoding="utf-8") if args.bytes_log else None
    try:
        return loopback.serve(
            lambda home: GitHTTPServer(("127.0.0.1", args.port), Handler, root=root, git=git, home=home,
                                       log_file=log_file, receive_pack=args.receive_pack, verbose=args.verbose),
            args.port_file, "git-http-home.")
    finally:
        if log_file is not None:
            log_file.close()


if __name__ == "__main__":
    sys.exit(main())
