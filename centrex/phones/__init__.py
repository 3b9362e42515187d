"""Desk phones: devices and their keys (devices), what a phone is given when it asks
(fetch, profile, phonebooks, schemas) and who may ask (provisioning: credentials, lockouts)."""
