#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ckdpart.py IMAGE FIRST-TRACK OUT: the data of every record after R0,
in physical order, of tracks FIRST-TRACK..end of a CKD image (Hercules'
CKD_P370 layout, as zvfio-img writes it): what Linux's DASD driver reads
as the blocks of a partition that starts at that track.  dasdseq cannot
copy it: it takes DSORG=PS data sets only, and fdasd's format-1 DSCB does
not say PS.

ckdpart.py --put IMAGE FIRST-TRACK IN: the other way, IN's bytes into
those records' data fields in the same order (the image's layout
unchanged): a partition repaired on the host (e2fsck on the copy) goes
back where the guest reads it.  IN may be shorter than the records; it
may not be longer.

Exit 1 on a malformed image."""
import struct
import sys


def records(data, first):
    """(offset, length) of the data field of every record after R0 of
    tracks first..end, in physical order."""
    if len(data) < 512:
        sys.exit("ckdpart: no device header")
    trksize = struct.unpack_from("<I", data, 12)[0]
    if trksize < 512 or (len(data) - 512) % trksize:
        sys.exit("ckdpart: bad track size %d" % trksize)
    ntrk = (len(data) - 512) // trksize
    for t in range(first, ntrk):
        base = 512 + t * trksize
        p = 5  # home address: flag, CC, HH
        while True:
            if p + 8 > trksize:
                sys.exit("ckdpart: track %d: no end marker" % t)
            cnt = data[base + p:base + p + 8]
            if cnt == b"\xff" * 8:
                break
            rec, kl, dl = cnt[4], cnt[5], struct.unpack(">H", cnt[6:8])[0]
            p += 8
            if p + kl + dl > trksize:
                sys.exit("ckdpart: track %d: record %d past the slot" % (t, rec))
            if rec != 0:
                yield base + p + kl, dl
            p += kl + dl


def main():
    put = len(sys.argv) > 1 and sys.argv[1] == "--put"
    args = sys.argv[2:] if put else sys.argv[1:]
    if len(args) != 3:
        sys.exit(__doc__)
    img, first, other = args[0], int(args[1]), args[2]
    if not put:
        with open(img, "rb") as f:
            data = f.read()
        with open(other, "wb") as o:
            for off, dl in records(data, first):
                o.write(data[off:off + dl])
        return
    with open(img, "r+b") as f:
        data = bytearray(f.read())
        with open(other, "rb") as i:
            src = i.read()
        pos = 0
        for off, dl in records(bytes(data), first):
            if pos >= len(src):
                break
            n = min(dl, len(src) - pos)
            data[off:off + n] = src[pos:pos + n]
            pos += n
        if pos < len(src):
            sys.exit("ckdpart: %d bytes do not fit the records" % (len(src) - pos))
        f.seek(0)
        f.write(data)


main()
