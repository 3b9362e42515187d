"""Desk phones: devices and their keys (devices), the company's default keys (layouts), the operator's
phone settings per company (company_settings), what a phone is given when it asks (fetch, profile,
phonebooks, schemas) and who may ask (provisioning: credentials, lockouts)."""
