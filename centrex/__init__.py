"""The Centrex core: models, tenancy, services and the call-routing engine.

Nothing in this package imports Flask views, FreeSWITCH or python-ESL; adapters import it.
"""
