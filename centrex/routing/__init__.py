"""The call-routing engine: pure functions of (tenant configuration, call, time) -> plan."""
from centrex.routing.engine import route
from centrex.routing.plan import Call, Hangup, Plan, Ring, Target, TenantConfig, UserEntry

__all__ = ["Call", "Hangup", "Plan", "Ring", "Target", "TenantConfig", "UserEntry", "route"]
