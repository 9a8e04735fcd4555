#!/bin/bash
# SPDX-License-Identifier: MIT
# zvfiod's mdev definitions against the real mdevctl (Debian's package).
# mdevctl reads and writes only /etc/mdevctl.d (1.2 has no option or
# variable for another root), so it runs in a private mount namespace
# where the daemon's STATE_DIR/mdevctl.d is bind-mounted on /etc/mdevctl.d;
# the host's /etc is never touched.  Skipped (77) without mdevctl or
# without the right to make a mount namespace.
#  1. definitions zvfiod wrote are listed by mdevctl exactly (--dumpjson);
#  2. definitions mdevctl wrote (define -p -t, define --jsonfile, modify,
#     undefine) are what zvfiod restores at its next start, and served;
#  3. files mdevctl has but that are no mdev of ours are skipped with a
#     warning, and mdevctl's own scripts.d in silence.
# usage: mdevctl.sh ZVFIOD ZVFIOCTL VFU_READ
set -u
ZVFIOD=$1 CTL=$2 VFU=$3
MDEVCTL=$(command -v mdevctl) || { echo "no mdevctl: skipped"; exit 77; }
. "$(dirname "$0")/lib.sh"
ZV_LOG_LEVEL=info
zv_setup mdevctl
DEF=$ST/mdevctl.d

# mdevctl wants its scripts.d/{callouts,notifiers}, as every
# /etc/mdevctl.d has them; the daemon must not mind them
mkdir -p "$DEF/scripts.d/callouts" "$DEF/scripts.d/notifiers"
# the namespace: as root (unshare -m), else as a mapped root (-r -m)
NS=
for u in "unshare -m" "unshare -r -m"; do
    [ -d /etc/mdevctl.d ] || break
    if $u sh -c 'mount --bind "$1" /etc/mdevctl.d' sh "$DEF" 2>/dev/null; then
        NS=$u
        break
    fi
done
[ -n "$NS" ] || { echo "no private mount namespace (or no /etc/mdevctl.d): skipped"; exit 77; }
mdevctl() { # the real tool, seeing $DEF as /etc/mdevctl.d
    $NS sh -c 'mount --bind "$1" /etc/mdevctl.d && shift && exec "$@"' \
        sh "$DEF" "$MDEVCTL" "$@"
}
# mdevctl list -d --dumpjson against the expected JSON (as sets: mdevctl
# orders parents and devices as it pleases)
dump_is() {
    mdevctl list -d --dumpjson >"$T/dump" 2>"$T/err" ||
        fail "mdevctl list --dumpjson: $(cat "$T/err")"
    python3 - "$T/dump" "$1" <<'PY' || fail "mdevctl sees: $(cat "$T/dump")"
import json, sys
got = json.load(open(sys.argv[1])) if open(sys.argv[1]).read().strip() else []
want = json.loads(sys.argv[2])
def flat(d):
    return sorted((p, u, json.dumps(v, sort_keys=True))
                  for top in d for p, devs in top.items()
                  for dev in devs for u, v in dev.items())
if flat(got) != flat(want):
    print("got ", flat(got)); print("want", flat(want)); sys.exit(1)
PY
}
UA=6d5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55 UB=0a5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55
UC=1b5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55 UD=2C5E2A3C-8F14-4B0E-9C1A-2F7B3E9D0A55
ud=2c5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55
UE=3d5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55 UF=4e5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55
ccw() { echo "{\"mdev_type\":\"vfio_ccw-io\",\"start\":\"$1\",\"attrs\":[]}"; }

# --- 1. zvfiod writes, mdevctl reads
start
ctl bind 0.0.0100 && ctl bind 0.0.0101 || fail bind
ctl mdev define -p 0.0.0100 -u $UA -a && ctl mdev define -p 0.0.0101 -u $UB ||
    fail "mdev define"
stop
dump_is "[{\"0.0.0100\":[{\"$UA\":$(ccw auto)}],\"0.0.0101\":[{\"$UB\":$(ccw manual)}]}]"
out=$(mdevctl list -d) || fail "mdevctl list -d"
echo "$out" | grep -qx "$UA 0.0.0100 vfio_ccw-io auto" || fail "mdevctl list: $out"
echo "$out" | grep -qx "$UB 0.0.0101 vfio_ccw-io manual" || fail "mdevctl list: $out"

