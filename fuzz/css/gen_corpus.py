#!/usr/bin/env python3
# Seeds for fuzz_engine: a configuration byte (bit 0 concurrent sense,
# bit 1 MIDAW, bit 2 ILS), then operations (opcode byte and operands, see
# fe_ops[] in fuzz_engine.c).  Storage: 64 KiB at 0, a read-only page at
# 0x20000, a hole at 0x200000.  The subchannel starts enabled, LPM 0xFF.
# Run from this directory: ./gen_corpus.py (rewrites corpus/seed-*).
import os
import struct

FILL, BLOCK, RESPOND, MSCH, SSCH, FUNC, STORE, RUN, HOST = (
    0, 1, 4, 5, 6, 8, 10, 12, 14)
HSCH, CSCH, RSCH, XSCH = 0, 1, 2, 3
CD, CC, SLI, SKIP, PCI, IDA, SUSP, MIDA = (
    0x80, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02, 0x01)
CEDE, UC = 0x0C, 0x02
WRITE, READ, NOP, SENSE, TIC, HOLD = 0x01, 0x02, 0x03, 0x04, 0x08, 0x13


def ccw1(off, cmd, flags, count, cda):
    return bytes([BLOCK]) + struct.pack('>HBBBHH', off, 1, cmd, flags, count,
                                        cda)


def ccw0(off, cmd, flags, count, cda):
    return bytes([BLOCK]) + struct.pack('>HBBBHH', off, 0, cmd, flags, count,
                                        cda)


def ccw1_far(off, cmd, flags, count, cda):
    return bytes([BLOCK]) + struct.pack('>HBBBHI', off, 0x81, cmd, flags,
                                        count, cda)


def idaw1(off, addr):
    return bytes([BLOCK]) + struct.pack('>HBH', off, 2, addr)


def idaw2(off, addr):
    return bytes([BLOCK]) + struct.pack('>HBH', off, 3, addr)


def midaw(off, flags, count, addr):
    return bytes([BLOCK]) + struct.pack('>HBBHH', off, 4, flags, count, addr)


def ssch(cpa, w1_hi=0, w1_lo=0, key_s=0):
    # word 1: byte 0 key/S/C/M/Y, byte 1 F P I A U - H T, byte 2 LPM,
    # byte 3 L D ... X; "how" 3 forces F, P and LPM 0xFF.
    orb = struct.pack('>IBBBB', 0xC0FFEE, key_s, w1_hi, 0xFF, w1_lo) + \
        struct.pack('>I', 0)
    return bytes([SSCH, 3]) + orb + struct.pack('>H', cpa)


def ssch_insn(cpa, at_how=0):
    orb = struct.pack('>IBBBBI', 0xC0FFEE, 0, 0, 0xFF, 0, 0)
    return bytes([SSCH, 7]) + orb + struct.pack('>H', cpa) + \
        bytes([at_how, 0])


def respond(cmd, dstat, length, data=None, sense=None, hold=False):
    how = (1 if hold else 0) | (2 if data else 0) | (4 if sense else 0)
    b = bytes([RESPOND, cmd, how, dstat]) + struct.pack('>HB', length, 1)
    if data:
        b += data
    if sense:
        b += bytes([len(sense)]) + sense
    return b


def func(f, insn=False):
    return bytes([FUNC, f | (0x80 if insn else 0)]) + (b'\x00' if insn
                                                       else b'')


def run(n=63):
    return bytes([RUN, n])


def tsch():
    return bytes([STORE, 0])


def host(what, arg):
    return bytes([HOST, what, arg])


def seed(cfg, *ops):
    return bytes([cfg]) + b''.join(ops)


