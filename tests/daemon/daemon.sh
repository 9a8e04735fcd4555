#!/bin/bash
# SPDX-License-Identifier: MIT
# zvfiod as a process in a temp state dir, driven by zvfioctl, raw control
# requests and a client-library VMM (vfu_read).  Every step asserts what
# the daemon must answer; the daemon is always killed (trap).
# usage: daemon.sh ZVFIOD ZVFIOCTL VFU_READ [ZVFIO_GUEST]
set -u
ZVFIOD=$1 CTL=$2 VFU=$3 GUEST=${4:-}
. "$(dirname "$0")/lib.sh"
zv_setup test
stop() { # and nothing left behind
    zv_stop
    [ -e "$ST/control.sock" ] && fail "control socket left behind"
    ls "$ST/mdev" | grep -q . && fail "mdev sockets left behind: $(ls "$ST/mdev")"
    return 0
}
U=6d5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55

# --- config validation
echo '{"chpids":[{"chpid":"40"}],"devices":[{"type":"fba","subchannel":"0.0.0100","devno":"0.0.0200","chpids":["41"],"image":"x"}]}' >"$T/bad.json"
out=$("$ZVFIOD" --config "$T/bad.json" --check-config 2>&1) && fail "bad config accepted"
echo "$out" | grep -q 'devices\[0\].chpids\[0\]' || fail "bad config error lacks the JSON path: $out"
"$ZVFIOD" --config "$(dirname "$0")/../../examples/host-small.json" --check-config >/dev/null ||
    fail "examples/host-small.json rejected"
for bad in 1001 -1 x ""; do
    out=$("$ZVFIOD" --poll-us "$bad" --check-config 2>&1)
    [ $? = 2 ] || fail "--poll-us '$bad' not refused with exit 2"
    echo "$out" | grep -q 'expected 0 to 1000' || fail "--poll-us '$bad': $out"
done
for bad in io_uring "" SYNC; do
    out=$("$ZVFIOD" --image-io "$bad" --check-config 2>&1)
    [ $? = 2 ] || fail "--image-io '$bad' not refused with exit 2"
    echo "$out" | grep -q 'expected auto, uring or sync' || fail "--image-io '$bad': $out"
done
out=$("$ZVFIOD" --image-io sync --check-config) || fail "--image-io sync"
echo "$out" | grep -q '^image_io sync$' || fail "--image-io sync not in force: $out"

# --- default host; a stale control socket (daemon killed) is replaced
mkdir -p "$ST"
python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.bind('$ST/control.sock')"
# the loop busy-polls before it sleeps, and the images are read and
# written with pread/pwrite (all of this file's I/O runs so; kill.sh and
# the guest boots run on io_uring)
start --poll-us 50 --image-io sync
grep -q 'image I/O: pread/pwrite' "$T/log" || fail "image I/O not pread/pwrite: $(tail -5 "$T/log")"
[ -f "$ST/disk0200.fba" ] && [ -f "$ST/disk0201.3390" ] || fail "images not created"
[ "$(stat -c %a "$ST/control.sock")" = 600 ] || fail "control socket not 0600"
out=$(ctl lscss) || fail "lscss"
echo "$out" | grep -q '^0.0.0200 0.0.0100  9336/00 6310/01' || fail "lscss FBA: $out"
echo "$out" | grep -q '^0.0.0201 0.0.0101  3390/.. 3990/ec' || fail "lscss ECKD: $out"
echo "$out" | grep -q '0.0.0103' || fail "lscss test devices: $out"
out=$(ctl lschp) || fail lschp
echo "$out" | grep -q '^0.40   1     1' || fail "lschp: $out"

