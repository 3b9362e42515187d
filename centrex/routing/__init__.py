"""The call-routing engine: pure functions of (tenant configuration, call, time) -> plan."""
from centrex.routing.engine import CONTINUE_EXTENSION, outcome_of, route
from centrex.routing.destinations import Dest
from centrex.routing.plan import Call, Continuation, Plan, TenantConfig

__all__ = ["CONTINUE_EXTENSION", "Call", "Continuation", "Dest", "Plan", "TenantConfig", "outcome_of", "route"]
