"""What every domain stands on: the database and its sessions (db), configuration,
secrets and hashes (crypto), domain errors (errors), the audit trail (audit), tenant scoping (tenancy),
the ports the adapters implement (ports), the unit of work, the answer cache dropped on NOTIFY
(answer_cache), the e-mail outbox (outbox), shared marshmallow fields (schemas) and the load/apply
helpers of every service (forms), the marshmallow validators whose messages carry keys (validate)."""