# --- refusals: clear message, non-zero exit
ctl bind 0.0.0999 2>"$T/err" && fail "bind of a missing subchannel"
grep -q 'no subchannel 0.0.0999' "$T/err" || fail "message: $(cat "$T/err")"
ctl mdev define -p 0.0.0100 -u not-a-uuid 2>"$T/err" && fail "bad uuid"
grep -q 'malformed UUID' "$T/err" || fail "message: $(cat "$T/err")"
ctl mdev define -p 0.0.0100 -u $U 2>"$T/err" && fail "create unbound"
grep -q 'not bound' "$T/err" || fail "message: $(cat "$T/err")"

# --- bind, create, start, a vfio-user client reads the device
ctl bind 0.0.0100 || fail bind
ctl bind 0.0.0100 2>"$T/err" && fail "double bind"
grep -q 'already bound' "$T/err" || fail "message: $(cat "$T/err")"
ctl mdev define -p 0.0.0100 -u $U -a || fail "mdev define"
sock=$(ctl mdev start -u $U) || fail "mdev start"
[ -S "$sock" ] || fail "no socket $sock"
ctl unbind 0.0.0100 2>"$T/err" && fail "unbind with an mdev"
out=$(timeout 20 "$VFU" "$sock") || fail "vfu_read: $out"
echo "$out" | grep -q 'sense id: ff 63 10 01 93 36 00' || fail "sense id: $out"
ctl stats -u $U | grep -q 'vfio_ccw.cp_translated 2' || fail "stats: $(ctl stats -u $U)"
# Sense ID (7 bytes) and RDC (32): 39 bytes read, 2 latency samples
out=$(ctl stats -u $U)
echo "$out" | grep -qx 'bytes.read 39' || fail "bytes read: $out"
echo "$out" | grep -qx 'bytes.written 0' || fail "bytes written: $out"
echo "$out" | grep -qx 'latency.count 2' || fail "latency count: $out"
echo "$out" | grep -q '^latency.us\.[0-9]*-[0-9]* [12]$' || fail "latency buckets: $out"
ctl --json stats 0.0.0100 | python3 -c '
import json, sys
l = json.load(sys.stdin)["latency"]
assert sum(b["count"] for b in l["buckets"]) == l["count"] == 2, l
for b in l["buckets"]:
    assert b["hi_us"] == max(1, 2 * b["lo_us"]), b
    assert b["lo_us"] <= l["max_us"], (b, l)
assert 0 < l["mean_us"] <= l["max_us"], l
' || fail "stats --json: $(ctl --json stats 0.0.0100)"

# --- the guest DASD code over the sockets: FBA and ECKD online, verify
if [ -n "$GUEST" ]; then
    U3=0a5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55
    ctl bind 0.0.0101 && ctl mdev define -p 0.0.0101 -u $U3 --no-persist ||
        fail "ECKD mdev"
    sock3=$(ctl mdev start -u $U3) || fail "ECKD mdev start"
    out=$(timeout 60 "$GUEST" --socket "$sock" online) || fail "FBA online: $out"
    echo "$out" | grep -q '9336-00 on control unit 6310-01' || fail "FBA online: $out"
    out=$(timeout 60 "$GUEST" --socket "$sock3" online) || fail "ECKD online: $out"
    echo "$out" | grep -q 'volser: *ZV0201' || fail "ECKD online: $out"
    for s3 in "$sock" "$sock3"; do
        out=$(timeout 120 "$GUEST" --socket "$s3" verify --count 16) || fail "verify: $out"
        echo "$out" | grep -q '0 mismatches' || fail "verify: $out"
    done
    for _ in $(seq 100); do ctl mdev list | grep -q 'client attached' || break; sleep 0.05; done
    ctl mdev undefine -u $U3 || fail "ECKD mdev remove"
    ctl unbind 0.0.0101 || fail "ECKD unbind"
fi

