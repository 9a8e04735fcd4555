#!/bin/bash
# SPDX-License-Identifier: MIT
# The real thing: Debian's stock qemu-system-s390x under libzvfio-qemu.so,
# started by zvfio-qemu, on zvfiod's default host (temp state dir).
#  1. realize: -device vfio-ccw on the FBA and the ECKD, QEMU stopped (-S);
#     QMP `info qtree` lists both; zvfiod sees one client per mdev with
#     guest RAM mapped (DMA map), and QEMU's system reset reaches the
#     device (VFIO_DEVICE_RESET -> DEVICE_RESET: FSM events move).
#  2. the launcher's refusals while QEMU holds the mdevs (busy, unknown,
#     missing kernel, missing QEMU) and after the daemon is gone.
#  3. I/O: QEMU's own s390-ccw firmware IPLs from the ECKD through the
#     adapter (SENSE ID, then READ IPL on a format-0 ORB); the default
#     volume has no IPL record, which the firmware reports.
#  4. if the guest kit is there ($ZVFIO_KIT_DIR, or .cache/guest/current
#     of the source tree: guest/kit), a Debian s390x kernel sets both DASDs
#     online and reads and writes them; the FBA's image on the host shows
#     what the guest wrote; a CHPID configured off on the host reaches the
#     guest as a channel-path CRW and a PAM without that path.
# usage: smoke.sh ZVFIOD ZVFIOCTL ZVFIO_QEMU LIB
set -u
ZVFIOD=$1 CTL=$2 LAUNCH=$3 LIB=$4
command -v qemu-system-s390x >/dev/null || { echo "no qemu-system-s390x: skipped"; exit 77; }
command -v jq >/dev/null || { echo "no jq: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
"$CTL" --help >/dev/null 2>&1 || { echo "cannot run $CTL here: skipped"; exit 77; }
T=$(mktemp -d /tmp/zvfio-qemu-smoke.XXXXXX)
ST=$T/state
PID='' QPID=''
cleanup() {
    [ -n "$QPID" ] && kill -KILL "$QPID" 2>/dev/null
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    for l in qemu.log ipl.log guest.log daemon.log; do
        [ -f "$T/$l" ] && { echo "--- $l"; tail -60 "$T/$l"; }
    done
    exit 1
}
export ZVFIO_QEMU_LIB=$LIB ZVFIOCTL=$CTL
ctl() { timeout 10 "$CTL" --socket "$ST/control.sock" "$@"; }
jstat() { ctl --json stats "$1" | jq -r "$2"; }
qmp() { # QMP commands (JSON lines) -> the return values, one per line
    python3 - "$T/qmp" "$@" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(20); s.connect(sys.argv[1])
f = s.makefile('rw')
json.loads(f.readline())
for cmd in ['{"execute":"qmp_capabilities"}'] + sys.argv[2:]:
    f.write(cmd + '\n'); f.flush()
    while True:
        r = json.loads(f.readline())
        if 'event' in r: continue
        if 'error' in r: sys.exit('QMP error: %s' % r)
        if cmd != '{"execute":"qmp_capabilities"}': print(json.dumps(r['return']))
        break
PY
}
hmp() { qmp "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"$1\"}}" | jq -r .; }

"$ZVFIOD" --state-dir "$ST" --log-level debug 2>"$T/daemon.log" &
PID=$!
for _ in $(seq 100); do ctl lschp >/dev/null 2>&1 && break; sleep 0.05; done
ctl lschp >/dev/null || fail "zvfiod did not come up"

# --- 1. realize, DMA map, reset
ZVFIO_QEMU_TRACE=1 "$LAUNCH" --state "$ST" --bind 0.0.0100 --bind 0.0.0101 \
    --console none -- -display none -nodefaults -S \
    -qmp "unix:$T/qmp,server=on,wait=off" </dev/null >"$T/qemu.log" 2>&1 &
QPID=$!
for _ in $(seq 200); do [ -S "$T/qmp" ] && break; sleep 0.05; done
[ -S "$T/qmp" ] || fail "QEMU did not start"
qtree=$(hmp "info qtree") || fail "info qtree"
[ "$(grep -c 'dev: vfio-ccw' <<<"$qtree")" = 2 ] || fail "qtree: $qtree"
grep -q 'dev_id = "fe.0.0200"' <<<"$qtree" || fail "FBA not realized: $qtree"
grep -q 'dev_id = "fe.0.0201"' <<<"$qtree" || fail "ECKD not realized: $qtree"
for s in 0.0.0100 0.0.0101; do
    [ "$(jstat $s .vfio_user.dma_maps)" = 1 ] || fail "$s: guest RAM not mapped: $(ctl stats $s)"
    [ "$(jstat $s .vfio_user.clients)" -ge 1 ] || fail "$s: no client: $(ctl stats $s)"
done
ctl --json mdev list | jq -e '[.[] | select(.client)] | length == 2' >/dev/null ||
    fail "mdevs without their client: $(ctl mdev list)"
grep -q 'MAP_DMA iova 0x0 size 0x20000000' "$T/qemu.log" || fail "no MAP_DMA of 512 MiB at 0"
[ "$(grep -c '^zvfio-qemu: reset' "$T/qemu.log")" -ge 2 ] || fail "no start-up reset"
before=$(jstat 0.0.0101 .vfio_ccw.fsm_events)
qmp '{"execute":"system_reset"}' >/dev/null || fail "system_reset"
for _ in $(seq 100); do
    [ "$(jstat 0.0.0101 .vfio_ccw.fsm_events)" -gt "$before" ] && break
    sleep 0.05
done
[ "$(jstat 0.0.0101 .vfio_ccw.fsm_events)" -gt "$before" ] ||
    fail "system_reset did not reach the ECKD's FSM ($before events)"
kill -0 $QPID || fail "QEMU died"

# --- 2. the launcher's refusals
"$LAUNCH" --state "$ST" --bind 0.0.0100 --dry-run >/dev/null 2>"$T/err"
[ $? = 6 ] || fail "busy mdev: exit $? $(cat "$T/err")"
grep -q 'already has a client' "$T/err" || fail "busy message: $(cat "$T/err")"
"$LAUNCH" --state "$ST" --bind 0.0.0999 --dry-run >/dev/null 2>"$T/err"
[ $? = 5 ] || fail "unknown subchannel: exit $? $(cat "$T/err")"
"$LAUNCH" --state "$ST" --mdev 11111111-2222-3333-4444-555555555555 --dry-run >/dev/null 2>"$T/err"
[ $? = 5 ] || fail "unknown mdev: exit $? $(cat "$T/err")"
"$LAUNCH" --state "$ST" --bind 0.0.0102 --kernel "$T/no-vmlinuz" >/dev/null 2>"$T/err"
[ $? = 7 ] || fail "missing kernel: exit $? $(cat "$T/err")"
"$LAUNCH" --state "$ST" --bind 0.0.0102 --qemu "$T/qemu-system-s390x" >/dev/null 2>"$T/err"
[ $? = 4 ] || fail "missing QEMU: exit $? $(cat "$T/err")"
grep -q 'apt-get install qemu-system-misc' "$T/err" || fail "QEMU message: $(cat "$T/err")"
"$LAUNCH" --state "$T/none" --bind 0.0.0100 >/dev/null 2>"$T/err"
[ $? = 3 ] || fail "no daemon: exit $? $(cat "$T/err")"
grep -q "zvfiod --state-dir $T/none &" "$T/err" || fail "no-daemon message: $(cat "$T/err")"

qmp '{"execute":"quit"}' >/dev/null 2>&1
wait $QPID
rc=$?
QPID=
[ $rc = 0 ] || fail "QEMU exit status $rc"
for _ in $(seq 100); do
    ctl --json mdev list | jq -e '[.[] | select(.client)] | length == 0' >/dev/null && break
    sleep 0.05
done
ctl --json mdev list | jq -e '[.[] | select(.client)] | length == 0' >/dev/null ||
    fail "clients left after QEMU quit: $(ctl mdev list)"
for s in 0.0.0100 0.0.0101; do
    [ "$(jstat $s .vfio_user.dma_maps)" = 0 ] || fail "$s: maps left: $(ctl stats $s)"
done
# the launcher's fake-sysfs tree goes with QEMU
root=$(sed -n 's/^zvfio-qemu: active, root \([^ ]*\).*/\1/p' "$T/qemu.log")
[ -n "$root" ] || fail "the adapter did not say it was active"
for _ in $(seq 50); do [ -d "$root" ] || break; sleep 0.1; done
[ -d "$root" ] && fail "$root left behind"

# --- 3. the firmware IPLs from the ECKD through the adapter
cmds=$(jstat 0.0.0101 .device_commands)
ZVFIO_QEMU_TRACE=1 timeout 60 "$LAUNCH" --state "$ST" --bind 0.0.0101 --boot \
    -- -no-reboot </dev/null >"$T/ipl.log" 2>&1
grep -q 'dasd-ipl: IPL1 data invalid' "$T/ipl.log" || fail "firmware IPL did not reach the IPL record"
# TCG coherence: the 24 bytes READ IPL stored at absolute 0 were reported
# to QEMU before it presented the interrupt (docs/qemu.md)
grep -q 'tb_invalidate_phys_range(0x[0-9a-f]*, 0x[0-9a-f]*)' "$T/ipl.log" ||
    fail "no TB invalidation after the firmware's reads"
grep -Eq 'tb_invalidate_phys_range\(0x0, 0x18\)' "$T/ipl.log" ||
    fail "READ IPL's 24 bytes at 0 not invalidated: $(grep tb_inv "$T/ipl.log")"
[ "$(jstat 0.0.0101 .device_commands)" -ge $((cmds + 3)) ] ||
    fail "device commands: $cmds -> $(jstat 0.0.0101 .device_commands)"
[ "$(jstat 0.0.0101 .vfio_user.errors)" = 0 ] || fail "vfio-user errors: $(ctl stats 0.0.0101)"

# --- 4. a Linux guest, when the kit is there
kit=${ZVFIO_KIT_DIR:-${ZV_SOURCE_ROOT:-$(dirname "$0")/../..}/.cache/guest/current}
if [ -f "$kit/vmlinuz" ] && [ -f "$kit/initrd.gz" ] && command -v cpio >/dev/null; then
    mkdir "$T/it"
    cat >"$T/it/test.sh" <<'GUEST'
#!/bin/sh
for d in 0.0.0200 0.0.0201; do echo 1 > /sys/bus/ccw/devices/$d/online; done
sleep 1
echo "devtypes $(cat /sys/bus/ccw/devices/0.0.0200/devtype) $(cat /sys/bus/ccw/devices/0.0.0201/devtype)"
printf 'zvfio-qemu was here' | dd of=/dev/dasda bs=512 seek=100 conv=notrunc,fsync 2>/dev/null
dd if=/dev/dasdb of=/dev/null bs=4096 count=512 iflag=direct 2>/dev/null && echo "eckd read ok"
dd if=/dev/dasda bs=512 skip=100 count=1 iflag=direct 2>/dev/null | head -c 19; echo
# the host configures CHPID 41 off now: a CRW, then STSCH shows the PAM
S=$(readlink -f /sys/bus/ccw/devices/0.0.0200/..)
echo "READY pimpampom $(cat $S/pimpampom)"
i=0
while [ "$(cut -d' ' -f2 $S/pimpampom)" = c0 ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i+1)); done
echo "after pimpampom $(cat $S/pimpampom)"
dmesg | grep 'crw_info : CRW reports'
dd if=/dev/dasda of=/dev/null bs=4096 count=64 iflag=direct 2>/dev/null && echo "fba read on one path ok"
GUEST
    chmod +x "$T/it/test.sh"
    cp "$kit/initrd.gz" "$T/initrd"
    # an uncompressed archive after the compressed one starts 4-aligned
    head -c $(((4 - $(stat -c %s "$T/initrd") % 4) % 4)) /dev/zero >>"$T/initrd"
    (cd "$T/it" && echo test.sh | cpio -o -H newc -R 0:0 --quiet) >>"$T/initrd"
    timeout 120 "$LAUNCH" --state "$ST" --bind 0.0.0100 --bind 0.0.0101 \
        --kernel "$kit/vmlinuz" --initrd "$T/initrd" \
        --append "console=ttysclp0 quiet" -- -no-reboot </dev/null >"$T/guest.log" 2>&1 &
    QPID=$!
    for _ in $(seq 600); do
        grep -q '^READY' "$T/guest.log" && break
        kill -0 $QPID 2>/dev/null || break
        sleep 0.1
    done
    grep -q '^READY pimpampom c0 c0 ff' "$T/guest.log" || fail "guest did not get ready"
    ctl chchp -c 0 0.41 >/dev/null || fail "configure 0.41 off"
    wait $QPID
    QPID=
    ctl chchp -c 1 0.41 >/dev/null || fail "configure 0.41 on"
    grep -q 'devtypes 9336/00 3390/' "$T/guest.log" || fail "guest did not see both DASDs"
    grep -q 'eckd read ok' "$T/guest.log" || fail "guest ECKD read"
    grep -q '^zvfio-qemu was here' "$T/guest.log" || fail "guest FBA read-back"
    grep -aq 'zvfio-qemu was here' "$ST/disk0200.fba" || fail "FBA image lacks the guest's write"
    # the CRW region (halfword order) and the SCHIB region (PAM) as QEMU
    # needs them: the guest's cio saw the channel-path CRW for CHPID 41
    grep -q 'after pimpampom c0 80 ff' "$T/guest.log" || fail "PAM after configure off"
    grep -q 'rsc=4, .*rsid=41' "$T/guest.log" || fail "no channel-path CRW for 41 in the guest"
    grep -q 'fba read on one path ok' "$T/guest.log" || fail "FBA read on one path"
    echo "guest: $(grep -m1 'zvfio-kit: init' "$T/guest.log")"
else
    echo "no guest kit at $kit: guest boot not run (guest/kit builds it)"
fi
echo "ok"
