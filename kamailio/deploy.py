#!/usr/bin/env python3
"""Makes a Kamailio 5.6 (Debian's `kamailio` + `kamailio-postgres-modules`) Centrex's SIP registrar
(README, "Scaling out"). The cluster tests run exactly this.

    python3 kamailio/deploy.py /etc/kamailio/kamailio.cfg --listen 203.0.113.10:5060 \\
        --database-url postgres://kamailio:SECRET@10.0.0.4/centrex --prepare-database postgres://ADMIN@10.0.0.4/centrex

1. With --prepare-database ADMIN_URL (the product's database, as its owner): a role `kamailio` (created
   if missing, LOGIN) whose search_path is its own schema `kamailio`, then the product's `public`; in its
   schema Kamailio's standard `version` and `location` tables (Debian's SQL, /usr/share/kamailio/postgres);
   on the product's side only SELECT on the views `sip_credentials` (migration 0009) and `switch_dispatch`
   (the FreeSWITCH pool, migration 0010; its row in Kamailio's `version` table); the product's role may
   read `kamailio.location` (the console's registrations per company). Idempotent.
2. Writes the configuration: kamailio.cfg of this folder with this edge's values (listen address,
   database URL, CENTREX_MAX_REGISTRATIONS_PER_EXTENSION contacts per user, ban thresholds, a fresh nonce
   secret, the control socket's folder for kamcmd, how often the FreeSWITCH nodes are probed and how long
   a silent node is waited for before the next one).
Standard library only (+ psycopg for --prepare-database, from Centrex's virtualenv).
"""
from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KAMAILIO_SQL = Path("/usr/share/kamailio/postgres")
ROLE = "kamailio"
DISPATCH_SET = 1  # centrex/models/switch_node.py: the view switch_dispatch's setid
DISPATCHER_TABLE_VERSION = 4  # Kamailio 5.6 checks it in its `version` table


def modules_folder() -> str:
    found = sorted(Path("/usr/lib").glob("*/kamailio/modules/db_postgres.so"))
    return str(found[0].parent) if found else "/usr/lib/x86_64-linux-gnu/kamailio/modules"


def render(*, listen: str, database_url: str, run_dir: str, max_contacts: int | None = None,
           children: int = 2, sync_seconds: int = 5, failed_auth_limit: int = 10, ban_seconds: int = 300,
           pike_density: int = 60, ping_seconds: int = 2, failover_ms: int = 2000) -> str:
    """kamailio.cfg with every @@NAME@@ filled in; `database_url` is postgres://user[:pw]@host:port/db."""
    if max_contacts is None:
        max_contacts = int(os.environ.get("CENTREX_MAX_REGISTRATIONS_PER_EXTENSION", "5"))
    values = {"LISTEN": listen, "HOST": listen.rpartition(":")[0], "DB_URL": database_url, "RUN_DIR": run_dir,
              "MAX_CONTACTS": max_contacts, "CHILDREN": children, "SYNC_SECONDS": sync_seconds,
              "FAILED_AUTH_LIMIT": failed_auth_limit, "BAN_SECONDS": ban_seconds, "PIKE_DENSITY": pike_density,
              "NONCE_SECRET": secrets.token_hex(16), "MODULES": modules_folder(), "PING_SECONDS": ping_seconds,
              "FAILOVER_MS": failover_ms, "DISPATCH_SET": DISPATCH_SET}
    text = (HERE / "kamailio.cfg").read_text()
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", str(value))
    if "@@" in text:
        raise ValueError(f"kamailio.cfg: a placeholder left unfilled near {text[text.index('@@'):][:40]!r}")
    return text


def prepare_database(admin_url: str, password: str | None = None) -> None:
    """The role, its schema and Kamailio's tables beside the product's, reading only `sip_credentials`."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone() is None:
            conn.execute(f"CREATE ROLE {ROLE} LOGIN")
        if password:
            conn.execute(f"ALTER ROLE {ROLE} PASSWORD {_literal(password)}")
        database = conn.info.dbname
        conn.execute(f'ALTER ROLE {ROLE} IN DATABASE "{database}" SET search_path = {ROLE}, public')
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {ROLE} AUTHORIZATION {ROLE}")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
        conn.execute(f"GRANT SELECT ON sip_credentials, switch_dispatch TO {ROLE}")
        has_location = conn.execute("SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'location'",
                                    (ROLE,)).fetchone()
        if not has_location:
            with conn.transaction():
                conn.execute(f"SET LOCAL ROLE {ROLE}")
                conn.execute(f"SET LOCAL search_path = {ROLE}")
                for script in ("standard-create.sql", "usrloc-create.sql"):
                    conn.execute((KAMAILIO_SQL / script).read_text())
        with conn.transaction():  # the console counts the edge's registrations (centrex/cluster/status.py)
            conn.execute(f"SET LOCAL ROLE {ROLE}")
            conn.execute(f"GRANT USAGE ON SCHEMA {ROLE} TO {_identifier(conn.info.user)}")
            conn.execute(f"GRANT SELECT ON {ROLE}.location TO {_identifier(conn.info.user)}")
        conn.execute(f"INSERT INTO {ROLE}.version (table_name, table_version) VALUES ('switch_dispatch', %s) "
                     "ON CONFLICT (table_name) DO NOTHING", (DISPATCHER_TABLE_VERSION,))


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="the configuration file to write (kamailio -f reads it)")
    parser.add_argument("--listen", required=True, help="host:port phones REGISTER to (UDP)")
    parser.add_argument("--database-url", required=True, help="postgres://kamailio[:pw]@host:port/centrex")
    parser.add_argument("--run-dir", default="/run/kamailio", help="where the kamcmd control socket goes")
    parser.add_argument("--children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--failed-auth-limit", type=int, default=10)
    parser.add_argument("--ban-seconds", type=int, default=300)
    parser.add_argument("--ping-seconds", type=int, default=2, help="OPTIONS to every FreeSWITCH node this often")
    parser.add_argument("--failover-ms", type=int, default=2000,
                        help="a node that has not answered an INVITE within this: the next node")
    parser.add_argument("--prepare-database", metavar="ADMIN_URL",
                        help="first set up the kamailio role, schema and tables (the database owner's URL)")
    parser.add_argument("--role-password", help="with --prepare-database: the kamailio role's password")
    args = parser.parse_args(argv)
    if args.prepare_database:
        prepare_database(args.prepare_database, args.role_password)
    args.output.write_text(render(listen=args.listen, database_url=args.database_url, run_dir=args.run_dir,
                                  children=args.children, failed_auth_limit=args.failed_auth_limit,
                                  ban_seconds=args.ban_seconds, ping_seconds=args.ping_seconds,
                                  failover_ms=args.failover_ms))
    print(f"wrote {args.output}; check it with: kamailio -c -f {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
