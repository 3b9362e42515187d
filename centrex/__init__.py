"""The Centrex core, in packages by domain: platform (database, errors, audit, tenancy, ports, unit of
work), freeswitch (every assumption about FreeSWITCH), routing (the pure engine in routing.engine, its
loader and the routing services), directory, tenants, access, features, voicemail, fax, phones, calls,
webhooks, demo, cli; models is the schema.

Nothing in this package imports the adapters (xmlcurl, esl_handlers, provisioning, webui) or python-ESL;
adapters import it.
"""
