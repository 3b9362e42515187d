"""The demo companies `make run` loads: Dupont SA and Martin Sàrl (companies), their routing,
services and fax box."""
