#!/usr/bin/env bash
# Installs the Debian packages a target needs when they are missing: "base" (venv, compiler, headers),
# "run" (what the product calls: Ghostscript and libtiff tools for faxes, sox with mp3 for audio uploads),
# "test" (run + PostgreSQL server, Chromium and its driver, poppler), "live" (the live suite: PostgreSQL,
# SIPp, libfaketime), "bench" (PostgreSQL, wrk), "cluster" (Kamailio as registrar: kamailio with its
# PostgreSQL modules, kamcmd; PostgreSQL, SIPp).
set -euo pipefail

need=()
has_cmd() { command -v "$1" >/dev/null 2>&1; }
for set in "$@"; do
  case "$set" in
    base)
      python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
      has_cmd g++ || need+=(g++)
      python3 -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
        || need+=(python3-dev)
      ;;
    run|test)
      has_cmd gs || need+=(ghostscript)
      has_cmd tiff2pdf || need+=(libtiff-tools)
      has_cmd sox || need+=(sox)
      # mp3 uploads (music on hold): sox reads mp3 only with this format library.
      { has_cmd sox && sox -h 2>/dev/null | grep -w mp3 >/dev/null; } || need+=(libsox-fmt-mp3)
      ;;&
    test)
      ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
      has_cmd chromium || need+=(chromium)
      has_cmd chromedriver || need+=(chromium-driver)
      has_cmd pdfinfo || need+=(poppler-utils)
      ;;
    live)
      ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
      has_cmd sipp || need+=(sip-tester)
      has_cmd faketime || need+=(faketime)
      ;;
    cluster)
      ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
      has_cmd sipp || need+=(sip-tester)
      has_cmd kamailio || need+=(kamailio)
      ls /usr/lib/*/kamailio/modules/db_postgres.so >/dev/null 2>&1 || need+=(kamailio-postgres-modules)
      ;;
    bench)
      ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
      has_cmd wrk || need+=(wrk)
      ;;
  esac
done
[ ${#need[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${need[*]}"
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
