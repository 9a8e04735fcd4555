#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ckdpart.py IMAGE FIRST-TRACK OUT: the data of every record after R0,
in physical order, of tracks FIRST-TRACK..end of a CKD image (Hercules'
CKD_P370 layout, as zvfio-img writes it): what Linux's DASD driver reads
as the blocks of a partition that starts at that track.  dasdseq cannot
copy it: it takes DSORG=PS data sets only, and fdasd's format-1 DSCB does
not say PS.  Exit 1 on a malformed image."""
import struct
import sys


def main():
    img, first, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(img, "rb") as f:
        data = f.read()
    if len(data) < 512:
        sys.exit("ckdpart: no device header")
    trksize = struct.unpack_from("<I", data, 12)[0]
    if trksize < 512 or (len(data) - 512) % trksize:
        sys.exit("ckdpart: bad track size %d" % trksize)
    ntrk = (len(data) - 512) // trksize
    with open(out, "wb") as o:
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
                    o.write(data[base + p + kl:base + p + kl + dl])
                p += kl + dl


main()
