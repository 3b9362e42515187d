"""Who logs in and with what rights: console logins (accounts, logins), server-side
sessions, login throttling, custom roles, API keys."""
