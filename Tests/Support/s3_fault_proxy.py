#!/usr/bin/env python3
"""An HTTP proxy in front of an S3 server (moto) that fails the way object storage does.

    python3 s3_fault_proxy.py --upstream PORT --mode MODE [--count N] --port-file FILE

Listens on 127.0.0.1 (port chosen by the OS, written to --port-file atomically), reads each
request whole (head and Content-Length body), and either answers it itself or forwards it
to 127.0.0.1:UPSTREAM and passes the answer back. One request per connection. Modes:

    slowdown       the first N requests are answered 503 SlowDown (S3's error XML)
    always503      every request is answered 503 SlowDown
    drop-upload    the first N requests with a body (after the first --skip K ones, passed)
                   have their connection closed after half of the body was received (a
                   connection dropped mid-upload)
    drop-always    every connection is closed once the request head has arrived
    slow-body      answers are passed back 4 KiB at a time, 20 ms apart
    refuse-parts   every UploadPart request (a query with partNumber=) is answered 400
                   BadDigest, as S3 answers a part whose bytes do not match their hash
    stall-once     the first answer with a body of more than 1 KiB passes half its body,
                   then nothing while the connection stays open
    hold-upload    the first request with a body whose request line contains --match
                   (after the first --skip K such ones, passed) has half its body read, then
                   is held open without an answer, and its request line is appended to
                   --hold-file: the moment to kill the client in the middle of that upload

Every request is counted; GET /__proxy/count (not forwarded) answers the count as text.
SIGTERM stops it. Standard library only.
"""

import argparse
import os
import signal
import socket
import sys
import threading
import time

LOCK = threading.Lock()
STATE = {"requests": 0, "faults": 0, "skipped": 0}
HOLD = []

SLOWDOWN = (b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
            b"<Message>Please reduce your request rate.</Message></Error>")


BADDIGEST = (b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>BadDigest</Code>"
             b"<Message>The Content-MD5 or checksum value you specified did not match what we received.</Message></Error>")


def write_port(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    return head + b"\r\n\r\n", rest


def content_length(head):
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def read_exactly(sock, count, have):
    data = have
    while len(data) < count:
        chunk = sock.recv(min(65536, count - len(data)))
        if not chunk:
            break
        data += chunk
    return data


def take_fault(limit, skip=0):
    """True while fewer than `limit` faults were made (counting this one), once `skip`
    candidates were let through."""
    with LOCK:
        if STATE["skipped"] < skip:
            STATE["skipped"] += 1
            return False
        if limit is None or STATE["faults"] < limit:
            STATE["faults"] += 1
            return True
        return False


def answer(client, status, reason, body):
    client.sendall(b"HTTP/1.1 %d %s\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n"
                   b"Connection: close\r\n\r\n" % (status, reason, len(body)) + body)


def forward(head, body, upstream_port):
    upstream = socket.create_connection(("127.0.0.1", upstream_port))
    upstream.sendall(head + body)
    response = b""
    while True:
        chunk = upstream.recv(65536)
        if not chunk:
            break
        response += chunk
    upstream.close()
    return response


def handle(client, args):
    try:
        head, rest = read_head(client)
        if head is None:
            return
        if head.startswith(b"GET /__proxy/count "):
            with LOCK:
                text = b"%d" % STATE["requests"]
            client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(text) + text)
            return
        with LOCK:
            STATE["requests"] += 1
        length = content_length(head)
        if b"\r\nexpect: 100-continue" in head.lower():
            client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            head = b"\r\n".join(line for line in head.split(b"\r\n") if not line.lower().startswith(b"expect:"))
        if args.mode == "drop-always":
            return
        if args.mode == "drop-upload" and length > 0 and take_fault(args.count, args.skip):
            read_exactly(client, length // 2, rest)
            client.shutdown(socket.SHUT_RDWR)
            return
        if args.mode == "hold-upload" and length > 0 and args.match.encode() in head.split(b"\r\n", 1)[0] \
                and take_fault(1, args.skip):
            read_exactly(client, length // 2, rest)
            HOLD.append(client)
            with open(args.hold_file, "a") as f:
                f.write(head.split(b"\r\n", 1)[0].decode("latin-1") + "\n")
            return
        body = read_exactly(client, length, rest)
        if args.mode == "always503" or (args.mode == "slowdown" and take_fault(args.count)):
            answer(client, 503, b"Slow Down", SLOWDOWN)
            return
        if args.mode == "refuse-parts" and b"partNumber=" in head.split(b"\r\n", 1)[0]:
            answer(client, 400, b"Bad Request", BADDIGEST)
            return
        response = forward(head, body, args.upstream)
        split = response.find(b"\r\n\r\n") + 4
        if args.mode == "slow-body":
            client.sendall(response[:split])
            for start in range(split, len(response), 4096):
                client.sendall(response[start:start + 4096])
                time.sleep(0.02)
            return
        if args.mode == "stall-once" and len(response) - split > 1024 and take_fault(1):
            client.sendall(response[:split + (len(response) - split) // 2])
            HOLD.append(client)
            return
        client.sendall(response)
    except OSError:
        pass
    finally:
        if client not in HOLD:
            try:
                client.close()
            except OSError:
                pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", type=int, required=True)
    parser.add_argument("--mode", required=True,
                        choices=["slowdown", "always503", "drop-upload", "drop-always", "slow-body", "stall-once", "refuse-parts", "hold-upload"])
    parser.add_argument("--count", type=int)
    parser.add_argument("--skip", type=int, default=0)
    parser.add_argument("--match", default="")
    parser.add_argument("--hold-file", default="/dev/null")
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    write_port(args.port_file, server.getsockname()[1])
    while True:
        client, _ = server.accept()
        threading.Thread(target=handle, args=(client, args), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
