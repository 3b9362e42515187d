"""The call-routing engine: pure functions of (tenant configuration, call, time) -> plan."""
from centrex.routing.destinations import Dest
from centrex.routing.engine import route
from centrex.routing.plan import Call, Continuation, Plan, TenantConfig

__all__ = ["Call", "Continuation", "Dest", "Plan", "TenantConfig", "route"]