# --- mdev-remove --force under a client: the request IRQ; the mdev goes
# when the client lets go, or at the 10 s deadline if it does not
U4=0b5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55
ctl lscss | grep -q '^0.0.0201 .*vfio_ccw' || ctl bind 0.0.0101 || fail "bind 0.0.0101"
for mode in --req --req-ignore; do
    ctl mdev define -p 0.0.0101 -u $U4 --no-persist || fail "mdev define $mode"
    sock4=$(ctl mdev start -u $U4) || fail "mdev start $mode"
    timeout 30 "$VFU" "$sock4" $mode 14 >"$T/req.out" 2>&1 &
    rpid=$!
    for _ in $(seq 100); do grep -q 'req armed' "$T/req.out" && break; sleep 0.05; done
    grep -q 'req armed' "$T/req.out" || fail "$mode: $(cat "$T/req.out")"
    out=$(ctl mdev undefine -u $U4 --force) || fail "undefine --force $mode"
    echo "$out" | grep -q 'asked to release' || fail "no request IRQ ($mode): $out"
    # (a --req client lets go at once: its mdev may be gone before we look)
    [ $mode = --req ] || ctl mdev list | grep -q "$U4.*(removing)" ||
        fail "not removing ($mode): $(ctl mdev list)"
    if [ $mode = --req ]; then
        wait $rpid || fail "--req: $(cat "$T/req.out")"
        grep -q 'req received' "$T/req.out" || fail "--req: $(cat "$T/req.out")"
        for _ in $(seq 40); do ctl mdev list | grep -q $U4 || break; sleep 0.05; done
        ctl mdev list | grep -q $U4 && fail "mdev kept after its client let go"
        grep -q 'did not let go' "$T/log" && fail "a released mdev was forced"
    else
        sleep 5
        ctl mdev list | grep -q $U4 || fail "removed before the deadline"
        for _ in $(seq 300); do ctl mdev list | grep -q $U4 || break; sleep 0.05; done
        ctl mdev list | grep -q $U4 && fail "mdev kept past the deadline"
        grep -q 'did not let go' "$T/log" || fail "the forced removal was not logged"
        wait $rpid || fail "--req-ignore: $(cat "$T/req.out")"
        grep -q 'dropped' "$T/req.out" || fail "--req-ignore: $(cat "$T/req.out")"
    fi
done
ctl unbind 0.0.0101 || fail "unbind 0.0.0101 after the removals"

# --- vary a CHPID off and on: the client still gets its I/O done
ctl chchp -v 0 0.40 >/dev/null || fail "vary off"
ctl lschp | grep -q '^0.40   0' || fail "lschp after vary off"
out=$(timeout 20 "$VFU" "$sock") || fail "I/O with 0.40 varied off: $out"
ctl chchp -v 1 0.40 >/dev/null || fail "vary on"
ctl chchp -c 0 0.41 >/dev/null || fail "configure off"
ctl lscss | grep '^0.0.0200' | grep -q ' c0  80 ' || fail "PAM after configure off: $(ctl lscss)"
ctl chchp -c 1 0.41 >/dev/null || fail "configure on"
ctl chchp -v 1 0.99 2>/dev/null && fail "vary of an unknown chpid"

# --- hostile control requests; the daemon goes on
big=$(head -c 100000 /dev/zero | tr '\0' x)
out=$(raw 'garbage' '{"execute":"nope","id":7}' "$big" '[]' \
    '{"execute":"mdev-start","arguments":"x"}' \
    '{"execute":"inject-fault","arguments":{"kind":"meteor","subchannel":"0.0.0102"}}' \
    '{"execute":"query-chpids","id":"z"}')
[ "$(echo "$out" | grep -c '"error"')" = 6 ] || fail "hostile replies: $out"
echo "$out" | grep -q '"class":"CommandNotFound".*"id":7' || fail "id echo: $out"
echo "$out" | tail -1 | grep -q '"return":\[' || fail "daemon did not go on: $out"
# events reach a listening client; a client that never reads is dropped;
# more than 16 clients are refused; the daemon answers throughout
python3 - "$ST/control.sock" "$CTL" <<'PY' || fail "events / slow reader / client limit"
import socket, subprocess, sys, time
path, ctl = sys.argv[1], sys.argv[2]
def conn():
    s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(path)
    return s
