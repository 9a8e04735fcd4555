#!/usr/bin/env python3
# Seeds for fuzz_cp: a 12-byte ORB (architected order) + guest storage at
# IOVA 0.  Run from this directory: ./gen_corpus.py (rewrites corpus/seed-*).
import struct

F, P, H, T = 0x00800000, 0x00400000, 0x00020000, 0x00010000
LPM = 0x8000
CD, CC, SLI, SKIP, IDA = 0x80, 0x40, 0x20, 0x10, 0x04


def orb(cpa, w1):
    return struct.pack('>III', 0x1234, w1 | LPM, cpa)


def ccw1(cmd, flags, count, cda):
    return struct.pack('>BBHI', cmd, flags, count, cda)


def ccw0(cmd, flags, count, cda):
    return struct.pack('>I', (cmd << 24) | cda) + struct.pack('>BBH', flags, 0, count)


def mem(items, size=0x4000):
    m = bytearray(size)
    for addr, b in items:
        m[addr:addr + len(b)] = b
    return bytes(m)


seeds = {
    'direct-chain': orb(0x100, F | P) + mem([
        (0x100, ccw1(0x01, CC, 100, 0x1010)),
        (0x108, ccw1(0x02, CD, 0x800, 0x1800)),
        (0x110, ccw1(0x02, SLI, 0x900, 0x2000)),
    ]),
    'idal-4k': orb(0x0, F | P | H) + mem([
        (0x0, ccw1(0x02, IDA, 5000, 0x200)),
        (0x200, struct.pack('>QQ', 0x1f00, 0x3000)),
    ]),
    'idal-2k': orb(0x0, F | P | H | T) + mem([
        (0x0, ccw1(0x01, IDA | CC, 3000, 0x200)),
        (0x8, ccw1(0x0C, IDA, 0x300, 0x300)),
        (0x200, struct.pack('>QQ', 0x1c00, 0x2800)),
        (0x300, struct.pack('>QQ', 0x20ff, 0x37ff)),
    ]),
    'idal-fmt1': orb(0x0, F | P) + mem([
        (0x0, ccw1(0x02, IDA, 2500, 0x204)),
        (0x204, struct.pack('>II', 0x1100, 0x1800)),
    ]),
    'tic-segments': orb(0x100, F | P | H) + mem([
        (0x100, ccw1(0x31, CC, 5, 0x1000)),
        (0x108, ccw1(0x08, 0, 0, 0x100)),
        (0x110, ccw1(0x06, CC, 512, 0x2000)),
        (0x118, ccw1(0x08, 0, 0, 0x800)),
        (0x800, ccw1(0x03, CC, 0, 0)),
        (0x808, ccw1(0x08, 0, 0, 0xF0)),
        (0xF0, ccw1(0x01, CC, 4, 0x3000)),
        (0xF8, ccw1(0x02, SKIP, 4, 0x0)),
    ]),
    'format0': orb(0x40, P) + mem([
        (0x40, ccw0(0x01, CC, 16, 0x1000)),
        (0x48, ccw0(0xF8, 0xFF, 0xFFFF, 0x80)),
        (0x80, ccw0(0x02, SLI, 32, 0x1100)),
    ]),
}

for name, blob in seeds.items():
    with open('corpus/seed-' + name, 'wb') as f:
        f.write(blob)
