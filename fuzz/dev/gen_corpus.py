#!/usr/bin/env python3
# Seeds for fuzz_dasd: a configuration byte (bit 0 ECKD, bit 1 concurrent
# sense, bits 2-3 ECKD track slot 512/1536/8192/56832 -- for FBA bits 2-7
# add blocks to 48 --, bit 6 random equipment checks), a layout byte (the
# image's initial records), then operations (opcode byte and operands,
# see fd_ops[] in fuzz_dasd.c).  Parameter slot s is at offset s * 32 of
# the read-only parameter page; a CCW address with bit 15 set points
# there, else into the data area.
# Run from this directory: ./gen_corpus.py (rewrites corpus/seed-*).
import os
import struct

PARM, DATA, DE, LOC, COUNT, CCW, RUN = 0, 1, 2, 3, 4, 5, 7
CD, CC, SLI = 0x80, 0x40, 0x20
ECKD, CSENSE = 0x01, 0x02
SLOT512, SLOT1536, SLOT8K, SLOT56K = 0 << 2, 1 << 2, 2 << 2, 3 << 2


def hdr(cfg, layout=0):
    return bytes([cfg, layout])


def parm(slot, b):
    return bytes([PARM]) + struct.pack('>HB', slot * 32, len(b)) + b


def data(off, b):
    return bytes([DATA]) + struct.pack('>HB', off, len(b)) + b


def de_eckd(slot, mask, attr, beg, end):
    return bytes([DE, slot, mask, attr, beg, end])


def de_fba(slot, mask, loc, first, last):
    return bytes([DE, slot, mask, loc, first, last])


def lr(slot, op, aux, count, trk, rec, sector=0, tlf=0, extop=0):
    return bytes([LOC, slot, op, aux, count, trk, rec, sector]) + \
        struct.pack('>HB', tlf, extop)


def lo(slot, op, count, blk):
    return bytes([LOC, slot, op, count, blk])


def count(off, trk, rec, kl, dl):
    return bytes([COUNT]) + struct.pack('>HBBBH', off, trk, rec, kl, dl)


def ccw(cmd, flags, n, addr):
    return bytes([CCW, cmd, flags]) + struct.pack('>HH', n, addr)


def p(slot):
    return 0x8000 | (slot * 32)


def run():
    return bytes([RUN])


def de_lr(lr_flags=CC):
    return ccw(0x63, CC, 16, p(0)) + ccw(0x47, lr_flags, 16, p(1))


SEEDS = {}

# ECKD: identification as Linux's CIO and dasd_eckd issue it
SEEDS['eckd-identify'] = hdr(ECKD | CSENSE | SLOT8K) + \
    ccw(0xE4, SLI, 40, 0) + run() + ccw(0x34, SLI, 12, 64) + run() + \
    parm(2, bytes(12)) + ccw(0xAF, 0, 12, p(2)) + run() + \
    ccw(0xFA, SLI, 256, 128) + ccw(0x64, SLI, 64, 512) + run() + \
    parm(4, bytes([0x18, 0, 0, 0, 0, 0, 0x41]) + bytes(5)) + \
    ccw(0x27, CC, 12, p(4)) + ccw(0x3E, SLI, 256, 1024) + run() + \
    parm(5, bytes([0x18, 0, 0, 0, 0, 0, 0x0E]) + bytes(5)) + \
    ccw(0x27, CC, 12, p(5)) + ccw(0x3E, SLI, 512, 1024) + run() + \
    ccw(0x04, SLI, 32, 0) + run()
# the analysis program: DE tracks 0-1, LR read count, Read Count x 4
SEEDS['eckd-analysis'] = hdr(ECKD | CSENSE | SLOT8K, 3) + \
    de_eckd(0, 0x40, 0xC0, 0, 1) + lr(1, 0x06, 0, 4, 0, 0) + de_lr() + \
    ccw(0x12, CC, 8, 0) + ccw(0x12, CC, 8, 8) + ccw(0x12, CC, 8, 16) + \
    ccw(0x12, 0, 8, 24) + run()
SEEDS['eckd-read'] = hdr(ECKD | CSENSE | SLOT8K, 1) + \
    de_eckd(0, 0x40, 0xC0, 2, 3) + lr(1, 0x06, 0, 2, 2, 1) + de_lr() + \
    ccw(0x86, CC | SLI, 4096, 0x1000) + ccw(0x86, SLI, 4096, 0x2000) + run()