hold = respond(HOLD, CEDE, 0, hold=True) + ccw1(0x1000, HOLD, SLI, 0, 0)
seeds = {
    'nop': seed(0, ccw1(0x1000, NOP, SLI, 1, 0x8000), ssch(0x1000), run(),
                tsch()),
    'read-data': seed(0, respond(READ, CEDE, 16, data=bytes(range(16))),
                      ccw1(0x1000, READ, 0, 16, 0x8000), ssch(0x1000), run(),
                      tsch()),
    'write-inclen': seed(0, respond(WRITE, CEDE, 32),
                         ccw1(0x1000, WRITE, 0, 64, 0x8000), ssch(0x1000),
                         run(), tsch()),
    'write-ils': seed(4, respond(WRITE, CEDE, 32),
                      ccw1(0x1000, WRITE, 0, 64, 0x8000), ssch(0x1000),
                      run(), tsch()),
    'idaw-chain': seed(0, respond(READ, CEDE, 200),
                       ccw1(0x1000, READ, CD | IDA, 100, 0x3000),
                       ccw1(0x1008, READ, SKIP, 100, 0x9000),
                       idaw1(0x3000, 0x8000), ssch(0x1000), run(), tsch()),
    'idaw2-2k': seed(0, respond(WRITE, CEDE, 3000),
                     ccw1(0x1000, WRITE, IDA, 3000, 0x3000),
                     idaw2(0x3000, 0x8700), idaw2(0x3008, 0x9000),
                     ssch(0x1000, w1_hi=0x03), run(), tsch()),
    'midaw': seed(2, respond(READ, CEDE, 300),
                  ccw1(0x1000, READ, MIDA, 300, 0x4000),
                  midaw(0x4000, 0x00, 100, 0x8000),
                  midaw(0x4010, 0x80, 200, 0x9000),
                  ssch(0x1000, w1_hi=0x02, w1_lo=0x40), run(), tsch()),
    'format0-24bit': seed(0, ccw0(0x1000, NOP, CC, 1, 0x8000),
                          ccw0(0x1008, READ, SLI, 16, 0xFFF8),
                          bytes([SSCH, 1]) + bytes(12) +
                          struct.pack('>H', 0x1000),
                          run(), tsch()),
    'hold-hsch': seed(0, hold, ssch(0x1000), run(3), func(HSCH), run(),
                      tsch(), tsch()),
    'hold-csch': seed(0, hold, ssch(0x1000), run(3), func(CSCH), run(),
                      tsch()),
    'hold-xsch': seed(0, hold, ssch(0x1000), func(XSCH), run(3), func(XSCH),
                      run(), tsch()),
    'suspend-resume': seed(0, ccw1(0x1000, NOP, CC | SLI, 1, 0x8000),
                           ccw1(0x1008, NOP, SUSP | SLI, 1, 0x8000),
                           ssch(0x1000, key_s=0x08), run(), tsch(),
                           ccw1(0x1008, NOP, SLI, 1, 0x8000), func(RSCH),
                           run(), tsch()),
    'tic-loop': seed(0, ccw1(0x1000, NOP, CC | SLI, 1, 0),
                     ccw1(0x1008, TIC, 0, 0, 0x1000), ssch(0x1000), run(),
                     run(), func(HSCH), run(), tsch(), func(CSCH), run(),
                     tsch()),
    'tic-to-tic': seed(0, ccw1(0x1000, TIC, 0, 0, 0x1008),
                       ccw1(0x1008, TIC, 0, 0, 0x1000), ssch(0x1000), run(),
                       tsch()),
    'unit-check-csense': seed(1, bytes([MSCH, 4, 0xFF, 0, 0, 0, 0, 0]),
                              respond(0x23, CEDE | UC, 0,
                                      sense=bytes([0x10, 0, 0, 0])),
                              ccw1(0x1000, 0x23, 0, 0, 0), ssch(0x1000),
                              run(), tsch(), ccw1(0x1000, SENSE, 0, 32,
                                                  0x8000),
                              ssch(0x1000), run(), tsch()),
    'bad-command': seed(0, ccw1(0x1000, 0x00, 0, 8, 0x8000), ssch(0x1000),
                        run(), tsch()),
    'hole': seed(0, ccw1_far(0x1000, READ, 0, 16, 0x200000),
                 respond(READ, CEDE, 16), ssch(0x1000), run(), tsch()),
    'ro-read': seed(0, ccw1_far(0x1000, READ, 0, 16, 0x20000),
                    respond(READ, CEDE, 16), ssch(0x1000), run(), tsch()),
    'cpa-hole': seed(0, bytes([SSCH, 2]) + struct.pack('>III', 0, 0,
                                                     0x200000),
                     run(), tsch()),
    'unsolicited': seed(0, host(0, 0x80), run(), tsch(), host(0, CEDE),
                        run(), bytes([STORE, 3]), tsch()),
    'path-fail': seed(0, hold, ssch(0x1000), run(3), host(2, 2), run(),
                      tsch(), bytes([STORE, 4, 0x01]), host(2, 0)),
    'configure-off': seed(0, host(3, 0), host(3, 1), run(),
                          ccw1(0x1000, NOP, SLI, 1, 0), ssch(0x1000), run(),
                          tsch(), bytes([STORE, 4, 0x01]), host(3, 2)),
    'busy': seed(0, host(5, 1), ccw1(0x1000, NOP, SLI, 1, 0), ssch(0x1000),
                 run(), tsch(), ssch(0x1000), run(), tsch()),
    'fail-later': seed(0, host(6, 0), ccw1(0x1000, NOP, CC | SLI, 1, 0),
                       ccw1(0x1008, NOP, SLI, 1, 0), ssch(0x1000), run(),
                       tsch()),
    'insn-ssch': seed(0, ccw1(0x1000, NOP, SLI, 1, 0), ssch_insn(0x1000),
                      run(), bytes([STORE, 1, 0, 0x01]), func(CSCH, True),
                      run(), tsch()),
    'pci': seed(0, ccw1(0x1000, NOP, CC | PCI | SLI, 1, 0),
                respond(WRITE, CEDE, 8, hold=False),
                ccw1(0x1008, WRITE, SLI, 8, 0x8000),
                ssch(0x1000, w1_hi=0x20), run(2), tsch(), run(), tsch()),
    'msch-raw': seed(0, bytes([MSCH, 1, 0x00]) + bytes(52) + b'\x00',
                     ccw1(0x1000, NOP, SLI, 1, 0), ssch(0x1000), run(),
                     tsch()),
}

os.makedirs('corpus', exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join('corpus', 'seed-' + name), 'wb') as f:
        f.write(data)
print(len(seeds), 'seeds')
