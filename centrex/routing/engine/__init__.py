"""The call-routing engine: pure functions of (tenant configuration, call, time) ->
plan. Public: route.route, plan.{Call, Plan, TenantConfig, the steps}, destinations.Dest (where a call
goes) and the `dest-…` addresses; dialing (numbers), schedule (time), wording (what a plan says)."""
from centrex.routing.engine.destinations import Dest
from centrex.routing.engine.plan import Call, Continuation, Plan, TenantConfig
from centrex.routing.engine.route import route

__all__ = ["Call", "Continuation", "Dest", "Plan", "TenantConfig", "route"]
