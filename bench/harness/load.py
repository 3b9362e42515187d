"""The load generator, the same for every case: wrk (Debian) with a Lua script that POSTs a body (or
cycles through many requests, or POSTs many bodies in turn) and reports requests, p50 and p99 as one
JSON line."""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "connect": %d, '
    .. '"read": %d, "write": %d, "status": %d, "timeout": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""
_LUA = """
wrk.method = "POST"
wrk.body = "{body}"
{headers}
""" + _DONE
# Scripts sending many requests in turn: each wrk thread knows its number (`offset`), init() fills
# `requests` once wrk knows the Host header, request() takes the next one, wrapping round.
_IN_TURN = """
local threads = 0
setup = function(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
local requests, i = {{}}, 0
request = function()
  i = i % #requests + 1
  return requests[i]
end
"""
# Many requests (each thread starts at its own offset).
_CYCLE_LUA = _IN_TURN + """
init = function(args)
{formats}
  i = (offset or 0) * 7919 % #requests
end
""" + _DONE
# Many bodies POSTed in turn, read from a file (one urlencoded body a line): wrk thread k of n takes
# lines k, k+n, k+2n... so no two threads ask the same body.
_BODIES_LUA = _IN_TURN + """
init = function(args)
  local n = 0
  for line in io.lines("{path}") do
    if n % {threads} == (offset or 0) then
      requests[#requests + 1] = wrk.format("POST", nil, {headers}, line)
    end
    n = n + 1
  end
end
""" + _DONE


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int          # socket errors and non-2xx/3xx answers

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def add_round_options(parser) -> None:
    """--rounds, --seconds, --connections: how many interleaved wrk rounds, how long each run, how wide."""
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one wrk run")
    parser.add_argument("--connections", type=int, default=4)


def require_wrk() -> str:
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("bench: wrk not found (scripts/ensure-debian-packages.sh bench installs it)")
    return path


def _lua_string(data: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in data)


def run_wrk(url: str, body: bytes, headers: dict[str, str], *, seconds: float, connections: int,
            threads: int = 1) -> LoadResult:
    header_lines = "\n".join(f'wrk.headers["{_lua_string(k.encode())}"] = "{_lua_string(v.encode())}"'
                             for k, v in headers.items())
    return _run(_LUA.format(body=_lua_string(body), headers=header_lines), url, seconds, connections, threads)


def run_wrk_cycle(base_url: str, requests: list[tuple[str, dict[str, str]]], *, method: str = "GET",
                  seconds: float, connections: int, threads: int = 1) -> LoadResult:
    """wrk sending `method` to each (path, headers) of `requests` in turn (many devices, each with its
    own credentials), no body; the same counting and report as run_wrk."""
    formats = "\n".join(f'  requests[{n}] = wrk.format("{_lua_string(method.encode())}", '
                        f'"{_lua_string(path.encode())}", {_table(headers)})'
                        for n, (path, headers) in enumerate(requests, start=1))
    return _run(_CYCLE_LUA.format(formats=formats), base_url, seconds, connections, threads)


def run_wrk_bodies(url: str, bodies: list[bytes], headers: dict[str, str], *, seconds: float,
                   connections: int, threads: int = 1) -> LoadResult:
    """wrk POSTing each of `bodies` in turn (from the first, wrapping round at the end: compare
    LoadResult.requests with len(bodies) to know whether any was asked twice)."""
    if any(b"\n" in body or b"\r" in body for body in bodies):
        raise ValueError("a body spans lines")
    with tempfile.TemporaryDirectory(prefix="bench-bodies-") as tmp:
        path = Path(tmp) / "bodies.txt"
        path.write_bytes(b"\n".join(bodies) + b"\n")
        lua = _BODIES_LUA.format(path=_lua_string(str(path).encode()), threads=threads, headers=_table(headers))
        return _run(lua, url, seconds, connections, threads)


def _table(headers: dict[str, str]) -> str:
    return "{" + ", ".join(f'["{_lua_string(k.encode())}"] = "{_lua_string(v.encode())}"'
                           for k, v in headers.items()) + "}"


def _run(lua: str, url: str, seconds: float, connections: int, threads: int) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        script = Path(tmp) / "load.lua"
        script.write_text(lua)
        out = subprocess.run([require_wrk(), "-t", str(threads), "-c", str(connections),
                              "-d", f"{seconds:g}s", "--timeout", "5s", "-s", str(script), url],
                             capture_output=True, text=True, check=False)
    line = next((s for s in out.stdout.splitlines() if s.startswith("BENCH_RESULT ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout[-800:]} {out.stderr[-800:]}")
    data = json.loads(line.split(" ", 1)[1])
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    if errors:
        print(f"wrk {url}: {errors} errors in {data['requests']} requests ({data})", flush=True)
    return LoadResult(requests=data["requests"], seconds=data["duration_us"] / 1e6,
                      p50_ms=data["p50_us"] / 1000, p99_ms=data["p99_us"] / 1000, errors=errors)
