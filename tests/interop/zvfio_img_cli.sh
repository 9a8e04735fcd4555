#!/bin/sh
# zvfio-img end to end: images it creates are read by Hercules' dasdls,
# images dasdinit creates are described by `zvfio-img info`, and errors
# give the documented exit codes (1 failed, 2 usage).
# Usage: zvfio_img_cli.sh PATH/TO/zvfio-img
set -u
TOOL=$1
for t in dasdinit dasdls; do
    command -v "$t" >/dev/null 2>&1 || {
        echo "skipping: $t not found (Debian package 'hercules')"
        exit 77
    }
done
# tmpfs when it has room (image creation ends with fdatasync, slow on a
# busy disk), else /tmp
BASE=/tmp
avail=$(df --output=avail -B1 /dev/shm 2>/dev/null | tail -1)
[ "${avail:-0}" -ge 4294967296 ] 2>/dev/null && BASE=/dev/shm
D=$(mktemp -d "$BASE/zv-img-cli-XXXXXX")
trap 'rm -rf "$D"' EXIT
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
expect_rc() { # want-rc description command...
    want=$1; what=$2; shift 2
    "$@" >"$D/out" 2>"$D/err"; rc=$?
    [ "$rc" = "$want" ] || { fail "$what: exit $rc, want $want"; cat "$D/err"; }
}
contains() { grep -q -- "$2" "$1" || { fail "$3: '$2' not in output"; cat "$1"; }; }

# CDL volume made by zvfio-img, listed by dasdls
expect_rc 0 "create-ckd --cdl" "$TOOL" create-ckd "$D/z.3390" --model 3390-1 --cyls 3 --cdl zv0001
dasdls "$D/z.3390" >"$D/ls" 2>&1 || fail "dasdls on zvfio image"
contains "$D/ls" "VOLSER=ZV0001" "dasdls"
expect_rc 0 "info ckd" "$TOOL" info "$D/z.3390"
contains "$D/out" "cylinders:  3" "info ckd"
contains "$D/out" "volser:     ZV0001" "info ckd"

# CDL volume with one partition (a format-1 DSCB, as fdasd -a): dasdls
# lists the data set, dasdseq copies it out: every 4 KiB block of tracks
# 2..end (3 cylinders: 43 tracks x 12 blocks)
expect_rc 0 "create-ckd --partition" "$TOOL" create-ckd "$D/p.3390" --cyls 3 --cdl zv0002 --partition
dasdls "$D/p.3390" >"$D/ls" 2>&1 || fail "dasdls on partitioned image"
contains "$D/ls" "LINUX.VZV0002.PART0001.NATIVE" "dasdls partition"
if command -v dasdseq >/dev/null 2>&1; then
    (cd "$D" && dasdseq p.3390 LINUX.VZV0002.PART0001.NATIVE >seq.out 2>&1) ||
        { fail "dasdseq"; cat "$D/seq.out"; }
    [ "$(stat -c %s "$D/LINUX.VZV0002.PART0001.NATIVE" 2>/dev/null)" = $((43 * 12 * 4096)) ] ||
        fail "dasdseq: partition size"
    rm -f "$D/LINUX.VZV0002.PART0001.NATIVE"
fi
expect_rc 0 "check partitioned" "$TOOL" check "$D/p.3390"
expect_rc 2 "--partition without --cdl" "$TOOL" create-ckd "$D/q.3390" --cyls 3 --partition
rm -f "$D/p.3390"

# check: a dasdinit image and ours are well-formed; a broken end marker
# on cyl 1 head 2 (track 17) is found
expect_rc 0 "check" "$TOOL" check "$D/z.3390"
cp "$D/z.3390" "$D/bad.3390"
printf 'XXXXXXXX' | dd of="$D/bad.3390" bs=1 seek=$((512 + 17 * 56832 + 49269)) conv=notrunc 2>/dev/null
expect_rc 1 "check broken" "$TOOL" check "$D/bad.3390"
contains "$D/err" "cyl 1 head 2" "check broken"
contains "$D/err" "1 malformed track" "check broken"

