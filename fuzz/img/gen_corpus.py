#!/usr/bin/env python3
# Regenerates the seed corpus of fuzz_img (small images: 512-byte track
# slots keep a whole CKD volume at 8 KiB per cylinder).
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
E = {c: b for c, b in zip("VOLIPL123456", bytes.fromhex("e5d6d3c9d7d3f1f2f3f4f5f6"))}


def ebc(s):
    return bytes(E[c] for c in s)


def header(heads=15, trk=512, devtyp=0x90, seq=0, highcyl=0, magic=b"CKD_P370"):
    h = magic + struct.pack("<IIBBH", heads, trk, devtyp, seq, highcyl)
    return h + bytes(512 - len(h))


def rec(c, h, r, key, data):
    return struct.pack(">HHBBH", c, h, r, len(key), len(data)) + key + data


def track(c, h, recs, trk=512):
    t = bytes([0]) + struct.pack(">HH", c, h) + rec(c, h, 0, b"", bytes(8))
    for r in recs:
        t += r
    t += b"\xff" * 8
    assert len(t) <= trk
    return t + bytes(trk - len(t))


def volume(cyls=1, trk=512, label=True):
    out = header(trk=trk)
    for c in range(cyls):
        for h in range(15):
            recs = []
            if c == 0 and h == 0 and label:
                vol1 = ebc("VOL1") + ebc("VOL123") + b"\x40" + bytes([0, 0, 0, 1, 1])
                vol1 += b"\x40" * (80 - len(vol1))
                recs = [rec(0, 0, 1, ebc("IPL1"), bytes(24)),
                        rec(0, 0, 2, ebc("IPL2"), bytes(144)),
                        rec(0, 0, 3, ebc("VOL1"), vol1)]
            elif h % 3 == 1:
                recs = [rec(c, h, 1, b"", bytes(range(100)))]
            out += track(c, h, recs, trk)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    good = volume()
    seeds = {
        "ckd_cdl_like_1cyl": good,
        "ckd_2cyl_nolabel": volume(cyls=2, label=False),
        "ckd_bad_magic": b"XKD_P370" + good[8:],
        "ckd_cckd_magic": b"CKD_C370" + good[8:],
        "ckd_zero_heads": header(heads=0) + good[512:],
        "ckd_trksize_huge": header(trk=0xFFFFFFFF) + good[512:],
        "ckd_truncated_mid_track": good[:-100],
        "ckd_highcyl_mismatch": header(highcyl=5) + good[512:],
        "ckd_multifile": header(seq=1) + good[512:],
        "track_raw_valid": track(0, 1, [rec(0, 1, 1, b"K", b"data" * 10)]),
        "track_raw_overrun": track(0, 1, [rec(0, 1, 1, b"", bytes(50))])[:60],
        "track_raw_no_eot": bytes(5) + rec(0, 0, 0, b"", bytes(8)) + bytes(40),
        "fba_label": bytes(512) + ebc("VOL1") + ebc("VOL123") + bytes(502) + bytes(1024),
        "fba_cfba_magic": b"FBA_C370" + bytes(1016),
        "fba_odd_size": bytes(700),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
