"""Fax boxes and the archive (boxes), receiving (receive: rxfax -> PDF -> e-mail), sending (send: e-mail or
console -> TIFF -> txfax), sending again (resend) and document conversion (document). Where FreeSWITCH
spools faxes and what mod_spandsp reports are FreeSWITCH facts: centrex.freeswitch.fax_contract."""