# --- 2. mdevctl writes, zvfiod reads
mdevctl undefine -u $UB || fail "mdevctl undefine"
mdevctl modify -u $UA --manual || fail "mdevctl modify"
mdevctl define -u $UC -p 0.0.0102 -t vfio_ccw-io --auto || fail "mdevctl define"
ccw auto >"$T/d.json"
mdevctl define -u $UD -p 0.0.0101 --jsonfile "$T/d.json" || fail "mdevctl define --jsonfile"
# not ours: a parent this host lacks, another type
mdevctl define -u $UE -p 0.0.0999 -t vfio_ccw-io || fail "mdevctl define 0.0.0999"
mdevctl define -u $UF -p 0.0.0103 -t vfio_ap-passthrough ||
    fail "mdevctl define vfio_ap"
dump_is "[{\"0.0.0100\":[{\"$UA\":$(ccw manual)}],\"0.0.0101\":[{\"$ud\":$(ccw auto)}],
  \"0.0.0102\":[{\"$UC\":$(ccw auto)}],\"0.0.0999\":[{\"$UE\":$(ccw manual)}],
  \"0.0.0103\":[{\"$UF\":{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":[]}}]}]"
start
out=$(ctl mdev list) || fail "mdev list"
echo "$out" | grep -qx "$UA 0.0.0100 vfio_ccw-io manual" || fail "modified by mdevctl: $out"
echo "$out" | grep -q "^$UC 0.0.0102 vfio_ccw-io auto (active)" || fail "mdevctl define: $out"
echo "$out" | grep -q "^$ud 0.0.0101 vfio_ccw-io auto (active)" || fail "mdevctl --jsonfile: $out"
[ "$(echo "$out" | wc -l)" = 3 ] || fail "undefined or foreign definitions restored: $out"
grep -q "mdevctl.d/0.0.0999/$UE: no subchannel 0.0.0999" "$T/log" || fail "0.0.0999 not logged"
grep -q "mdevctl.d/0.0.0103/$UF: not an mdevctl definition of type vfio_ccw-io" "$T/log" ||
    fail "vfio_ap definition not logged"
grep -q "scripts.d" "$T/log" && fail "the daemon took scripts.d for a parent"
grep -q "(2 definition(s) not restored)" "$T/log" || fail "count of skipped definitions"
sock=$(ctl mdev start -u $UA) || fail "start the mdevctl-modified mdev"
out=$(timeout 20 "$VFU" "$sock") || fail "vfio-user I/O on it: $out"

# --- 3. zvfiod undefines what mdevctl defined; mdevctl sees it gone
ctl mdev undefine -u $UC || fail "undefine $UC"
stop
[ -d "$DEF/0.0.0102" ] && fail "empty parent directory left"
dump_is "[{\"0.0.0100\":[{\"$UA\":$(ccw manual)}],\"0.0.0101\":[{\"$ud\":$(ccw auto)}],
  \"0.0.0999\":[{\"$UE\":$(ccw manual)}],
  \"0.0.0103\":[{\"$UF\":{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":[]}}]}]"
# mdevctl never saw our temp files: none is left
find "$DEF" -name '*.tmp' | grep -q . && fail "temp files left: $(find "$DEF" -name '*.tmp')"

# --- 4. the edges, both ways alike: an unknown "start" is manual; a file
# without "start" is refused (mdevctl 1.2 then lists nothing at all)
mkdir -p "$DEF/0.0.0102"
echo '{"mdev_type": "vfio_ccw-io", "start": "bogus", "attrs": []}' >"$DEF/0.0.0102/$UC"
mdevctl list -d | grep -qx "$UC 0.0.0102 vfio_ccw-io manual" ||
    fail "mdevctl on start \"bogus\": $(mdevctl list -d 2>&1)"
echo '{"mdev_type": "vfio_ccw-io", "attrs": []}' >"$DEF/0.0.0102/$UB"
mdevctl list -d >/dev/null 2>&1 &&
    fail "this mdevctl accepts a definition without \"start\": relax def_read"
start
out=$(ctl mdev list) || fail "mdev list"
echo "$out" | grep -qx "$UC 0.0.0102 vfio_ccw-io manual" || fail "start \"bogus\": $out"
echo "$out" | grep -q "^$UB" && fail "restored without \"start\": $out"
grep -q "0.0.0102/$UB: no \"start\"" "$T/log" || fail "no \"start\" not logged"
stop
echo "PASS ($MDEVCTL $("$MDEVCTL" --version 2>/dev/null | cut -d' ' -f2), via $NS)"
