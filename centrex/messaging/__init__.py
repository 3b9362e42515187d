"""Instant messaging between colleagues of one company: conversations, messages and unread counts
(conversations), and the same messages to and from desk phones as SIP MESSAGE (sip: what FreeSWITCH's
chat routing reports, and the `chat` command that relays a message to a user's registered phones)."""
