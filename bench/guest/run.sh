#!/bin/bash
# SPDX-License-Identifier: MIT
#
# bench/guest/run.sh — Debian's s390x Linux under qemu-system-s390x (TCG)
# does O_DIRECT dd on zvfiod's ECKD and FBA (vfio-ccw over vfio-user,
# through the qemu/ adapter) and, in the same boot, on a virtio-blk-ccw
# disk backed by a raw image on the same filesystem: 1 MiB write and read
# throughput, 4 KiB read IOPS, medians of ROUNDS rounds.
#
#   bench/guest/run.sh [BUILD_DIR]     (default build/gcc; ROUNDS=5)
#
# Needs the guest kit (guest/kit) and a native build with qemu/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:-$ROOT/build/gcc}" && pwd)
ROUNDS=${ROUNDS:-5}
# LATENCY_US=N: the device models' latency (default: the default host's
# 20 us + 0..10 us jitter); LATENCY_PER=command|program: what it is charged
# for (default program, docs/zvfiod.md).  DISKS, TESTS, IOS narrow the run
# (e.g. DISKS=eckd TESTS=read4k for the per-I/O breakdown);
# ZVFIO_QEMU_STATS=1 prints the adapter's per-operation timings and
# zvfiod's SSCH-to-status histogram of the zvfio disks.  ZVFIOD_ARGS adds
# daemon options (e.g. "--poll-us 50", "--image-io sync").
LAT=
[ -n "${LATENCY_US:-}" ] && LAT=", \"latency_us\": $LATENCY_US, \"jitter_us\": 0"
[ -n "${LATENCY_PER:-}" ] && LAT="$LAT, \"latency_per\": \"$LATENCY_PER\""
eval "$("$ROOT/guest/kit" --quiet --print-paths)"
T=$(mktemp -d /tmp/zvfio-bench.XXXXXX)
ST=$T/state
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; [ -n "${ZV_BENCH_KEEP:-}" ] || rm -rf "$T"' EXIT
mkdir -p "$ST"
# ECKD: 100 cylinders CDL with one partition (70 MiB); FBA: 64 MiB; the
# virtio disk: a 64 MiB raw file next to them.  Device latency: the
# default host's (20 us + 0..10 us per command).
"$B/tools/img/zvfio-img" create-ckd "$ST/eckd.3390" --cyls 100 --cdl ZVB001 \
    --partition >/dev/null
"$B/tools/img/zvfio-img" create-fba "$ST/fba.img" --blocks 131072 >/dev/null
truncate -s 64M "$ST/virtio.raw"
cat >"$T/host.json" <<JSON
{ "chpids": [ { "chpid": "40" }, { "chpid": "41" } ],
  "devices": [
    { "type": "fba", "subchannel": "0.0.0100", "devno": "0.0.0200",
      "chpids": ["40", "41"], "image": "fba.img"$LAT },
    { "type": "eckd", "subchannel": "0.0.0101", "devno": "0.0.0201",
      "chpids": ["40", "41"], "image": "eckd.3390"$LAT } ] }
JSON
# shellcheck disable=SC2086 # ZVFIOD_ARGS: words on purpose
"$B/tools/zvfiod/zvfiod" --state-dir "$ST" --config "$T/host.json" \
    --log-level warn ${ZVFIOD_ARGS:-} 2>"$T/log" &
PID=$!
for _ in $(seq 100); do
    "$B/tools/zvfioctl/zvfioctl" --socket "$ST/control.sock" lschp \
        >/dev/null 2>&1 && break
    sleep 0.05
done
{
    echo "ROUNDS=$ROUNDS"
    [ -n "${DISKS:-}" ] && echo "DISKS='$DISKS'"
    [ -n "${TESTS:-}" ] && echo "TESTS='$TESTS'"
    [ -n "${IOS:-}" ] && echo "IOS=$IOS"
    cat "$ROOT/bench/guest/bench.sh"
} >"$T/test.sh"
"$ROOT/guest/kit" --quiet initrd "$T/test.sh" "$T/initrd"
ZVFIO_QEMU_LIB=$B/qemu/libzvfio-qemu.so ZVFIOCTL=$B/tools/zvfioctl/zvfioctl \
    timeout 900 "$B/qemu/zvfio-qemu" --state "$ST" --bind 0.0.0100 \
    --bind 0.0.0101 --kernel "$KERNEL" --initrd "$T/initrd" \
    --append "console=ttysclp0 quiet" -- -no-reboot \
    -drive "file=$ST/virtio.raw,format=raw,if=none,id=vd0" \
    -device virtio-blk-ccw,drive=vd0,devno=fe.0.0300 \
    </dev/null >"$T/console" 2>&1 || true
if [ -n "${ZVFIO_QEMU_STATS:-}" ]; then
    for s in 0.0.0100 0.0.0101; do
        echo "zvfiod stats $s:"
        "$B/tools/zvfioctl/zvfioctl" --socket "$ST/control.sock" stats $s |
            grep -E '^(latency|device_commands|vfio_user)' | sed 's/^/  /'
    done
    grep '^zvfio-qemu stats' "$T/console" || true
fi
if grep -q BENCH-FAIL "$T/console" || ! grep -q '^E2E-END bench' "$T/console"; then
    echo "bench failed:" >&2
    tail -30 "$T/console" >&2
    exit 1
fi
echo "guest: $(grep -m1 'kernel' "$T/console" | sed 's/.*kernel //'), QEMU $(qemu-system-s390x --version | head -1 | sed 's/.*version //'), $ROUNDS rounds, medians"
python3 - "$T/console" <<'PY'
import sys, statistics
runs = {}
for line in open(sys.argv[1], errors="replace"):
    f = line.split()
    if len(f) == 6 and f[0] == "BENCH":
        _, disk, test, _, us, n = f
        runs.setdefault((disk, test), []).append((int(us), int(n)))
def med(disk, test):
    v = runs.get((disk, test), [])
    if not v:
        return None
    if test == "read4k":
        return statistics.median(n / (us / 1e6) for us, n in v)
    return statistics.median(n / (1 << 20) / (us / 1e6) for us, n in v)
names = {"eckd": "zvfio ECKD 3390 (dasd_eckd)", "fba": "zvfio FBA 9336 (dasd_fba)",
         "virtio": "virtio-blk-ccw, raw file"}
print(f"{'disk':30} {'1M write MiB/s':>15} {'1M read MiB/s':>14} {'4K read IOPS':>13}")
for d in ("eckd", "fba", "virtio"):
    w, r, i = med(d, "write1m"), med(d, "read1m"), med(d, "read4k")
    fmt = lambda x, p: "-" if x is None else f"{x:.{p}f}"
    print(f"{names[d]:30} {fmt(w,0):>15} {fmt(r,0):>14} {fmt(i,0):>13}")
base = {t: med("virtio", t) for t in ("write1m", "read1m", "read4k")}
for d in ("eckd", "fba"):
    pct = []
    for t in ("write1m", "read1m", "read4k"):
        m = med(d, t)
        pct.append("-" if not m or not base[t] else f"{100 * m / base[t]:.0f}%")
    print(f"{d} / virtio: 1M write {pct[0]}, 1M read {pct[1]}, 4K read {pct[2]}")
PY