ev = conn(); evf = ev.makefile('rb'); evf.readline()
subprocess.run([ctl, '--socket', path, 'chchp', '-v', '0', '0.41'], check=True,
               stdout=subprocess.DEVNULL)
line = evf.readline().decode()
assert '"event":"CHPID_CHANGED"' in line and '"41"' in line, line
subprocess.run([ctl, '--socket', path, 'chchp', '-v', '1', '0.41'], check=True,
               stdout=subprocess.DEVNULL)
# slow reader: 200 requests whose 60 KB ids every reply echoes (12 MB of
# replies), no reads; the daemon drops it once 4 MiB are queued.  (Big
# replies, so the few requests the kernel buffers cannot hold the queue
# below the limit on a slow build.)
slow = conn(); slow.setblocking(False)
one = ('{"execute":"query-chpids","id":"%s"}\n' % ('x' * 60000)).encode()
req = one * 200
sent = 0
deadline = time.time() + 60
while sent < len(req) and time.time() < deadline:
    try:
        sent += slow.send(req[sent:])
    except BlockingIOError:
        time.sleep(0.01)
    except (BrokenPipeError, ConnectionResetError):
        break
# dropped: what was sent before the hang-up, then EOF (or a reset, as
# requests were left unread), short of 200 replies
slow.setblocking(True); slow.settimeout(10)
got = b''
while True:
    try:
        b = slow.recv(1 << 20)
    except ConnectionResetError:
        break
    if not b: break
    got += b
assert got.count(b'\n') < 200, got.count(b'\n')
slow.close()
# the limit: 16 at once; the 17th gets an error line and a hang-up
many = [conn() for _ in range(15)]
extra = conn()
got = extra.makefile('rb').readline().decode()
assert 'too many control clients' in got, got
for m in many: m.close()
extra.close()
r = subprocess.run([ctl, '--socket', path, 'lschp'], capture_output=True)
assert r.returncode == 0, r
PY
grep -q 'does not read its replies' "$T/log" || fail "slow reader not dropped"
ctl inject unsolicited 0.0.0102 || fail "inject unsolicited"
ctl inject latency 0.0.0102 100 || fail "inject latency"
ctl inject latency 0.0.0100 100 || fail "latency on a DASD"
ctl inject latency 0.0.0100 --restore || fail "latency restored on a DASD"
ctl inject equipment-check 0.0.0100 1000 || fail "equipment checks on a DASD"
ctl inject equipment-check 0.0.0100 0 || fail "equipment checks off"
ctl inject equipment-check 0.0.0102 1000 2>"$T/err" && fail "equipment checks on a test device"
grep -q 'on DASDs' "$T/err" || fail "message: $(cat "$T/err")"

# --- definitions survive a restart; the auto one is served again
stop
# written by hand as mdevctl writes them: a manual one on 0.0.0101 (upper
# case UUID), and files that do not fit, which are skipped with a warning
U2=0F5E2A3C-8F14-4B0E-9C1A-2F7B3E9D0A55
u2=0f5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55
mkdir -p "$ST/mdevctl.d/0.0.0101" "$ST/mdevctl.d/0.0.0999" "$ST/mdevctl.d/0.0.0102"
printf '{\n  "mdev_type": "vfio_ccw-io",\n  "start": "manual",\n  "attrs": []\n}\n' \
    >"$ST/mdevctl.d/0.0.0101/$U2"
echo '{"mdev_type": "vfio_ccw-io", "start": "auto", "attrs": []}' \
    >"$ST/mdevctl.d/0.0.0999/11111111-2222-3333-4444-555555555555"
