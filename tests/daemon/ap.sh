#!/bin/bash
# SPDX-License-Identifier: MIT
# vfio-ap through zvfiod as a process: lszcrypt, apmask/aqmask (EBUSY when
# an mdev holds the queues), a matrix mdev defined and assigned as in the
# sysfs session of reference/vfio-ap.md §7.1 (with the kernel's errnos
# for refused writes), served over vfio-user to zvfio-guest, whose RSA ME
# and CRT requests are checked with OpenSSL; an unassignment and a host
# configuration change during a run reach the guest as the CFG_CHG
# interrupt and as errors on the unplugged queues only; the definition
# (ordered attrs, as mdevctl stores them) and the masks survive a restart;
# hostile control input gets clear errors.
# usage: ap.sh ZVFIOD ZVFIOCTL ZVFIO_GUEST
set -u
ZVFIOD=$1 CTL=$2 GUEST=$3
. "$(dirname "$0")/lib.sh"
ZV_LOG_TAIL=40 ZV_EXTRA_PIDS=GP
GP=
zv_setup ap
# refused: non-zero exit and the message names $2
refused() {
    local what=$1 want=$2; shift 2
    ctl "$@" >"$T/out" 2>"$T/err" && fail "$what: accepted"
    grep -q -- "$want" "$T/err" || fail "$what: message lacks '$want': $(cat "$T/err")"
}
U1=aa5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a01
U2=bb5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a02
U9=99999999-9999-4999-9999-999999999999

mkdir -p "$ST"
start

# --- the default host: two CEX7 accelerators, 4 domains, all the host's
out=$(ctl lszcrypt) || fail lszcrypt
echo "$out" | grep -q '^05 *CEX7A accel online .* host' || fail "lszcrypt card 05: $out"
echo "$out" | grep -q '^06\.00ff *CEX7A accel online .* host' || fail "lszcrypt queue 06.00ff: $out"
[ "$(echo "$out" | grep -c '^0[56]\.00')" = 8 ] || fail "lszcrypt: 8 queues expected: $out"
[ "$(ctl ap apmask)" = 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff ] ||
    fail "apmask at start: $(ctl ap apmask)"

# --- hostile input
refused "apmask syntax" EINVAL ap apmask 'zz'
refused "apmask too long" EINVAL ap apmask "0x$(printf 'f%.0s' $(seq 80))"
refused "unknown uuid" "no mdev $U9" ap assign-adapter -u $U9 5
refused "malformed uuid" "malformed UUID" ap assign-adapter -u not-a-uuid 5
refused "AP type on a subchannel" "parent of vfio_ap-passthrough" \
    mdev define -p 0.0.0100 -t vfio_ap-passthrough -u $U1
refused "unknown type" "unknown mdev type" mdev define -p matrix -t vfio_ap-other -u $U1
refused "configure unknown adapter" "no adapter 07" ap configure adapter 7 off
refused "configure bad id" "ID 0..255" ap configure domain 256 off
out=$(raw '{"execute":"ap-mask","arguments":{"mask":"apmask","value":5}}' \
          '{"execute":"ap-mask","arguments":{"mask":"cpmask"}}' \
          '{"execute":"mdev-attr","arguments":{"uuid":"'$U9'","attr":"matrix"}}' \
          '{"execute":"ap-config","arguments":{"adapter":"5x","online":false}}' \
          '{"execute":"mdev-create","arguments":{"uuid":"'$U2'","type":"vfio_ap-passthrough","attrs":[{"assign_adapter":5},{"x":"1"}]}}' \
          '{"execute":"mdev-create","arguments":{"uuid":"'$U2'","type":"vfio_ap-passthrough","attrs":"assign_adapter=5"}}')
[ "$(echo "$out" | grep -c '"error"')" = 6 ] || fail "hostile raw requests: $out"
echo "$out" | grep -q "'value' must be a string" || fail "raw mask value: $out"
echo "$out" | grep -q 'attrs\[0\] of' || fail "raw attrs: $out"
ctl mdev list | grep -q $U2 && fail "a refused create left an mdev"

