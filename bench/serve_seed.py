#!/usr/bin/env python3
"""Fills a Sediment catalog (SQLite, schema already migrated) with a synthetic hub for the
`sediment serve` benchmark: PACKAGES packages of hub HUB, each observed OBSERVATIONS times
between its first sighting (spread over 2022-01 .. 2026-10) and 2026-11-30, with three
changes of facts each (weight formats moving from pickle to safetensors, licences), one
snapshot per change, downloads and likes growing. Deterministic (seeded).

    serve_seed.py CATALOG HUB PACKAGES OBSERVATIONS
"""

import datetime
import hashlib
import json
import random
import sqlite3
import sys

LICENSES = ["apache-2.0", "mit", "openrail", "cc-by-4.0", "llama2", "other", None]
TASKS = ["text-generation", "fill-mask", "image-classification", "text-classification", "automatic-speech-recognition"]
END = datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc)
START = datetime.datetime(2022, 1, 1, tzinfo=datetime.timezone.utc)


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def main():
    path, hub, packages, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(7)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("INSERT OR IGNORE INTO hub(name, kind) VALUES (?, 'huggingface')", (hub,))
    next_package = (db.execute("SELECT COALESCE(MAX(id), 0) FROM package").fetchone()[0] or 0) + 1
    next_visit = (db.execute("SELECT COALESCE(MAX(id), 0) FROM visit").fetchone()[0] or 0) + 1
    next_facts = (db.execute("SELECT COALESCE(MAX(id), 0) FROM observation_facts").fetchone()[0] or 0) + 1
    span = (END - START).total_seconds()
    package_rows, visit_rows, point_rows, facts_rows, snapshot_rows = [], [], [], [], []

    def flush():
        db.executemany("INSERT INTO package(id, hub, package_id, first_seen, last_seen) VALUES (?,?,?,?,?)", package_rows)
        db.executemany("INSERT INTO visit(id, package_id, started_at, finished_at, status, eventful) VALUES (?,?,?,?, 'full', 0)", visit_rows)
        db.executemany("""INSERT INTO observation_facts(id, commits_total, files, bytes, lfs_files, lfs_bytes, weight_formats,
                          card_license, card_tags, card_pipeline_tag, card_library_name) VALUES (?,?,?,?,?,?,?,?,?,?,?)""", facts_rows)
        db.executemany("""INSERT INTO observation_point(visit_id, package_id, observed_at, downloads, likes, commits_new, facts_id)
                          VALUES (?,?,?,?,?,?,?)""", point_rows)
        db.executemany("INSERT INTO snapshot(id, package_id, taken_at, head, head_ref, refs) VALUES (?,?,?,?, 'refs/heads/main', ?)", snapshot_rows)
        for rows in (package_rows, visit_rows, point_rows, facts_rows, snapshot_rows):
            rows.clear()

    for n in range(packages):
        pid = next_package + n
        first = START + datetime.timedelta(seconds=rng.random() * span * 0.97)
        step = (END - first) / max(per - 1, 1)
        package_rows.append((pid, hub, f"org-{n % 2000}/model-{n}", stamp(first), stamp(END)))
        # Three states: the formats move from pickle towards safetensors, later more often.
        share = (first - START).total_seconds() / span
        weights = 100_000_000 + rng.randrange(10_000_000_000)
        states = []
        for k in range(3):
            formats = {}
            if k == 0 or rng.random() > 0.5 + share / 2:
                formats["pytorch"] = {"files": 1, "bytes": weights}
            if k > 0 and rng.random() < 0.3 + share:
                formats["safetensors"] = {"files": 1, "bytes": weights}
            if not formats:
                formats["pytorch"] = {"files": 1, "bytes": weights}
            license = rng.choice(LICENSES)
            states.append((next_facts, formats, license))
            facts_rows.append((next_facts, 3 + k, 6 + k, weights * len(formats) + 20_000, len(formats), weights * len(formats),
                               json.dumps(formats, sort_keys=True), license, json.dumps(["transformers"]), rng.choice(TASKS), "transformers"))
            next_facts += 1
        downloads, likes = rng.randrange(1000), rng.randrange(10)
        for i in range(per):
            at = first + step * i
            facts = states[min(2, i * 3 // per)]
            downloads += rng.randrange(5000)
            likes += rng.randrange(3)
            visit_rows.append((next_visit, pid, stamp(at), stamp(at)))
            point_rows.append((next_visit, pid, stamp(at), downloads, likes, 0, facts[0]))
            next_visit += 1
            if i * 3 // per != (i - 1) * 3 // per or i == 0:
                head = hashlib.sha1(f"{pid}/{i}".encode()).hexdigest()
                snapshot_rows.append((hashlib.sha256(f"{pid}/{i}".encode()).hexdigest(), pid, stamp(at), head,
                                      json.dumps({"refs/heads/main": head})))
        if len(visit_rows) >= 200_000:
            flush()
    flush()
    db.commit()
    print(f"packages={packages} observations={packages * per}")


if __name__ == "__main__":
    main()
