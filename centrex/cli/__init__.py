"""The Flask CLI: database, demo, operators, tenants, users (core), the long-running workers
(workers) and the routing dry run (route)."""