# --- an mdev before the masks: its APQNs are the host's (EADDRNOTAVAIL)
ctl mdev define -p matrix -t vfio_ap-passthrough -u $U1 || fail "define $U1"
ctl ap assign-adapter -u $U1 5 || fail "assign adapter 5 (no domain yet)"
refused "APQN reserved for the host" EADDRNOTAVAIL ap assign-domain -u $U1 4
refused "domain above Nd" ENODEV ap assign-domain -u $U1 0x100
refused "not a number" EINVAL ap assign-domain -u $U1 four
refused "overflow" ERANGE ap assign-domain -u $U1 99999999999999999999999

# --- give adapters 5, 6 and domains 4, 0x47, 0xab, 0xff to vfio_ap
ctl ap apmask -5,-6 >/dev/null || fail "apmask -5,-6"
ctl ap aqmask -4,-0x47,-0xab,-0xff >/dev/null || fail "aqmask"
ctl lszcrypt | grep -q '^05\.0004 .* vfio_ap *vfio_ap' || fail "05.0004 not bound to vfio_ap: $(ctl lszcrypt)"
for x in "assign-domain 4" "assign-adapter 6" "assign-domain 0xab" "assign-control-domain 0xab"; do
    set -- $x; ctl ap "$1" -u $U1 "$2" || fail "$x"
done
[ "$(ctl ap matrix -u $U1 | tr '\n' ' ')" = "05.0004 05.00ab 06.0004 06.00ab " ] ||
    fail "matrix: $(ctl ap matrix -u $U1)"
[ "$(ctl ap guest-matrix -u $U1 | tr '\n' ' ')" = "05.0004 05.00ab 06.0004 06.00ab " ] ||
    fail "guest_matrix: $(ctl ap guest-matrix -u $U1)"
ctl ap control-domains -u $U1 | grep -qx 00ab || fail "control_domains: $(ctl ap control-domains -u $U1)"
# a second mdev may not take an APQN of the first
ctl mdev define -p matrix -t vfio_ap-passthrough -u $U2 --no-persist || fail "define $U2"
ctl ap assign-domain -u $U2 4 || fail "assign domain 4 to $U2 (no adapter yet)"
refused "APQN of another mdev" EADDRINUSE ap assign-adapter -u $U2 5
ctl ap assign-adapter -u $U2 5 2>&1 | grep -q 'assigned to another mdev' || fail "EADDRINUSE text"
ctl mdev undefine -u $U2 || fail "undefine $U2"
# masks: giving 05.0004 back to the host while U1 holds it is EBUSY
ctl ap aqmask +4 >/dev/null || fail "aqmask +4 (apmask still gives 5 and 6 away)"
refused "mask takes an assigned APQN" EBUSY ap apmask +5
ctl ap aqmask -4 >/dev/null || fail "aqmask -4"

# --- serve it; the guest lists its matrix and computes
S=$(ctl mdev start -u $U1) || fail "start $U1"
[ "$S" = "$ST/mdev/$U1.sock" ] || fail "socket path: $S"
out=$("$GUEST" -s "$S" ap list) || fail "zvfio-guest ap list"
echo "$out" | grep -q '^adapters: 05 06$' || fail "guest adapters: $out"
echo "$out" | grep -q '^domains: 0004 00ab$' || fail "guest domains: $out"
echo "$out" | grep -q '^06\.00ab  CEX7A  accel' || fail "guest TAPQ: $out"
out=$("$GUEST" -s "$S" ap run --count 40 --bits 1024) || fail "guest run: $out"
echo "$out" | grep -q '^verified with OpenSSL: 20 ME, 20 CRT requests, 0 wrong' || fail "verify: $out"

