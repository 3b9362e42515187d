"""Plain values the engine reads (configuration, call) and writes (a plan of steps)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class UserEntry:
    id: int
    extension: str
    name: str
    max_calls: int = 2


@dataclass(frozen=True, slots=True)
class TenantConfig:
    """Everything about one tenant the engine may consult, loaded before it runs."""
    tenant_id: int
    domain: str
    timezone: str
    max_calls: int
    users: dict[str, UserEntry] = field(default_factory=dict)  # by extension
    ring_seconds: int = 30


@dataclass(frozen=True, slots=True)
class Call:
    context: str           # the dialplan context FreeSWITCH is in (tenant domain, or "public")
    destination: str       # Caller-Destination-Number
    caller: str = ""       # Caller-Caller-ID-Number
    caller_user: str | None = None  # the authenticated extension, when the caller is one of ours


@dataclass(frozen=True, slots=True)
class Target:
    kind: str              # "user" or "external"
    address: str           # extension, or E.164 number
    ring_seconds: int


@dataclass(frozen=True, slots=True)
class Ring:
    """Ring targets (simultaneously or one after the other) for at most `timeout` seconds."""
    targets: tuple[Target, ...]
    mode: str = "simultaneous"
    timeout: int = 30


@dataclass(frozen=True, slots=True)
class Hangup:
    cause: str = "NORMAL_CLEARING"


@dataclass(slots=True)
class Plan:
    tenant_id: int
    context: str
    steps: list = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    at: datetime | None = None

    def then(self, step, why: str) -> "Plan":
        self.steps.append(step)
        self.explanation.append(why)
        return self
