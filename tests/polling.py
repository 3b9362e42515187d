"""Waiting for something another process or thread does: poll until it is true, or fail saying what."""
from __future__ import annotations

import time


def poll(check, timeout: float, interval: float, what: str = "condition"):
    """Call `check()` until it returns something truthy and return that, or AssertionError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {value!r})")
        time.sleep(interval)