SEEDS['eckd-write-update'] = hdr(ECKD | CSENSE | SLOT8K, 1) + \
    data(0x1000, b'\x5a' * 64) + \
    de_eckd(0, 0x80, 0xC0, 5, 6) + lr(1, 0x01, 0, 1, 5, 1) + de_lr() + \
    ccw(0x85, SLI, 4096, 0x1000) + run() + \
    de_eckd(0, 0x40, 0xC0, 5, 6) + lr(1, 0x06, 0, 1, 5, 1) + de_lr() + \
    ccw(0x86, SLI, 4096, 0x2000) + run()
# dasdfmt: Write R0 then Write CKD, on a small slot (1536 bytes: R1 of
# 1499 data bytes fits exactly), then one byte more
SEEDS['eckd-format-small-slot'] = hdr(ECKD | CSENSE | SLOT1536) + \
    de_eckd(0, 0xC0, 0xC4, 7, 7) + lr(1, 0x43, 0, 2, 7, 0) + \
    count(0x100, 7, 0, 0, 8) + count(0x200, 7, 1, 0, 1499) + de_lr() + \
    ccw(0x15, CC | SLI, 16, 0x100) + ccw(0x1D, 0, 8 + 1499, 0x200) + run() + \
    lr(1, 0x03, 0, 1, 7, 0) + count(0x200, 7, 1, 0, 1500) + de_lr() + \
    ccw(0x1D, 0, 8 + 1500, 0x200) + run()
SEEDS['eckd-format-multitrack'] = hdr(ECKD | SLOT8K, 2) + \
    de_eckd(0, 0x00, 0xC4, 9, 10) + lr(1, 0x03, 0, 4, 9, 0, 0, 512) + \
    count(0x100, 9, 1, 0, 512) + count(0x108, 9, 2, 0, 512) + \
    count(0x110, 10, 1, 0, 512) + count(0x118, 11, 1, 0, 512) + de_lr() + \
    ccw(0x1D, CC | SLI, 8, 0x100) + ccw(0x1D, CC | SLI, 8, 0x108) + \
    ccw(0x1D, CC | SLI, 8, 0x110) + ccw(0x1D, SLI, 8, 0x118) + run()
SEEDS['eckd-write-r0-small'] = hdr(ECKD | CSENSE | SLOT512) + \
    de_eckd(0, 0xC0, 0xC4, 2, 2) + lr(1, 0x43, 0, 1, 2, 0) + \
    count(0x100, 2, 0, 0, 491) + de_lr() + \
    ccw(0x15, 0, 8 + 491, 0x100) + run() + \
    count(0x100, 2, 0, 0, 492) + de_lr() + ccw(0x15, 0, 8 + 492, 0x100) + run()
SEEDS['eckd-read-track'] = hdr(ECKD | CSENSE | SLOT8K, 5) + \
    de_eckd(0, 0x40, 0xC0, 12, 14) + lr(1, 0x0C, 0, 3, 12, 0) + de_lr() + \
    ccw(0xDE, CC | SLI, 8192, 0x1000) + ccw(0xDE, CC | SLI, 8192, 0x3000) + \
    ccw(0xDE, SLI, 8192, 0x5000) + run()
SEEDS['eckd-lre-read-any'] = hdr(ECKD | CSENSE | SLOT56K, 1) + \
    de_eckd(0, 0x40, 0xC0, 1, 2) + lr(1, 0x3F, 0, 1, 2, 1, 0, 0, 0x0A) + \
    ccw(0x63, CC, 16, p(0)) + ccw(0x4B, CC, 20, p(1)) + \
    ccw(0x86, SLI, 8192, 0x1000) + run()
SEEDS['eckd-lre-write-any-past-extent'] = hdr(ECKD | CSENSE | SLOT8K, 1) + \
    de_eckd(0, 0x80, 0xC0, 1, 2) + lr(1, 0x3F, 0, 1, 3, 1, 0, 0, 0x09) + \
    ccw(0x63, CC, 16, p(0)) + ccw(0x4B, CC, 20, p(1)) + \
    ccw(0x85, SLI, 8192, 0x1000) + run()
SEEDS['eckd-mt-read-past-extent'] = hdr(ECKD | CSENSE | SLOT8K, 1) + \
    de_eckd(0, 0x40, 0xC0, 4, 4) + lr(1, 0x06, 0, 4, 4, 1) + de_lr() + \
    ccw(0x86, CC | SLI, 8192, 0x1000) + ccw(0x86, CC | SLI, 8192, 0x3000) + \
    ccw(0x86, CC | SLI, 8192, 0x5000) + ccw(0x86, SLI, 8192, 0x7000) + run()
