"""SIP users as FreeSWITCH's directory sees them (lookup: one query per REGISTER) and
the service that creates and changes them (users)."""
