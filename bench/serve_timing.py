#!/usr/bin/env python3
"""Times requests to `sediment serve`: for each PATH (one per line on stdin), one GET on a
kept-alive connection; reads the server's own time from `Server-Timing: app;dur=MS`.

    serve_timing.py ORIGIN NAME < paths

Prints `NAME_requests=N NAME_p50_ms=… NAME_p99_ms=… NAME_max_ms=… NAME_wall_p50_ms=… NAME_errors=N`.
"""

import http.client
import re
import sys
import time
import urllib.parse


def percentile(values, p):
    values = sorted(values)
    if not values:
        return 0.0
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def main():
    origin, name = sys.argv[1], sys.argv[2]
    url = urllib.parse.urlsplit(origin)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    server, wall, errors = [], [], 0
    for line in sys.stdin:
        path = line.strip()
        if not path:
            continue
        t0 = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        wall.append((time.perf_counter() - t0) * 1000)
        if response.status != 200:
            errors += 1
            print(f"{path}: HTTP {response.status}", file=sys.stderr)
        match = re.search(r"dur=([0-9.]+)", response.getheader("Server-Timing") or "")
        if match:
            server.append(float(match.group(1)))
    print(f"{name}_requests={len(wall)} {name}_p50_ms={percentile(server, 50):.2f} {name}_p99_ms={percentile(server, 99):.2f} "
          f"{name}_max_ms={max(server or [0]):.2f} {name}_wall_p50_ms={percentile(wall, 50):.2f} {name}_errors={errors}")


if __name__ == "__main__":
    main()
