"""Kamailio as the cluster's SIP edge for the benches: the cluster tests' own Edge (tests/cluster/
cluster_edge.py: kamailio/deploy.py's configuration, run in the foreground, stopped and started again)."""
from __future__ import annotations

import sys

from harness import (
    REPO,
    live_switch_load,  # noqa: F401 - puts tests/live on sys.path (cluster_edge imports from it)
)

if str(REPO / "tests" / "cluster") not in sys.path:
    sys.path.insert(0, str(REPO / "tests" / "cluster"))

from cluster_edge import Edge, missing  # noqa: E402

__all__ = ["Edge", "missing"]
