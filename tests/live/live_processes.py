"""Stopping the processes the live harness starts (FreeSWITCH, SIPp, the fax machine)."""
from __future__ import annotations

import subprocess


def stop_process(process: subprocess.Popen | None, timeout: float) -> None:
    """Ask a process to end (SIGTERM), kill it if it has not within `timeout` s; nothing if it has ended."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:  # FreeSWITCH was seen to hang on shutdown: its build's README says so
        process.kill()
        process.wait()
