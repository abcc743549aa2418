"""The /_fixture/ control endpoints and injected faults of fixture_hub.py (a mixin of
its handler)."""

import json

from hub_api import MALFORMED


class HubControl:
    """Counters (/_fixture/stats, reset-stats) and faults (/_fixture/faults, lfs-faults)."""

    def send_fault(self, fault):
        if fault.get("malformed"):
            return self.send_body(200, MALFORMED, "application/json")
        status = fault["status"]
        headers = []
        if fault.get("retry_after") is not None:
            headers.append(("Retry-After", str(fault["retry_after"])))
        if "body" in fault:
            self.send_body(status, str(fault["body"]).encode("utf-8"),
                           "text/plain; charset=utf-8", headers)
        else:
            self.send_json(status, {"error": "injected fault %d" % status}, headers)

    def control(self, path, body):
        server = self.server
        if path == "/_fixture/stats" and self.command == "GET":
            with server.state_lock:
                stats = {"git_connections": dict(server.git_connections),
                         "api_requests": dict(server.api_requests),
                         "not_modified": dict(server.not_modified),
                         "lfs_batches": server.lfs_batches,
                         "lfs_gets": dict(server.lfs_gets),
                         "lfs_range_gets": dict(server.lfs_range_gets),
                         "lfs_expired_gets": server.lfs_expired_gets,
                         "lfs_unauthorized_gets": server.lfs_unauthorized_gets,
                         "git_in_flight_max": dict(server.git_in_flight_max),
                         "git_in_flight_max_total": server.git_in_flight_max_total}
            return self.send_json(200, stats)
        if path == "/_fixture/reset-stats" and self.command == "POST":
            with server.state_lock:
                server.git_connections.clear()
                server.api_requests.clear()
                server.not_modified.clear()
                server.lfs_gets.clear()
                server.lfs_range_gets.clear()
                server.lfs_batches = 0
                server.lfs_expired_gets = 0
                server.lfs_unauthorized_gets = 0
                server.git_in_flight_max.clear()
                server.git_in_flight_max_total = 0
            return self.send_json(200, {"ok": True})
        pending_faults = {"/_fixture/faults": server.faults, "/_fixture/lfs-faults": server.lfs_faults}
        if path in pending_faults and self.command == "DELETE":
            with server.state_lock:
                pending_faults[path].clear()
            return self.send_json(200, {"ok": True})
        if path == "/_fixture/lfs-faults" and self.command == "POST":
            kinds = ("wrong-content", "expired", "expired-at", "drop-half", "ignore-range", "stall-half")
            try:
                faults = [dict(oid=str(f["oid"]), kind=str(f["kind"]), times=int(f.get("times", 1)))
                          for f in json.loads(body or b"null")]
                if any(f["kind"] not in kinds for f in faults):
                    raise ValueError("unknown kind")
            except (ValueError, TypeError, KeyError):
                return self.send_json(400, {"error": "expected a JSON list of {oid, kind, times}, kind one of %s" % ", ".join(kinds)})
            with server.state_lock:
                server.lfs_faults.extend(f for f in faults if f["times"] > 0)
            return self.send_json(200, {"ok": True})
        if path == "/_fixture/faults" and self.command == "POST":
            try:
                faults = json.loads(body or b"null")
                if isinstance(faults, dict):
                    faults = [faults]
                faults = [dict(f, path_prefix=str(f["path_prefix"]),
                               status=int(f.get("status", 500)),
                               times=int(f.get("times", 1))) for f in faults]
            except (ValueError, TypeError, KeyError):
                return self.send_json(400, {"error": "expected a JSON list of faults"})
            with server.state_lock:
                server.faults.extend(f for f in faults if f["times"] > 0)
                pending = len(server.faults)
            return self.send_json(200, {"ok": True, "pending": pending})
        self.send_json(404, {"error": "Not found"})
