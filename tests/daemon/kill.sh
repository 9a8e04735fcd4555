#!/bin/bash
# SPDX-License-Identifier: MIT
# The kill test against zvfiod as a process (issue 8, "Must show"): N
# (default 50) zvfio-guest clients in turn write at random to two DASD
# mdevs (the default host's FBA 0.0.0100 and ECKD 0.0.0101), each
# SIGKILLed at a random moment once its writes flow.  Then: the daemon
# still serves (a fresh client brings both devices online and reads), its
# descriptor count is what it was before the first kill, its RSS has not
# grown by more than a bounded slack and no client mapping is left; after
# SIGTERM (quiesce, flush) every write a client logged as complete is in
# the images, read host-side by kill_check (see kill_check.c for the rule).
# usage: kill.sh ZVFIOD ZVFIOCTL ZVFIO_GUEST KILL_CHECK
# ZV_KILLS=N changes the count; ZV_KILL_SEED=S replays the kill moments.
set -u
ZVFIOD=$1 CTL=$2 GUEST=$3 CHECK=$4
N=${ZV_KILLS:-50}
. "$(dirname "$0")/lib.sh"
ZV_LOG_LEVEL=info ZV_LOG_TAIL=40 ZV_EXTRA_PIDS=C
C=
zv_setup kill
L=$T/logs
mkdir -p "$L"
fds() { ls "/proc/$PID/fd" | wc -l; }
status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$PID/status"; }
released() { # no client attached (bounded wait)
    for _ in $(seq 200); do
        ctl mdev list | grep -q 'client attached' || return 0
        sleep 0.05
    done
    fail "a killed client is still attached: $(ctl mdev list)"
}
stat_of() { ctl stats -u "$1" | awk -v k="$2" '$1 == k { print $2 }'; }

SEED=${ZV_KILL_SEED:-$(date +%s)}
echo "kill test: $N kills, seed $SEED (ZV_KILL_SEED=$SEED replays the moments)"
RANDOM=$SEED

# io_uring: a client killed while a command waits for its image transfer
start --image-io uring
grep -q 'image I/O: io_uring' "$T/log" || fail "image I/O not on io_uring: $(tail -5 "$T/log")"
UA=6d5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55 UB=0a5e2a3c-8f14-4b0e-9c1a-2f7b3e9d0a55
ctl bind 0.0.0100 && ctl bind 0.0.0101 || fail bind
ctl mdev define -p 0.0.0100 -u $UA --no-persist &&
    ctl mdev define -p 0.0.0101 -u $UB --no-persist || fail "mdev define"
A=$(ctl mdev start -u $UA) && B=$(ctl mdev start -u $UB) || fail "mdev start"

# Warm-up: one client that ends by itself, so that what the daemon
# allocates once (malloc arenas, io_uring rings, the first client's buffers)
# is in the baseline.  Its writes are not logged: a logged block that held
# its data afterwards would be a lost write.
timeout 30 "$GUEST" -s "$A" -s "$B" bench --rw randwrite --time 0.3 \
    --seed 999999 >/dev/null || fail "warm-up client"
released
fds0=$(fds) rss0=$(status_kb VmRSS) vm0=$(status_kb VmSize)

t0=$(date +%s)
for k in $(seq "$N"); do
    "$GUEST" -s "$A" -s "$B" bench --rw randwrite --time 60 --seed "$k" \
        --log "$L/$k.log" >/dev/null 2>"$T/gerr" &
    C=$!
    # mid-I/O: once the first write is logged, then 0-149 ms more
    for _ in $(seq 250); do
        [ -s "$L/$k.log" ] && break
        kill -0 "$C" 2>/dev/null || break
        sleep 0.02
    done
    [ -s "$L/$k.log" ] || fail "client $k wrote nothing: $(cat "$T/gerr")"
    sleep "0.$(printf %03d $((RANDOM % 150)))"
    kill -KILL "$C" 2>/dev/null
    wait "$C"
    rc=$?
    C=
    # it must have died by the kill, not by an error of its own
    [ $rc = 137 ] || fail "client $k exited $rc before the kill: $(cat "$T/gerr")"
    kill -0 "$PID" 2>/dev/null || fail "daemon died at kill $k"
done
t1=$(date +%s)
released

# the daemon still serves both devices
for s in "$A" "$B"; do
    out=$(timeout 30 "$GUEST" -s "$s" online) || fail "online after the kills: $out"
    out=$(timeout 30 "$GUEST" -s "$s" read 40 1) || fail "read after the kills: $out"
done
released
fds1=$(fds) rss1=$(status_kb VmRSS) vm1=$(status_kb VmSize)
echo "kill test: $N kills in $((t1 - t0)) s; fds $fds0 -> $fds1," \
    "VmRSS $rss0 -> $rss1 KiB, VmSize $vm0 -> $vm1 KiB"
held=0
for u in $UA $UB; do
    held=$((held + $(stat_of $u device_held)))
    [ "$(stat_of $u vfio_user.dma_maps)" = 0 ] || fail "mappings left on $u"
    [ "$(stat_of $u vfio_ccw.state)" = closed ] || fail "$u not closed"
    n=$(stat_of $u vfio_user.clients)
    [ "$n" -ge $((N + 3)) ] || fail "$u served $n clients, expected $((N + 3))"
done
echo "kill test: $held commands held for their image transfer"
[ "$fds1" -le "$fds0" ] || fail "daemon fds grew from $fds0 to $fds1: $(ls -l /proc/$PID/fd)"
# RSS slack: the allocator keeps freed heap pages in its arenas and the
# page-table/stack pages the kills' code paths touched stay resident, so
# allow 2 MiB.  A leaked client mapping is 16 MiB of address space per
# device per client (VmSize: 1.6 GiB after 50 kills) and its touched
# guest pages, so the bounds below still see one.
[ "$rss1" -le $((rss0 + 2048)) ] || fail "VmRSS grew from $rss0 to $rss1 KiB"
[ "$vm1" -le $((vm0 + 8192)) ] || fail "VmSize grew from $vm0 to $vm1 KiB"

# SIGTERM: quiesce, flush the images, exit 0; then read them host-side
stop
"$CHECK" "$ST/disk0200.fba" "$ST/disk0201.3390" "$A" "$B" "$L" "$N" ||
    fail "images after the kills (seed $SEED)"
# the checker can fail: a copy of the FBA image that lost the last write
# client N logged on it (zeros in its first block) is refused
line=$(grep -h "^$A " "$L/$N.log" | tail -1)
blk=$(echo "$line" | cut -d' ' -f2)
cp "$ST/disk0200.fba" "$T/lost.fba"
dd if=/dev/zero of="$T/lost.fba" bs=512 seek="$blk" count=1 conv=notrunc 2>/dev/null
out=$("$CHECK" "$T/lost.fba" "$ST/disk0201.3390" "$A" "$B" "$L" "$N" 2>&1) &&
    fail "kill_check accepted an image without block $blk: $out"
echo "$out" | grep -q "block $blk lost the write client $N logged" ||
    fail "kill_check on a lost write: $out"
no_sanitizer_report
echo "PASS"
