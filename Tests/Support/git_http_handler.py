"""The request handler of git_http_server.py: request bodies in, `git http-backend` run as
CGI, its answer relayed (chunked, or closed for HTTP/1.0), with transport faults on demand."""

import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

CHUNK = 64 * 1024
# Request bodies larger than this are spooled to disk instead of memory.
SPOOL_MAX = 8 * 1024 * 1024
# Upper bound for a request body (pushes are the only large ones).
BODY_MAX = 2 * 1024 * 1024 * 1024


class BadRequest(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sediment-test-git-http/1"
    # Socket timeout: bounds idle keep-alive connections and stuck clients.
    timeout = 300

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.run_backend()

    def do_POST(self):
        self.run_backend()

    def do_HEAD(self):
        self.run_backend()

    # -- request body ------------------------------------------------------

    def read_body(self):
        """Reads the (de-chunked) request body.

        Returns (body, length) where body is bytes when small, or a temporary
        file positioned at 0 when larger than SPOOL_MAX.
        """
        sink = _BodySink()
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise BadRequest("eof in chunk size")
                size_text = line.split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise BadRequest("bad chunk size %r" % size_text)
                if size == 0:
                    # Skip optional trailers up to the empty line.
                    while True:
                        trailer = self.rfile.readline(8192)
                        if trailer in (b"\r\n", b"\n", b""):
                            break
                    break
                if sink.length + size > BODY_MAX:
                    raise BadRequest("body too large")
                self.copy_exact(size, sink)
                if self.rfile.readline(1024) not in (b"\r\n", b"\n"):
                    raise BadRequest("missing chunk terminator")
        else:
            length_text = self.headers.get("Content-Length")
            if length_text:
                try:
                    length = int(length_text)
                except ValueError:
                    raise BadRequest("bad Content-Length")
                if length < 0 or length > BODY_MAX:
                    raise BadRequest("bad Content-Length")
                self.copy_exact(length, sink)
        return sink.finish()

    def copy_exact(self, n, sink):
        while n > 0:
            data = self.rfile.read(min(n, CHUNK))
            if not data:
                raise BadRequest("eof in request body")
            sink.write(data)
            n -= len(data)

    # -- CGI ---------------------------------------------------------------

    def run_backend(self):
        method = self.command
        split = urllib.parse.urlsplit(self.path)
        target = split.path + ("?" + split.query if split.query else "")
        self.logged = False
        self.sent_bytes = 0
        try:
            try:
                body, body_len = self.read_body()
            except BadRequest as exc:
                self.close_connection = True
                self.log_once(method, target, 400, 0)
                self.send_simple(400, "bad request: %s\n" % exc)
                return
            env = self.server.cgi_env()
            env.update({
                "REQUEST_METHOD": method,
                "PATH_INFO": urllib.parse.unquote(split.path),
                "QUERY_STRING": split.query,
                "REMOTE_ADDR": self.client_address[0],
                "SERVER_PROTOCOL": self.request_version,
                "CONTENT_LENGTH": str(body_len),
            })
            for header, var in (("Content-Type", "CONTENT_TYPE"),
                                ("Git-Protocol", "HTTP_GIT_PROTOCOL"),
                                ("Content-Encoding", "HTTP_CONTENT_ENCODING"),
                                ("User-Agent", "HTTP_USER_AGENT"),
                                ("Accept", "HTTP_ACCEPT")):
                value = self.headers.get(header)
                if value is not None:
                    env[var] = value
            # Large bodies are on disk and become stdin directly; small ones
            # go through a pipe fed by a thread (no deadlock whatever order
            # http-backend reads and writes in).
            on_disk = not isinstance(body, bytes)
            try:
                proc = subprocess.Popen(
                    [self.server.git, "http-backend"],
                    stdin=body if on_disk else subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=None if self.server.verbose else subprocess.DEVNULL,
                    env=env, cwd=self.server.root)
            finally:
                if on_disk:
                    body.close()
            feeder = None
            if not on_disk:
                feeder = threading.Thread(target=feed, args=(proc.stdin, body),
                                          daemon=True)
                feeder.start()
            try:
                self.relay(proc, method, target)
            finally:
                if proc.poll() is None:
                    # The client went away or the CGI misbehaved.
                    try:
                        proc.kill()
                    except OSError:
                        pass
                proc.stdout.close()
                proc.wait()
                if feeder is not None:
                    feeder.join(5)
        except (ConnectionError, socket.timeout):
            self.close_connection = True
            self.log_once(method, target, 499, self.sent_bytes)

    def log_once(self, method, target, status, nbytes):
        if not self.logged:
            self.logged = True
            self.server.log_bytes(method, target, status, nbytes)

    def relay(self, proc, method, target):
        """Copies the CGI response to the client (body size in sent_bytes).

        The bytes-log line is written just before the final chunk framing so
        that it is on disk by the time the client has seen the whole response.
        """
        out = proc.stdout
        status, reason = 200, None
        headers = []
        saw_header = False
        while True:
            line = out.readline(65536)
            if not line:
                break
            saw_header = True
            line = line.rstrip(b"\r\n")
            if not line:
                break
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep:
                continue
            name, value = name.strip(), value.strip()
            lname = name.lower()
            if lname == "status":
                code, _, reason = value.partition(" ")
                try:
                    status = int(code)
                except ValueError:
                    status = 500
                reason = reason or None
            elif lname in ("content-length", "transfer-encoding", "connection"):
                continue  # we do our own framing
            else:
                headers.append((name, value))
        if not saw_header:
            proc.wait()
            self.close_connection = True
            self.log_once(method, target, 500, 0)
            self.send_simple(500, "git http-backend produced no output (exit %s)\n"
                             % proc.returncode)
            return

        no_body = method == "HEAD" or status in (204, 304) or 100 <= status < 200
        chunked = not no_body and self.request_version != "HTTP/1.0"
        self.send_response(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        if no_body:
            self.send_header("Content-Length", "0")
        elif chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.close_connection = True
            self.send_header("Connection", "close")
        if self.close_connection and chunked:
            self.send_header("Connection", "close")
        self.end_headers()

        write = self.wfile.write
        # Transport faults a test may set on the handler: close the connection after
        # `drop_after` body bytes (no final chunk), or sleep `chunk_delay` seconds
        # before each chunk of at most `chunk_size` bytes (a slow body).
        drop_after = getattr(self, "drop_after", None)
        chunk_delay = getattr(self, "chunk_delay", 0) or 0
        chunk_size = getattr(self, "chunk_size", None) or CHUNK
        while True:
            data = out.read1(chunk_size)
            if not data:
                break
            if no_body:
                continue  # drain
            if drop_after is not None and self.sent_bytes + len(data) > drop_after:
                data = data[:max(0, drop_after - self.sent_bytes)]
                if data and chunked:
                    write(b"%x\r\n%b\r\n" % (len(data), data))
                elif data:
                    write(data)
                self.wfile.flush()
                proc.kill()
                proc.wait()
                self.close_connection = True
                self.log_once(method, target, status, self.sent_bytes + len(data))
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if chunk_delay:
                self.wfile.flush()
                time.sleep(chunk_delay)
            self.sent_bytes += len(data)
            if chunked:
                write(b"%x\r\n%b\r\n" % (len(data), data))
            else:
                write(data)
        proc.wait()
        self.log_once(method, target, status, self.sent_bytes)
        if chunked:
            write(b"0\r\n\r\n")
        self.wfile.flush()

    def send_simple(self, status, text):
        self.send_body(status, text.encode("utf-8"), "text/plain; charset=utf-8")

    def send_body(self, status, data, content_type, headers=()):
        """A whole answer with a Content-Length (no body for HEAD)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()


class _BodySink:
    """Collects a request body in memory, spilling to a temp file if large."""

    def __init__(self):
        self.parts = []
        self.file = None
        self.length = 0

    def write(self, data):
        self.length += len(data)
        if self.file is None and self.length > SPOOL_MAX:
            self.file = tempfile.TemporaryFile()
            for part in self.parts:
                self.file.write(part)
            self.parts = []
        if self.file is not None:
            self.file.write(data)
        else:
            self.parts.append(data)

    def finish(self):
        if self.file is None:
            return b"".join(self.parts), self.length
        self.file.flush()
        self.file.seek(0)
        return self.file, self.length


def feed(pipe, data):
    try:
        pipe.write(data)
    except (BrokenPipeError, OSError):
        pass
    finally:
        try:
            pipe.close()
        except OSError:
            pass
