#!/usr/bin/env bash
# `make run`: the whole product on the embedded default (SQLite + the demo), in the foreground.
# Web (xml_curl + provisioning + console) under gunicorn, and the ESL listener; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=wsgi:create_app
export CENTREX_INSTANCE=${CENTREX_INSTANCE:-$PWD/instance}
bind=${CENTREX_BIND:-127.0.0.1:8080}
workers=${CENTREX_WORKERS:-2}
# mod_xml_cdr's posts go to a pool of their own (README "Event socket: CDRs"), never in front of call setup
cdr_bind=${CENTREX_CDR_BIND:-127.0.0.1:8081}
cdr_workers=${CENTREX_CDR_WORKERS:-2}
# gunicorn's control socket (for gunicornc), one per instance: by default it is one path per user
# (~/.gunicorn/gunicorn.ctl), which a second instance on the host takes over, and removes on stopping.
# Here: in the instance folder, named after the bind address (unique on the host); "none" disables it.
control_socket=${CENTREX_CONTROL_SOCKET:-$CENTREX_INSTANCE/gunicorn-${bind//[^A-Za-z0-9.]/_}.ctl}
if [ "$control_socket" = none ]; then control=(--no-control-socket); cdr_control=(--no-control-socket)
else control=(--control-socket "$control_socket"); cdr_control=(--control-socket "${control_socket%.ctl}-cdr.ctl"); fi

# Every address we listen on must be free: say which is taken and by what setting to move it.
fax_bind=${CENTREX_FAX_INTAKE_BIND:-127.0.0.1:2525}
python3 - "$bind" CENTREX_BIND "$cdr_bind" CENTREX_CDR_BIND "$fax_bind" CENTREX_FAX_INTAKE_BIND <<'PY'
import socket, sys
taken = []
for address, setting in zip(sys.argv[1::2], sys.argv[2::2]):
    host, _, port = address.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, int(port)))
        except OSError as exc:
            taken.append(f"  {address} ({exc.strerror}): set {setting}=host:port to use another")
if taken:
    sys.exit("make run: an address Centrex listens on is taken:\n" + "\n".join(taken))
PY

flask init-db
flask load-demo --with-history  # a week of past calls, voicemail and a fax, once

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

CENTREX_EAGER_APP=1 gunicorn --bind "$bind" --workers "$workers" --access-logfile - \
  --graceful-timeout 5 "${control[@]}" wsgi:app &
pids+=($!)
CENTREX_EAGER_APP=1 gunicorn --bind "$cdr_bind" --workers "$cdr_workers" --access-logfile - \
  --graceful-timeout 5 "${cdr_control[@]}" wsgi:app &
pids+=($!)
flask esl run &
pids+=($!)
flask outbox run &  # emails (fax to email, voicemail, notices) and the fax work
pids+=($!)
flask fax-intake &  # email to fax: SMTP on $fax_bind
pids+=($!)

password=$(cat "$CENTREX_INSTANCE/xmlcurl_password")
cat <<TXT

Centrex is running (Ctrl-C stops everything).
  Console:        http://$bind/
  mod_xml_curl:   http://$bind/xmlcurl   (basic auth freeswitch / $password)
  mod_xml_cdr:    http://$cdr_bind/cdr   (its own gunicorn: freeswitch/deploy.py --cdr-url)
  Provisioning:   http://$bind/prov/
  gunicorn:       gunicornc -s $control_socket   (control socket; CENTREX_CONTROL_SOCKET=none disables it)
  ESL listener:   FreeSWITCH at ${CENTREX_ESL_NODES:-127.0.0.1:8021:ClueCon} (retried with backoff)
  Email outbox:   SMTP relay ${CENTREX_SMTP_HOST:-127.0.0.1}:${CENTREX_SMTP_PORT:-25} (flask outbox list)
  Email to fax:   smtp://$fax_bind, To: <number>@${CENTREX_FAX_EMAIL_DOMAIN:-fax.centrex.invalid},
                  From: claire.dumas@dupont.example, Subject: fax-dupont-2026

Demo logins (password demo-centrex-2026):
  operator@centrex.example          the operator
  admin@dupont.example              Dupont SA's administrator
  reception@dupont.example          Dupont SA's reception desk (custom role « Réception »: calls,
                                    presence, phonebook read-only; call groups and schedules)
  alain.dupont@dupont.example       an employee of Dupont SA
  admin@martin.example              the second company, same extension numbers

Try the captured REGISTER of Alain Dupont (1001@dupont.example):
  sed '1,/^\r\?$/d' $PWD/tests/fixtures/freeswitch/xml_curl/21-directory-sip_auth-register-1001-password.http \\
    | curl -s -u freeswitch:$password --data-binary @- http://$bind/xmlcurl
TXT
wait -n "${pids[@]}"
