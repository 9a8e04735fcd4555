#!/bin/sh
# SPDX-License-Identifier: MIT
#
# A/B of two builds' DASD path (dasd_bench), interleaved A B A B ... on
# the same image, each run a fixed number of requests: prints, per mode
# and build, the median over RUNS of the request rate (wall clock) and of
# the CPU time (user + system, from /proc via `time`) per request, which
# a busy shared machine disturbs less than the rate.
#
# usage: bench/dev/ab.sh BUILD_A BUILD_B [fba|eckd] [RUNS]
set -eu

A=$1
B=$2
KIND=${3:-eckd}
RUNS=${4:-5}
IMGTOOL=$A/tools/img/zvfio-img

for t in "$A/bench/dev/dasd_bench" "$B/bench/dev/dasd_bench" "$IMGTOOL"; do
    [ -x "$t" ] || { echo "ab.sh: $t not built" >&2; exit 2; }
done

DIR=$(mktemp -d "${TMPDIR:-/tmp}/zvab.XXXXXX")
trap 'rm -rf "$DIR"' EXIT INT TERM
IMG=$DIR/bench.img
if [ "$KIND" = fba ]; then
    "$IMGTOOL" create-fba "$IMG" --blocks 524288 >/dev/null
    dd if=/dev/urandom of="$IMG" bs=1M count=256 conv=notrunc status=none
else
    "$IMGTOOL" create-ckd "$IMG" --model 3390-1 --cyls 300 --cdl BENCH1 \
        >/dev/null
fi
cat "$IMG" >/dev/null

median() {
    sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# one BUILD MODE OPS: "rate cpu-us-per-request"
one() {
    /usr/bin/time -f '%U %S' -o "$DIR/t" \
        "$1/bench/dev/dasd_bench" "$KIND" "$IMG" 1 0 "$2" "$3" >"$DIR/o"
    awk -v ops="$3" 'NR == FNR { r = $NF; next }
        { printf "%s %.3f\n", r, ($1 + $2) * 1e6 / ops }' \
        "$DIR/o" "$DIR/t"
}

printf "%-14s %-6s %14s %16s\n" mode build "rate(median)" "cpu-us/req(med)"
for spec in 4k-randread:40000 4k-randwrite:40000 1m-seqread:800 \
    1m-seqwrite:800; do
    mode=${spec%%:*}
    ops=${spec##*:}
    : >"$DIR/a"
    : >"$DIR/b"
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        one "$A" "$mode" "$ops" | tail -1 >>"$DIR/a"
        one "$B" "$mode" "$ops" | tail -1 >>"$DIR/b"
        i=$((i + 1))
    done
    for x in a b; do
        [ "$x" = a ] && name=A || name=B
        r=$(awk '{ print $1 }' "$DIR/$x" | median)
        c=$(awk '{ print $2 }' "$DIR/$x" | median)
        printf "%-14s %-6s %14s %16s\n" "$mode" "$name" "$r" "$c"
    done
done
