#!/usr/bin/env python3
# Seeds for fuzz_vfu: operations (opcode byte and big-endian operands, see
# the comment at the top of fuzz_vfu.c) that a vfio-user client sends.
# The wire itself is little-endian, as vfio-user carries it.
# Run from this directory: ./gen_corpus.py (rewrites corpus/seed-*).
import json
import os
import struct

RAW, MSG, PUMP, FILL, CLOSE = range(5)
# fds riding along
NOFD, MEMFD, EVENTFD, PIPE, UNSEALED, SMALL, TWO_EFD, TEN_EFD = range(8)

VERSION, DMA_MAP, DMA_UNMAP, GET_INFO, REGION_INFO = 1, 2, 3, 4, 5
IRQ_INFO, SET_IRQS, REGION_READ, REGION_WRITE, RESET = 7, 8, 9, 10, 13
EVENTFD_TRIGGER = (1 << 2) | (1 << 5)
BOOL_TRIGGER = (1 << 1) | (1 << 5)
IOVA = 0x100000


def msg(cmd, payload=b'', fds=NOFD, flags=0):
    return bytes([MSG, cmd, flags]) + struct.pack('>H', len(payload)) + \
        payload + bytes([fds])


def raw(data, fds=NOFD):
    return bytes([RAW]) + struct.pack('>H', len(data)) + data + bytes([fds])


def fill(off, data):
    return bytes([FILL]) + struct.pack('>HB', off, len(data)) + data


def version(caps=None, major=0, minor=2):
    p = struct.pack('<HH', major, minor)
    if caps is not None:
        p += json.dumps(caps).encode() + b'\0'
    return msg(VERSION, p)


def hello():
    return version({'capabilities': {'max_msg_fds': 8, 'pgsizes': 4096}})


def dma_map(addr=IOVA, size=0x10000, off=0, flags=3, fds=MEMFD):
    return msg(DMA_MAP, struct.pack('<IIQQQ', 32, flags, off, addr, size),
               fds)


def dma_unmap(addr=IOVA, size=0x10000, flags=0):
    return msg(DMA_UNMAP, struct.pack('<IIQQ', 24, flags, addr, size))


def set_irqs(index, flags=EVENTFD_TRIGGER, count=1, data=b'', fds=EVENTFD):
    return msg(SET_IRQS, struct.pack('<IIIII', 20 + len(data), flags, index,
                                     0, count) + data, fds)


def region_read(region, off, count):
    return msg(REGION_READ, struct.pack('<QII', off, region, count))


def region_write(region, off, data):
    return msg(REGION_WRITE, struct.pack('<QII', off, region, len(data)) +
               data)


def ssch_region(cpa, intparm=0x1234):
    # ORB (format-1 CCWs, prefetch, 64-bit IDAWs, LPM 0xC0), SCSW FC start
    orb = struct.pack('>III', intparm, 0x0080C000 | 0x00400000, cpa)
    scsw = struct.pack('>III', 0x00004000, 0, 0)
    return orb + scsw + bytes(96 + 4)


def ccw(cmd, flags, count, cda):
    return struct.pack('>BBHI', cmd, flags, count, cda)


SEEDS = {
    'handshake': hello() + msg(GET_INFO, struct.pack('<IIII', 16, 0, 0, 0)),
    'infos': hello() + b''.join(
        msg(REGION_INFO, struct.pack('<IIIIQQ', 64, 0, i, 0, 0, 0))
        for i in range(5)) + b''.join(
        msg(IRQ_INFO, struct.pack('<IIII', 16, 0, i, 0)) for i in range(4)),
    'sense_id': hello() + dma_map() + set_irqs(0) +
    fill(0x1000, ccw(0xE4, 0x20, 7, IOVA + 0x8000)) +
    region_write(0, 0, ssch_region(IOVA + 0x1000)) + bytes([PUMP]) +
    region_read(0, 0, 124) + region_read(2, 0, 52) + dma_unmap(),
    'mid_io_close': hello() + dma_map() + set_irqs(0) +
    fill(0x1000, ccw(0x02, 0x20, 64, IOVA + 0x8000)) +
    region_write(0, 0, ssch_region(IOVA + 0x1000)) + bytes([CLOSE]),
    'hsch_csch': hello() + dma_map() +
    fill(0x1000, ccw(0x02, 0x20, 64, IOVA + 0x8000)) +
    region_write(0, 0, ssch_region(IOVA + 0x1000)) +
    region_write(1, 0, struct.pack('>II', 1, 0)) +
    region_write(1, 0, struct.pack('>II', 2, 0)) + region_read(3, 0, 8),
    'bad_fds': hello() + dma_map(fds=PIPE) + dma_map(fds=UNSEALED) +
    dma_map(fds=SMALL) + dma_map(fds=TWO_EFD) + dma_map(fds=NOFD) +
    set_irqs(0, fds=PIPE) + set_irqs(1, fds=TWO_EFD) +
    set_irqs(2, fds=TEN_EFD) + msg(RESET, fds=EVENTFD),
    'bad_sizes': hello() + msg(GET_INFO, b'\x10\0\0\0') +
    msg(REGION_INFO, bytes(31)) + region_read(0, 120, 8) +
    region_read(0xdeadbeef, 0, 4) + region_read(0, 0, 0) +
    msg(REGION_WRITE, struct.pack('<QII', 0, 0, 10) + b'abc'),
    'before_version': msg(GET_INFO, struct.pack('<IIII', 16, 0, 0, 0)) +
    version(major=1) + version({'capabilities': {'max_msg_fds': 'x'}}) +
    msg(VERSION, b'\0\0\2\0{') + hello() + hello(),
    'short_header': raw(b'\x01\x00\x01\x00\x08\x00\x00\x00' + bytes(8)),
    'huge_size': hello() + raw(struct.pack('<HHIII', 1, 10, 0xffffffff, 0,
                                            0)),
    'truncated': hello() + raw(struct.pack('<HHIII', 2, 2, 48, 0, 0) +
                               bytes(4), MEMFD),
    'unsolicited': hello() + msg(11, bytes(24), flags=1) +
    msg(RESET, flags=0x10) + msg(77) + msg(6, bytes(16)),
    'dma_games': hello() + dma_map() + dma_map(addr=IOVA + 0x1000,
                                               size=0x1000) +
    dma_unmap(size=0x1000) + dma_unmap(flags=2, addr=0, size=0) +
    dma_map(addr=0xfffffffffffff000, size=0x2000) + dma_map(flags=0x13),
    'irq_bool': hello() + set_irqs(0) +
    set_irqs(0, flags=BOOL_TRIGGER, data=b'\1', fds=NOFD) +
    set_irqs(0, fds=NOFD) + set_irqs(1, flags=(1 << 0) | (1 << 3),
                                    fds=NOFD),
}


def main():
    os.makedirs('corpus', exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join('corpus', 'seed-' + name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
