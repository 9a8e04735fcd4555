#!/bin/bash
# SPDX-License-Identifier: MIT
# Pins libzvfio-qemu.so's exported symbols: exactly the interposed libc
# functions (no zvfio symbol: Debian's QEMU exports its own css_* and
# thousands more), and every libc function the installed qemu-system-s390x
# binds on the vfio-ccw path among them (shared/reference/qemu-adapter.md
# §2.1).  A QEMU that starts binding a spelling we do not interpose (a
# fortified openat or readlink, say) fails here rather than in a guest.
# usage: symbols.sh LIB [QEMU]
set -u
LIB=$1
QEMU=${2:-$(command -v qemu-system-s390x)}
PINNED="__open64_2 __open_2 __pread64_chk close fopen fopen64 ioctl open
open64 openat openat64 pread pread64 pwrite pwrite64 readlink readlinkat"
# what Debian's 7.2 binds for the path (reference §2.1, §6.3)
BOUND="open64 __open64_2 openat64 fopen64 readlink readlinkat ioctl pread64
__pread64_chk pwrite64 close"
# spellings of the same calls we do not interpose: QEMU must bind none
BYPASS="__openat64_2 __openat_2 __readlink_chk __readlinkat_chk __pread_chk
freopen64 freopen"
fail() { echo "FAIL: $*"; exit 1; }

command -v nm >/dev/null || { echo "no nm: skipped"; exit 77; }
exported=$(nm -D --defined-only "$LIB" | awk '{print $3}' | sed 's/@.*//' | sort)
want=$(printf '%s\n' $PINNED | sort)
[ "$exported" = "$want" ] ||
    fail "exported set differs from the pin: $(diff <(echo "$want") <(echo "$exported") | grep '^[<>]' | tr '\n' ' ')"

[ -n "$QEMU" ] && [ -x "$QEMU" ] || { echo "no qemu-system-s390x: QEMU half skipped"; exit 77; }
imports=$(nm -D --undefined-only "$QEMU" | awk '{print $2}' | sed 's/@.*//' | sort -u)
for s in $BOUND; do
    grep -qx -- "$s" <<<"$imports" || fail "$QEMU no longer binds $s: re-check the set"
    grep -qx -- "$s" <<<"$exported" || fail "$QEMU binds $s, which we do not export"
done
for s in $BYPASS; do
    grep -qx -- "$s" <<<"$imports" && fail "$QEMU binds $s, which would bypass the adapter"
done
for s in $PINNED; do
    grep -qx -- "$s" <<<"$imports" && echo "bound by QEMU: $s"
done
echo ok
