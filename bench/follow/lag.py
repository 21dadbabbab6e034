#!/usr/bin/env python3
"""Lag of a read replica: commit on the primary -> first seen by a read-only reader of the follower's output.

Usage: lag.py PRIMARY_DB FOLLOWER_OUT MARKERS
Writes MARKERS marker transactions (one every 200-250 ms) to PRIMARY_DB and polls FOLLOWER_OUT
(read-only, one long-lived connection, every 2 ms). Prints "p50 p90 max" in milliseconds.
"""
import random
import sqlite3
import sys
import threading
import time

primary, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
committed = {}
seen = {}
done = threading.Event()


def reader():
    c = sqlite3.connect("file:" + out + "?mode=ro", uri=True, timeout=10, isolation_level=None)
    while not done.is_set():
        try:
            m = c.execute("SELECT coalesce(max(seq), 0) FROM marker").fetchone()[0]
        except sqlite3.OperationalError:
            m = 0  # the table is not there yet
        now = time.monotonic()
        for s in range(1, m + 1):
            seen.setdefault(s, now)
        time.sleep(0.002)


t = threading.Thread(target=reader, daemon=True)
t.start()
w = sqlite3.connect(primary, timeout=10, isolation_level=None)
w.execute("PRAGMA busy_timeout=10000")
for i in range(1, n + 1):
    w.execute("BEGIN IMMEDIATE")
    w.execute("INSERT INTO marker(seq, body) VALUES (?, hex(randomblob(100)))", (i,))
    w.execute("COMMIT")
    committed[i] = time.monotonic()
    time.sleep(0.2 + random.random() * 0.05)
deadline = time.monotonic() + 60
while len([s for s in committed if s in seen]) < n and time.monotonic() < deadline:
    time.sleep(0.01)
done.set()
lags = sorted((seen[s] - committed[s]) * 1000 for s in committed if s in seen)
if len(lags) < n:
    print("missing %d markers after 60 s" % (n - len(lags)), file=sys.stderr)
    sys.exit(1)
print("%.0f %.0f %.0f" % (lags[len(lags) // 2], lags[int(len(lags) * 0.9)], lags[-1]))
