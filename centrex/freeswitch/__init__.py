"""Everything the product assumes about FreeSWITCH, in one package:

- `names`: the names our objects carry inside FreeSWITCH (menus, queues, agents, rooms, profiles, hold-music
  streams, boxes, the continuation extension), built and parsed in one module;
- `commands`: the `api` command strings, and the parsing of FreeSWITCH's replies to them;
- `switch`: `SwitchCommandsBase`, the port's real methods (reload a queue, list a room's members…) over
  `api` / `api_all`, which the ESL client (esl_handlers/commands.py) inherits;
- `dispositions`: how a failed bridge's originate_disposition / DIALSTATUS maps to a routing outcome; an
  originate's result and the causes no retry changes;
- `fax_contract`: where faxes are spooled (FreeSWITCH's path and ours) and the mod_spandsp variables;
- `cdr_legs`: one call leg read from either CDR format (CHANNEL_HANGUP_COMPLETE event, xml_cdr record);
- `access`: who may call the endpoints FreeSWITCH posts to (its addresses, its basic-auth credentials);
- `sync`: the commands a change sends to the switch once it is committed (a transaction hook).

The routing engine (centrex/routing/) never imports this package: it emits FreeSWITCH-free steps that the
xml_curl renderer maps to FreeSWITCH applications and variables with these helpers."""
