#!/bin/sh
# SPDX-License-Identifier: MIT
#
# DASD benchmark: zvfio's block path (guest DASD library -> CSS channel-
# program engine -> FBA/ECKD device model -> image file, QD1, virtual loop,
# zero device latency) side by side with fio --ioengine=psync --iodepth=1
# on the same page-cached file, in the same run.  Medians of RUNS runs.
#
# usage: bench/dev/run.sh [BUILD_DIR] [RUNS] [SECONDS]
set -eu

BUILD=${1:-build}
RUNS=${2:-5}
SECS=${3:-1}
BENCH=$BUILD/bench/dev/dasd_bench
IMGTOOL=$BUILD/tools/img/zvfio-img

for t in "$BENCH" "$IMGTOOL"; do
    [ -x "$t" ] || { echo "run.sh: $t not built (ninja -C $BUILD)" >&2; exit 2; }
done
command -v fio >/dev/null || { echo "run.sh: fio not installed" >&2; exit 2; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/zvdasd.XXXXXX")
trap 'rm -rf "$DIR"' EXIT INT TERM

# median of the numbers on stdin
median() {
    sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# fio_one FILE RW BS FIELD: one fio run, prints IOPS (field 8 read / 49
# write of terse v3) or bandwidth in MB/s (field 7 / 48, KiB/s)
fio_one() {
    fio --name=zv --filename="$1" --ioengine=psync --iodepth=1 --rw="$2" \
        --bs="$3" --runtime="$SECS" --time_based --norandommap --invalidate=0 \
        --output-format=terse --terse-version=3 2>/dev/null |
        awk -F';' -v f="$4" -v mb="$5" \
            '{ if (mb) printf "%.1f\n", $f * 1024 / 1e6; else print $f }'
}

fio_median() {
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        fio_one "$@"
        i=$((i + 1))
    done | median
}

row() {
    # name ours fio
    awk -v n="$1" -v a="$2" -v b="$3" \
        'BEGIN { printf "%-20s %12.1f %12.1f %7.0f%%\n", n, a, b, (b > 0 ? 100 * a / b : 0) }'
}

compare() {
    kind=$1
    img=$2
    cat "$img" >/dev/null # page cache
    ours=$("$BENCH" "$kind" "$img" "$RUNS" "$SECS")
    echo "$ours" | head -1
    printf "%-20s %12s %12s %8s\n" "$kind" "zvfio" "fio-psync" "ratio"
    row "4k-randread IOPS" "$(echo "$ours" | awk '/4k-randread/ {print $3}')" \
        "$(fio_median "$img" randread 4k 8 0)"
    row "4k-randwrite IOPS" "$(echo "$ours" | awk '/4k-randwrite/ {print $3}')" \
        "$(fio_median "$img" randwrite 4k 49 0)"
    row "1m-seqread MB/s" "$(echo "$ours" | awk '/1m-seqread/ {print $3}')" \
        "$(fio_median "$img" read 1m 7 1)"
    row "1m-seqwrite MB/s" "$(echo "$ours" | awk '/1m-seqwrite/ {print $3}')" \
        "$(fio_median "$img" write 1m 48 1)"
    echo
}

"$IMGTOOL" create-fba "$DIR/bench.fba" --blocks 524288 >/dev/null
# no holes: both sides read real page-cache pages
dd if=/dev/urandom of="$DIR/bench.fba" bs=1M count=256 conv=notrunc \
    status=none
sync
compare fba "$DIR/bench.fba"
"$IMGTOOL" create-ckd "$DIR/bench.3390" --model 3390-1 --cyls 300 \
    --cdl BENCH1 >/dev/null
compare eckd "$DIR/bench.3390"
