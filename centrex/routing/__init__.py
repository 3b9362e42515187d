"""Where a call goes. `engine` is the pure part — route(config, call, at) -> plan, no
database, no FreeSWITCH; `loader` reads a tenant's configuration for it (`targets`: the table of kinds a
call can be sent to), `calls` is the use case the dialplan asks (route, then move round robins on),
`explain` the dry run; the rest are the services an administrator uses: ring groups (groups), forwarding
(forwards), schedules, numbers, addresses (what menus and queues lead to, short numbers), call rights,
and the checks that keep a configuration routable."""