echo 'not json' >"$ST/mdevctl.d/0.0.0102/22222222-2222-3333-4444-555555555555"
echo '{}' >"$ST/mdevctl.d/0.0.0102/not-a-uuid"
[ -f "$ST/mdevctl.d/0.0.0100/$U" ] || fail "definition not persisted"
grep -q '"mdev_type": "vfio_ccw-io"' "$ST/mdevctl.d/0.0.0100/$U" || fail "not mdevctl format"
start
"$ZVFIOD" --state-dir "$ST" 2>"$T/err2" && fail "second daemon on one state dir"
grep -q 'another zvfiod' "$T/err2" || fail "second daemon message: $(cat "$T/err2")"
[ -S "$ST/control.sock" ] || fail "second daemon removed the first one's socket"
ctl mdev list | grep -q "^$U 0.0.0100 vfio_ccw-io auto (active)" || fail "not restored: $(ctl mdev list)"
ctl mdev list | grep -q "^$u2 0.0.0101 vfio_ccw-io manual$" || fail "hand-written definition: $(ctl mdev list)"
[ "$(ctl mdev list | wc -l)" = 2 ] || fail "misfit definitions restored: $(ctl mdev list)"
grep -q 'no subchannel 0.0.0999' "$T/log" || fail "misfit not logged"
ctl mdev undefine -u $u2 || fail "undefine the hand-written one"
out=$(timeout 20 "$VFU" "$sock") || fail "vfu_read after restart: $out"

# --- clients killed at random moments: the daemon serves on, no fd grows
fds0=$(ls /proc/$PID/fd | wc -l)
for i in $(seq 20); do
    "$VFU" "$sock" >/dev/null 2>&1 &
    c=$!
    sleep "0.00$((RANDOM % 10))"
    kill -KILL $c 2>/dev/null
    wait $c 2>/dev/null
done
out=$(timeout 20 "$VFU" "$sock") || fail "vfu_read after killed clients: $out"
sleep 0.2
fds1=$(ls /proc/$PID/fd | wc -l)
[ "$fds1" -le "$fds0" ] || fail "daemon fds grew from $fds0 to $fds1"

# --- SIGTERM with a client attached: exit 0, no socket left
python3 - "$sock" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(5)
PY
# attached before the signal (python can take longer to start than a
# fixed pause on a loaded machine: then nothing was attached)
for _ in $(seq 200); do ctl mdev list | grep -q 'client attached' && break; sleep 0.05; done
ctl mdev list | grep -q 'client attached' || fail "no client attached before SIGTERM"
stop

# --- undefine removes the definition; device loss under a started mdev
start
ctl inject device-loss 0.0.0100 || fail "device-loss"
timeout 20 "$VFU" "$sock" >/dev/null 2>&1 && fail "I/O on a lost device succeeded"
ctl lscss | grep '^0.0.0200' | grep -q '(gone)' || fail "lscss after loss: $(ctl lscss)"
ctl bind 0.0.0100 2>"$T/err" && fail "bind of a lost subchannel"
grep -q 'gone' "$T/err" || fail "message: $(cat "$T/err")"
ctl mdev list | grep -q "^$U" || fail "mdev list after loss"
# the daemon sees the last client's hang-up in its own time
# (up to 20 s: on a loaded machine the hang-up can wait behind other work)
for _ in $(seq 400); do ctl mdev list | grep -q 'client attached' || break; sleep 0.05; done
ctl mdev undefine -u $U || fail "undefine: $(ctl mdev list)"
[ -e "$ST/mdevctl.d/0.0.0100/$U" ] && fail "definition left after undefine"
ctl quit || fail quit
wait "$PID"; rc=$?; PID=
[ $rc = 0 ] || fail "quit exit $rc"
# no daemon: exit 3 and how to start one
ctl lscss 2>"$T/err"; rc=$?
[ $rc = 3 ] || fail "zvfioctl without a daemon: exit $rc"
grep -q 'zvfiod --state-dir' "$T/err" || fail "no hint how to start: $(cat "$T/err")"

no_sanitizer_report
echo "PASS"
