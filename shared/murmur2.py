"""Kafka's key hash (murmur2, as the Java client and aiokafka's default partitioner compute
it), about twice as fast as aiokafka's byte-by-byte version: the key's 4-byte words are
read in one unpack. Relays hash the key of every message they send."""

import struct
from functools import cache

_SEED = 0x9747B28C
_MIX = 0x5BD1E995
_MASK = 0xFFFFFFFF


@cache
def _words(count: int) -> struct.Struct:
    return struct.Struct(f"<{count}I")


def murmur2(data: bytes) -> int:
    length = len(data)
    hashed = _SEED ^ length
    for word in _words(length >> 2).unpack_from(data):
        word = (word * _MIX) & _MASK
        word = ((word ^ (word >> 24)) * _MIX) & _MASK
        hashed = ((hashed * _MIX) & _MASK) ^ word
    tail = length & 3
    if tail:
        rest = data[length - tail :]
        if tail == 3:
            hashed ^= rest[2] << 16
        if tail >= 2:
            hashed ^= rest[1] << 8
        hashed = ((hashed ^ rest[0]) * _MIX) & _MASK
    hashed = ((hashed ^ (hashed >> 13)) * _MIX) & _MASK
    return hashed ^ (hashed >> 15)
