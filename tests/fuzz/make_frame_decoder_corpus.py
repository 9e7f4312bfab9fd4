#!/usr/bin/env python3
"""Writes the seed corpus of the frame decoder fuzzer.

Each seed is one fuzz input: byte 0 selects the decoder's options (see
kFrameLimits and kVersionRanges in frame_decoder_fuzz_body.cc: limit index =
byte % 5, version range index = (byte // 5) % 2), the rest is a byte stream
of frames as docs/protocol.md describes them. The encoding is spelled out by
hand here, independently of the C++ encoder, so that the seeds also check the
documented format. Run it from anywhere; it rewrites
corpus/frame_decoder/ beside this script.
"""

import os
import struct

# Option selectors (byte 0).
LIMIT_16 = 1
LIMIT_300 = 2
DEFAULT = 4              # default limit, versions 1..1
DEFAULT_VERSIONS_1_3 = 9  # default limit, versions 1..3

# MessageKind values from proto/envelope.proto.
HELLO = 1
PUT_REQUEST = 10
GET_REQUEST = 12
RAFT_MESSAGE = 40


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, data):
    return varint((number << 3) | 2) + varint(len(data)) + data


def envelope(version, kind, payload=b"", lamport=1, request_id=1):
    return (field_varint(1, version) + field_varint(2, lamport) +
            field_varint(3, request_id) + field_varint(4, kind) +
            field_bytes(5, payload))


def frame(version, body):
    return struct.pack(">IH", 2 + len(body), version) + body


def hello_payload():
    # Hello{role: ROLE_CLIENT, min_version: 1, max_version: 1,
    #       cluster_id: "quokka-test", client_id: 77}
    return (field_varint(1, 1) + field_varint(2, 1) + field_varint(3, 1) +
            field_bytes(4, b"quokka-test") + field_varint(6, 77))


def main():
    good_hello = frame(1, envelope(1, HELLO, hello_payload()))
    good_put = frame(1, envelope(1, PUT_REQUEST, b"\x12\x03key\x1a\x05value",
                                 lamport=5, request_id=2))
    good_get = frame(1, envelope(1, GET_REQUEST, b"\x12\x03key",
                                 lamport=6, request_id=3))
    seeds = {
        "hello": bytes([DEFAULT]) + good_hello,
        "session": bytes([DEFAULT]) + good_hello + good_put + good_get,
        "raft_empty_payload": bytes([DEFAULT]) +
        frame(1, envelope(1, RAFT_MESSAGE, lamport=9, request_id=0)),
        "version_2_accepted": bytes([DEFAULT_VERSIONS_1_3]) +
        frame(2, envelope(2, GET_REQUEST, b"\x12\x01k")),
        "zero_length": bytes([DEFAULT]) + good_put + struct.pack(">I", 0),
        "too_short_for_version": bytes([DEFAULT]) + struct.pack(">IB", 1, 0),
        "oversize_prefix": bytes([DEFAULT]) + struct.pack(">IH", 0xFFFFFFFF, 1)
        + b"\x00" * 64,
        "oversize_for_small_limit": bytes([LIMIT_300]) +
        frame(1, envelope(1, PUT_REQUEST, b"v" * 400)),
        "over_tiny_limit": bytes([LIMIT_16]) + good_get,
        "unsupported_version": bytes([DEFAULT]) +
        frame(7, envelope(7, GET_REQUEST)),
        "garbage_body": bytes([DEFAULT]) + frame(1, b"\x07\xff\xff\xffjunk"),
        "version_mismatch": bytes([DEFAULT_VERSIONS_1_3]) +
        frame(2, envelope(1, GET_REQUEST)),
        "no_kind": bytes([DEFAULT]) + frame(1, field_varint(1, 1) +
                                            field_bytes(5, b"x")),
        "truncated": bytes([DEFAULT]) + good_hello + good_put[:-3],
    }
    directory = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "corpus", "frame_decoder")
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        os.remove(os.path.join(directory, name))
    for name, data in sorted(seeds.items()):
        with open(os.path.join(directory, name), "wb") as out:
            out.write(data)


if __name__ == "__main__":
    main()
