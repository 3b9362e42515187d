"""Voicemail boxes (boxes), their messages (messages) and the e-mail of a new message
(mail)."""
