"""FreeSWITCH Event Socket adapter: event listener (CDRs, live state, fax, voicemail) and command client."""
