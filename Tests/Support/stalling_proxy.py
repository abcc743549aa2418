#!/usr/bin/env python3
"""A loopback TCP server that misbehaves the way black-holed or stuck git servers do.

    python3 stalling_proxy.py --mode MODE [--upstream PORT] --port-file FILE

Listens on 127.0.0.1 (port chosen by the OS, written to --port-file atomically). Modes:

    silent     accepts every connection, reads what it is sent, never answers
    backlog    listens but never accepts, and fills its accept queue itself, so that a
               client's connection is never established (a connect timeout on loopback)
    mid-pack   forwards to 127.0.0.1:UPSTREAM (git daemon, or git http-backend behind
               git_http_server.py) until the pack has begun ("PACK" seen in the answer),
               passes 96 KiB more (more than one side-band packet), then sends nothing
               while holding the connection open
    trickle    like mid-pack, but after those 96 KiB passes one byte every 0.5 s

It speaks no protocol itself, so one server serves smart HTTP and git:// alike (plain
text only: it looks for the pack's signature in the bytes). SIGTERM stops it. Standard
library only.
"""

import argparse
import os
import signal
import socket
import sys
import threading
import time

HOLD = []  # sockets kept open on purpose
PASSED = 96 * 1024  # bytes of the pack passed before stalling or trickling


def write_port(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def drain(sock):
    """Reads and drops whatever the client sends until it closes."""
    try:
        while sock.recv(65536):
            pass
    except OSError:
        pass
    finally:
        sock.close()


def pipe_client_to_upstream(client, upstream):
    try:
        while True:
            data = client.recv(65536)
            if not data:
                break
            upstream.sendall(data)
    except OSError:
        pass
    finally:
        for s in (client, upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def pipe_upstream_to_client(upstream, client, mode):
    """Forwards the answer until 96 KiB into the pack, then stalls or trickles."""
    window = b""
    left = None  # bytes still passed at full speed once the pack has begun
    try:
        while True:
            data = upstream.recv(65536)
            if not data:
                return
            if left is None:
                at = (window + data).find(b"PACK")
                if at < 0:
                    client.sendall(data)
                    window = (window + data)[-3:]
                    continue
                # Bytes of `data` from the pack's signature on count towards the 96 KiB.
                left = PASSED + max(0, at - len(window)) - len(data)
                if left >= 0:
                    client.sendall(data)
                    continue
                cut = len(data) + left
            elif left >= len(data):
                client.sendall(data)
                left -= len(data)
                continue
            else:
                cut = left
            client.sendall(data[:cut])
            rest = data[cut:]
            if mode == "mid-pack":
                # Hold the connection open, sending nothing, until the client leaves.
                while upstream.recv(65536):
                    pass
                return
            while True:
                for i in range(len(rest)):
                    client.sendall(rest[i:i + 1])
                    time.sleep(0.5)
                rest = upstream.recv(65536)
                if not rest:
                    return
    except OSError:
        pass


def proxy(client, upstream_port, mode):
    try:
        upstream = socket.create_connection(("127.0.0.1", upstream_port))
    except OSError:
        client.close()
        return
    threading.Thread(target=pipe_client_to_upstream, args=(client, upstream), daemon=True).start()
    pipe_upstream_to_client(upstream, client, mode)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", required=True, choices=["silent", "backlog", "mid-pack", "trickle"])
    parser.add_argument("--upstream", type=int)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]
    if args.mode == "backlog":
        server.listen(0)
        # Fill the accept queue: further handshakes are left unanswered by the kernel.
        for _ in range(4):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            HOLD.append(s)
        time.sleep(0.2)
        write_port(args.port_file, port)
        while True:
            time.sleep(3600)
    server.listen(64)
    write_port(args.port_file, port)
    while True:
        client, _ = server.accept()
        if args.mode == "silent":
            threading.Thread(target=drain, args=(client,), daemon=True).start()
        else:
            threading.Thread(target=proxy, args=(client, args.upstream, args.mode), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
