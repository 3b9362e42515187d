"""Overload for the live tests: every worker of a gunicorn pool held busy, as under a flood of slow requests.

A held request is a real one that has not finished arriving (its headers are still coming): a sync worker
reads it and serves nothing else until it ends, exactly as when each worker is stuck on a slow answer.
"""
from __future__ import annotations

import re
import socket
import time
import urllib.error
import urllib.request
from contextlib import contextmanager


def answers_within(port: int, seconds: float) -> bool:
    """Whether the pool on `port` answers a plain request within `seconds`."""
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=seconds).read()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@contextmanager
def every_worker_held(port: int, workers: int = 2):
    """Holds every worker of the gunicorn on `port` until the block ends; checks that it no longer answers."""
    held: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 10
        while True:
            while len(held) < workers:  # one per worker, more if one was busy elsewhere
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                connection.sendall(b"POST /xmlcurl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n")
                held.append(connection)
            if not answers_within(port, 0.5):
                break
            assert time.monotonic() < deadline, f"the pool on port {port} still answers with {len(held)} held"
            workers += 1  # a worker was busy elsewhere when we connected: hold one more
        yield held
    finally:
        for connection in held:
            connection.close()


def cdr_post_port(switch) -> int:
    """The port mod_xml_cdr posts to, as the running switch has it configured."""
    text = switch.api("xml_locate configuration configuration name xml_cdr.conf")
    match = re.search(r'name="url"\s+value="https?://[^:/"]+:(\d+)/', text)
    assert match, text
    return int(match[1])


def posted_cdrs(access_log: str) -> int:
    """The mod_xml_cdr posts a gunicorn's access log shows answered 2xx."""
    return len(re.findall(r'"POST /cdr(?:\?[^ "]*)? HTTP/1\.[01]" 2\d\d ', access_log))
