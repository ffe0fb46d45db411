#!/usr/bin/python3
"""rbc-patch.py — hand-edit a compiled .rbc file and re-seal its checksum.

The verifier must refuse an edited file on its own merits, not because the
SHA-256 trailer no longer matches: this tool changes fields the way an
attacker with a hex editor would, then writes a fresh checksum.

    rbc-patch.py IN.rbc OUT.rbc EDIT...

Each EDIT is TAG:INDEX:OFFSET=VALUE[:SIZE]: in section TAG (docs/bytecode.md),
record INDEX, the field at byte OFFSET within the record gets VALUE, written
little-endian in SIZE bytes (u8, u32 — the default — or i64).  VALUE is an
integer, or `none` for 0xFFFFFFFF.  The NUMS record N is set to a rational
with NUMS:N=NUM/DEN.
"""
import hashlib
import struct
import sys

# Record sizes of the fixed-size sections, in file order (bytecode.c).
SIZES = {"HEAD": 37, "NUMS": 16, "STRS": None, "OPTS": 12, "CSET": 9, "SLOT": 23,
         "INPT": 28, "RATR": 14, "ITEM": 30, "SECT": 25, "CHLD": 5, "UNIT": 29,
         "ARMS": 17, "BAND": 8, "GRAD": 8, "CODE": 1, "HIST": 12, "DRUL": 13,
         "DGRD": 4, "SRCE": 8}
FORMATS = {"u8": "<B", "u32": "<I", "i64": "<q"}


def records(data):
    """Maps each tag to the file offsets of its records."""
    at, out = 16, {}
    while at < len(data) - 32:
        tag = data[at:at + 4].decode("ascii")
        count = struct.unpack_from("<I", data, at + 4)[0]
        at += 8
        offsets = []
        for _ in range(count):
            offsets.append(at)
            size = SIZES[tag]
            at += 4 + struct.unpack_from("<I", data, at)[0] if size is None else size
        out[tag] = offsets
    return out


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    data = bytearray(open(argv[1], "rb").read())
    table = records(bytes(data))
    for edit in argv[3:]:
        where, value = edit.split("=", 1)
        parts = where.split(":")
        if parts[0] == "NUMS" and "/" in value:
            num, den = (int(x) for x in value.split("/"))
            struct.pack_into("<qq", data, table["NUMS"][int(parts[1])], num, den)
            continue
        size = "u32"
        if ":" in value:
            value, size = value.split(":")
        v = 0xFFFFFFFF if value == "none" else int(value)
        struct.pack_into(FORMATS[size], data, table[parts[0]][int(parts[1])] + int(parts[2]), v)
    body = bytes(data[:-32])
    open(argv[2], "wb").write(body + hashlib.sha256(body).digest())


if __name__ == "__main__":
    main(sys.argv)
