"""The Git LFS batch API and object downloads of fixture_hub.py (a mixin of its handler)."""

import json
import os
import re
import socket


class HubLFS:
    """POST <repo>/info/lfs/objects/batch and GET /lfs/objects/<oid>, with LFS faults."""

    def lfs_batch(self, body):
        """The Git LFS batch API, download operation, basic transfer."""
        try:
            request = json.loads(body or b"{}")
            objects = request["objects"]
        except (ValueError, KeyError, TypeError):
            return self.send_json(422, {"message": "malformed batch request"})
        server = self.server
        with server.state_lock:
            server.lfs_batches += 1
        base = "http://127.0.0.1:%d" % server.server_address[1]
        answers = []
        for obj in objects:
            oid, size = str(obj.get("oid", "")), obj.get("size")
            path = os.path.join(server.root, "lfs", oid)
            if re.fullmatch(r"[0-9a-f]{64}", oid) and os.path.isfile(path):
                download = {"href": "%s/lfs/objects/%s" % (base, oid), "expires_in": 3600,
                            "header": {"Authorization": "RemoteAuth fixture-%s" % oid[:16]}}
                expired = server.take_lfs_fault(oid, ("expired", "expired-at"))
                if expired == "expired":
                    download["href"] += "?expired=1"
                    download["expires_in"] = 0
                elif expired == "expired-at":
                    download["href"] += "?expired=1"
                    del download["expires_in"]
                    download["expires_at"] = "2001-01-01T00:00:00Z"
                answers.append({"oid": oid, "size": os.path.getsize(path), "authenticated": True,
                                "actions": {"download": download}})
            else:
                answers.append({"oid": oid, "size": size, "error": {"code": 404, "message": "Object does not exist"}})
        body = json.dumps({"transfer": "basic", "objects": answers}).encode()
        self.send_body(200, body, "application/vnd.git-lfs+json")

    def lfs_object(self, oid, query):
        server = self.server
        path = os.path.join(server.root, "lfs", oid)
        if not os.path.isfile(path):
            return self.send_json(404, {"message": "Object does not exist"})
        if "expired=1" in query:
            with server.state_lock:
                server.lfs_expired_gets += 1
            return self.send_json(410, {"message": "this download link has expired"})
        if self.headers.get("Authorization") != "RemoteAuth fixture-%s" % oid[:16]:
            with server.state_lock:
                server.lfs_unauthorized_gets += 1
            return self.send_json(401, {"message": "the action's header is required"})
        server.bump(server.lfs_gets, oid)
        range_header = self.headers.get("Range", "")
        if range_header:
            server.bump(server.lfs_range_gets, oid)
        fault = server.take_lfs_fault(oid, ("wrong-content", "drop-half", "ignore-range", "stall-half"))
        size = os.path.getsize(path)
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", range_header)
        if match and int(match.group(1)) < size and fault != "ignore-range":
            start = int(match.group(1))
        length = size - start
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, size - 1, size))
        self.end_headers()
        if self.command == "HEAD":
            return
        self.wfile.flush()
        stop = length if fault not in ("drop-half", "stall-half") else length // 2
        with open(path, "rb") as f:
            if fault == "wrong-content":
                f.seek(start)
                left = length
                while left > 0:
                    chunk = f.read(min(left, 1 << 20))
                    self.wfile.write(bytes(b ^ 0x5A for b in chunk))
                    left -= len(chunk)
            else:
                # socket.sendfile copes with the socket's timeout (non-blocking at the OS level).
                if stop > 0:
                    self.connection.sendfile(f, start, stop)
        if fault == "stall-half":
            server.stop_stalling.wait(120)
        if fault in ("drop-half", "stall-half"):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
