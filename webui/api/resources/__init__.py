"""One module per resource: its answer schema, its endpoints (each a call to a core service)."""
