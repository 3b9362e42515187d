#!/usr/bin/env bash
# The live suite's FreeSWITCH 1.10: one already there ($CENTREX_FREESWITCH_HOME, /opt/freeswitch, or the
# Debian packages an operator installs from SignalWire), else the build kept in ../shared/freeswitch
# (its install.sh unpacks it under /opt/freeswitch). Without either it says so once and returns 0: the live
# suite then skips with one line, or fails when CENTREX_REQUIRE_FREESWITCH=1 (as in .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

works() {  # $1: the freeswitch binary; its libraries may sit in ../lib (RUNPATH is not inherited)
  LD_LIBRARY_PATH="$(dirname "$1")/../lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$1" -version 2>/dev/null | grep -q 'version: 1\.10\.'
}
for candidate in "${CENTREX_FREESWITCH_HOME:-}/bin/freeswitch" /opt/freeswitch/bin/freeswitch /usr/bin/freeswitch; do
  if [ -x "$candidate" ] && works "$candidate"; then exit 0; fi
done

installer=""
for shared in ../shared "$(git config remote.origin.url 2>/dev/null)/../shared"; do
  [ -x "$shared/freeswitch/install.sh" ] || [ -f "$shared/freeswitch/install.sh" ] || continue
  installer="$shared/freeswitch/install.sh"; break
done
if [ -z "$installer" ]; then
  echo "No FreeSWITCH 1.10 here and no ../shared/freeswitch/install.sh: the live suite will skip" \
       "(see the README, « Pointing a real FreeSWITCH 1.10 at it »)."
  exit 0
fi
echo "Installing FreeSWITCH 1.10 for the live suite: $installer"
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
# Its closing version check runs without our LD_LIBRARY_PATH and may fail although the files are in place.
"${sudo[@]}" bash "$installer" || true
works /opt/freeswitch/bin/freeswitch || { echo "FreeSWITCH from $installer does not start" >&2; exit 1; }
