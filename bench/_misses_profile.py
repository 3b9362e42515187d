"""CPU per request of the directory and dialplan answers when every request is a miss (answer cache off),
in-process through Flask's test client, over distinct users of a bench dataset; with --profile, the
functions that cost most (cProfile). Not part of `make bench` (files named _*.py are not scripts):
    scripts/with-postgres.sh .venv/bin/python bench/_misses_profile.py [--requests N] [--profile]
With --database URL it measures a dataset already built (by the bench, on the same cluster)."""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from pathlib import Path

import harness
from harness.xmlcurl_data import (
    CALL,
    REGISTER,
    SMALL,
    build_dataset,
    distinct_users,
    product_env,
    user_body,
    xmlcurl_headers,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--database")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = product_env(Path(tempfile.mkdtemp(prefix="bench-misses-")))
    os.environ.update(env)
    os.environ["CENTREX_ANSWER_CACHE"] = "0"
    url = args.database or build_dataset(SMALL, env)[0]
    print(f"database {url}")
    from wsgi import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ANSWER_CACHE": False})
    client = app.test_client()
    headers = xmlcurl_headers(env)
    fixtures = harness.fixtures_dir()
    users = distinct_users(SMALL, seed=1)
    for name, path, capture, expect in (("directory", "/xml/directory", REGISTER, b'name="a1-hash"'),
                                        ("dialplan", "/xml/dialplan", CALL, b'application="bridge"')):
        captured = harness.read_capture(fixtures, capture)[1]
        bodies = [user_body(captured, *u) for u in (users * (1 + args.requests // len(users)))[:args.requests]]

        def ask(body, expect=expect, path=path):
            data = client.post(path, data=body, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}).data
            if expect not in data:
                raise RuntimeError(f"unexpected answer {data[:300]!r}")

        for body in bodies[:50]:
            ask(body)  # imports, connections
        results = []
        for _ in range(args.rounds):
            started = time.process_time()
            for body in bodies:
                ask(body)
            results.append((time.process_time() - started) * 1000 / len(bodies))
        print(f"{name} miss: CPU ms/request " + " ".join(f"{r:.3f}" for r in results)
              + f" (min {min(results):.3f}, in-process, test client)")
        if args.profile:
            profile = cProfile.Profile(time.process_time)  # CPU, not waiting on PostgreSQL
            profile.runcall(lambda bodies=bodies: [ask(b) for b in bodies])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    harness.run_bench(main, "(none)")