# zipl / QEMU IPL: Seek, Search ID Equal, TIC back, Read Data
SEEDS['eckd-seek-search-tic'] = hdr(ECKD | CSENSE | SLOT8K, 1) + \
    parm(2, bytes([0, 0, 0, 0, 0, 2])) + parm(3, bytes([0, 0, 0, 2, 1])) + \
    ccw(0x07, CC, 6, p(2)) + ccw(0x31, CC, 5, p(3)) + ccw(0x08, 0, 0, 1) + \
    ccw(0x06, SLI, 8192, 0x1000) + run()
SEEDS['eckd-read-ipl'] = hdr(ECKD | CSENSE | SLOT8K, 1) + \
    ccw(0x02, CC | SLI, 24, 0) + ccw(0x06, SLI, 4096, 0x1000) + run()
SEEDS['eckd-locate-edges'] = hdr(ECKD | CSENSE | SLOT1536, 1) + \
    de_eckd(0, 0x80, 0xC0, 3, 5) + lr(1, 0x01, 0, 1, 6, 1) + de_lr() + \
    ccw(0x85, SLI, 1024, 0x1000) + run() + \
    lr(1, 0x01, 0, 1, 2, 1) + de_lr() + ccw(0x85, SLI, 1024, 0x1000) + \
    run() + lr(1, 0x01, 0, 1, 5, 1) + de_lr() + \
    ccw(0x85, SLI, 1024, 0x1000) + run()

# FBA
SEEDS['fba-identify'] = hdr(CSENSE | (16 << 2)) + ccw(0xE4, SLI, 40, 0) + \
    run() + ccw(0x64, SLI, 32, 64) + run() + ccw(0x04, SLI, 24, 128) + run()
SEEDS['fba-read-chained'] = hdr(CSENSE) + \
    de_fba(0, 0x40, 2, 0, 3) + lo(1, 0x06, 4, 0) + \
    ccw(0x63, CC, 16, p(0)) + ccw(0x43, CC, 8, p(1)) + \
    ccw(0x42, CD, 1024, 0x1000) + ccw(0x42, 0, 1024, 0x1400) + run()
SEEDS['fba-write-then-read'] = hdr(CSENSE | (3 << 2), 9) + \
    data(0x1000, b'\xa5' * 200) + \
    de_fba(0, 0x00, 40, 0, 7) + lo(1, 0x05, 8, 0) + \
    ccw(0x63, CC, 16, p(0)) + ccw(0x43, CC, 8, p(1)) + \
    ccw(0x41, 0, 4096, 0x1000) + run() + \
    de_fba(2, 0x40, 40, 0, 7) + lo(3, 0x06, 8, 0) + \
    ccw(0x63, CC, 16, p(2)) + ccw(0x43, CC, 8, p(3)) + \
    ccw(0x42, 0, 4096, 0x3000) + run()
SEEDS['fba-discard'] = hdr(CSENSE) + \
    de_fba(0, 0x00, 8, 0, 15) + lo(1, 0x01, 16, 0) + \
    ccw(0x63, CC, 16, p(0)) + ccw(0x43, CC, 8, p(1)) + \
    ccw(0x41, 0, 0, 0x1000) + run()
SEEDS['fba-edges'] = hdr(CSENSE) + \
    de_fba(0, 0x00, 44, 0, 3) + lo(1, 0x05, 0, 1) + \
    ccw(0x63, CC, 16, p(0)) + ccw(0x43, CC, 8, p(1)) + \
    ccw(0x41, 0, 512, 0x1000) + run() + \
    de_fba(0, 0x00, 45, 0, 3) + ccw(0x63, 0, 16, p(0)) + run()
SEEDS['fba-read-ipl'] = hdr(CSENSE) + \
    ccw(0x02, CC | SLI, 512, 0) + lo(1, 0x06, 1, 3) + \
    ccw(0x43, CC, 8, p(1)) + ccw(0x42, 0, 512, 0x1000) + run()

if __name__ == '__main__':
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
    os.makedirs(out, exist_ok=True)
    for name, b in SEEDS.items():
        with open(os.path.join(out, 'seed-' + name), 'wb') as f:
            f.write(b)