# compressed CCKD is refused with a hint; converted by dasdcopy it opens
if command -v dasdcopy >/dev/null 2>&1; then
    dasdinit -z "$D/c.cckd" 3390 CC0001 3 >/dev/null 2>&1 || fail "dasdinit -z"
    expect_rc 1 "info cckd" "$TOOL" info "$D/c.cckd"
    contains "$D/err" "compressed" "info cckd"
    dasdcopy "$D/c.cckd" "$D/c.3390" >/dev/null 2>&1 || fail "dasdcopy"
    expect_rc 0 "info dasdcopy" "$TOOL" info "$D/c.3390"
    contains "$D/out" "volser:     CC0001" "info dasdcopy"
    expect_rc 0 "check dasdcopy" "$TOOL" check "$D/c.3390"
fi

# model size without --cyls: 3390-1 = 1113 cylinders, 948,810,752 bytes
expect_rc 0 "create-ckd model" "$TOOL" create-ckd "$D/m1.3390" --model 3390-1
[ "$(stat -c %s "$D/m1.3390")" = 948810752 ] || fail "3390-1 image size"
expect_rc 0 "info model" "$TOOL" info "$D/m1.3390"
contains "$D/out" "device:     3390-1" "info model"
contains "$D/out" "no VOL1 label" "info model"

# dasdinit image described by info
dasdinit -lfs "$D/h.3390" 3390 HERC01 7 >/dev/null 2>&1 || fail "dasdinit"
expect_rc 0 "info dasdinit" "$TOOL" info "$D/h.3390"
contains "$D/out" "cylinders:  7" "info dasdinit"
contains "$D/out" "volser:     HERC01" "info dasdinit"

# dasdinit -a adds an alternate cylinder: 1114 cylinders, a custom size
dasdinit -a -lfs "$D/alt.3390" 3390-1 ALT001 >/dev/null 2>&1 || fail "dasdinit -a"
expect_rc 0 "info dasdinit -a" "$TOOL" info "$D/alt.3390"
contains "$D/out" "cylinders:  1114" "info dasdinit -a"
expect_rc 0 "check dasdinit -a" "$TOOL" check "$D/alt.3390"
rm -f "$D/alt.3390"

# FBA with label, same bytes as dasdinit's
expect_rc 0 "create-fba" "$TOOL" create-fba "$D/z.fba" --blocks 1000 --volser FBA001
dasdinit -lfs "$D/h.fba" 9336 FBA001 1000 >/dev/null 2>&1 || fail "dasdinit fba"
cmp -s "$D/z.fba" "$D/h.fba" || fail "zvfio FBA differs from dasdinit FBA"
expect_rc 0 "info fba" "$TOOL" info "$D/h.fba"
contains "$D/out" "blocks:     1000" "info fba"
contains "$D/out" "volser:     FBA001" "info fba"

# bench runs on both kinds of image and both backends
expect_rc 0 "bench ckd sync" "$TOOL" bench "$D/z.3390" --ops 50
contains "$D/out" "reads/s" "bench ckd"
expect_rc 0 "bench fba" "$TOOL" bench "$D/z.fba" --ops 50
"$TOOL" bench "$D/z.fba" --backend uring --ops 50 >"$D/out" 2>"$D/err"
case $? in
0) contains "$D/out" "uring backend" "bench uring" ;;
1) contains "$D/err" "io_uring" "bench uring unavailable" ;;
*) fail "bench uring: bad exit code" ;;
esac
expect_rc 2 "bench bad depth" "$TOOL" bench "$D/z.fba" --depth 0

# errors: usage (2) and failures (1) with a message
expect_rc 2 "no args" "$TOOL"
expect_rc 2 "bad model" "$TOOL" create-ckd "$D/x" --model 3380-1
expect_rc 2 "no blocks" "$TOOL" create-fba "$D/x"
expect_rc 2 "unknown command" "$TOOL" frobnicate "$D/x"
expect_rc 1 "existing file" "$TOOL" create-fba "$D/z.fba" --blocks 10
contains "$D/err" "exists" "existing file"
expect_rc 1 "bad volser" "$TOOL" create-ckd "$D/v.3390" --cyls 1 --cdl "A B"
[ ! -e "$D/v.3390" ] || fail "failed create left a file behind"
head -c 100000 "$D/z.3390" >"$D/trunc.3390"
expect_rc 1 "truncated image" "$TOOL" info "$D/trunc.3390"
contains "$D/err" "no complete cylinder" "truncated image"
expect_rc 1 "missing file" "$TOOL" info "$D/nope"

[ "$FAILS" = 0 ] && echo "zvfio-img CLI: all checks passed"
exit $((FAILS > 0))