# run_with_unplug CMD...: a guest run during which CMD unplugs adapter 06
run_with_unplug() {
    "$GUEST" -s "$S" ap run --time 4 >"$T/run" 2>&1 &
    GP=$!
    for _ in $(seq 100); do grep -q '^running' "$T/run" && break; sleep 0.05; done
    sleep 0.7
    ctl "$@" || fail "$*"
    wait $GP; local rc=$?
    GP=
    [ $rc = 0 ] || fail "guest run with '$*' exit $rc: $(cat "$T/run")"
    grep -q '^queue 05\.0004: [1-9][0-9]* ok, 0 errors$' "$T/run" || fail "05.0004 with '$*': $(cat "$T/run")"
    grep -q '^queue 05\.00ab: [1-9][0-9]* ok, 0 errors$' "$T/run" || fail "05.00ab with '$*': $(cat "$T/run")"
    grep -q '^queue 06\.0004: [1-9][0-9]* ok, [1-9][0-9]* errors (RC 01 .*left the guest matrix$' "$T/run" ||
        fail "06.0004 with '$*': $(cat "$T/run")"
    grep -q '^configuration change (CFG_CHG interrupt 1): guest matrix now 05.0004 05.00ab$' "$T/run" ||
        fail "CFG_CHG with '$*': $(cat "$T/run")"
    grep -q ', 0 wrong$' "$T/run" || fail "wrong results with '$*': $(cat "$T/run")"
}
run_with_unplug ap unassign-adapter -u $U1 6
ctl ap assign-adapter -u $U1 6 || fail "reassign 6"
run_with_unplug ap configure adapter 6 off
ctl ap configure adapter 6 on || fail "configure 6 on"
sleep 0.2
[ "$(ctl ap guest-matrix -u $U1 | tr '\n' ' ')" = "05.0004 05.00ab 06.0004 06.00ab " ] ||
    fail "guest_matrix after configure on: $(ctl ap guest-matrix -u $U1)"

# --- the definition: mdevctl's format, attrs in order; survives a restart
D=$ST/mdevctl.d/matrix/$U1
python3 - "$D" <<'PY' || fail "definition: $(cat "$D")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mdev_type"] == "vfio_ap-passthrough" and d["start"] == "manual", d
want = [{"assign_adapter": "5"}, {"assign_domain": "4"}, {"assign_domain": "0xab"},
        {"assign_control_domain": "0xab"}, {"assign_adapter": "6"}]
assert d["attrs"] == want, d["attrs"]
PY
stop
start
ctl mdev list | grep -q "^$U1 matrix vfio_ap-passthrough manual" || fail "not restored: $(ctl mdev list)"
[ "$(ctl ap apmask | cut -c1-4)" = 0xf9 ] || fail "apmask not restored: $(ctl ap apmask)"
[ "$(ctl ap matrix -u $U1 | tr '\n' ' ')" = "05.0004 05.00ab 06.0004 06.00ab " ] ||
    fail "matrix after restart: $(ctl ap matrix -u $U1)"
S=$(ctl mdev start -u $U1) || fail "start after restart"
out=$("$GUEST" -s "$S" ap run --count 8 --bits 1024) || fail "guest after restart: $out"
echo "$out" | grep -q ', 0 wrong$' || fail "after restart: $out"
# removal under a running guest: the request interrupt, the guest lets go
"$GUEST" -s "$S" ap run --time 20 --bits 1024 >"$T/run" 2>&1 &
GP=$!
for _ in $(seq 100); do grep -q '^running' "$T/run" && break; sleep 0.05; done
out=$(ctl mdev undefine -u $U1 --force) || fail "undefine --force under a guest"
echo "$out" | grep -q 'asked to release' || fail "no request IRQ: $out"
wait $GP
GP=
grep -q '^request interrupt: the host removes the device' "$T/run" || fail "guest saw no REQ: $(cat "$T/run")"
grep -q ', 0 wrong$' "$T/run" || fail "wrong results before the removal: $(cat "$T/run")"
for _ in $(seq 100); do ctl mdev list | grep -q $U1 || break; sleep 0.05; done
ctl mdev list | grep -q $U1 && fail "mdev left after the guest let go: $(ctl mdev list)"
[ -e "$D" ] && fail "definition left after undefine"
ctl ap apmask +5,+6 >/dev/null || fail "apmask given back"
stop
echo "ok"
