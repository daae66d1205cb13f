#!/usr/bin/python3
"""Independent reader of a TensorBoard event file, for mtrec's tests.

Checks the TFRecord framing of every record with python3-crc32c (masked
CRC-32C of the length and of the data), decodes each Event with
`protoc --decode` and tfevents_min.proto, and prints one line per record:
    file_version <version>
    scalar <step> <simple_value as protoc prints it> <tag>
Exits non-zero on the first framing, CRC or decoding error, or when a tool is
missing (the tests must fail, not skip, without protoc or crc32c).

usage: check_tfevents.py EVENT_FILE PROTO_DIR
"""
import re
import struct
import subprocess
import sys

import crc32c


def masked(data):
    crc = crc32c.crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def decode(payload, proto_dir):
    result = subprocess.run(
        ["protoc", "-I", proto_dir, "--decode=tbmin.Event", "tfevents_min.proto"],
        input=payload, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def main():
    path, proto_dir = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    off = 0
    index = 0
    while off < len(data):
        if off + 12 > len(data):
            sys.exit("record %d: truncated header" % index)
        header = data[off:off + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[off + 8:off + 12])
        if length_crc != masked(header):
            sys.exit("record %d: bad length crc" % index)
        payload = data[off + 12:off + 12 + length]
        footer = data[off + 12 + length:off + 16 + length]
        if len(payload) != length or len(footer) != 4:
            sys.exit("record %d: truncated data" % index)
        if struct.unpack("<I", footer)[0] != masked(payload):
            sys.exit("record %d: bad data crc" % index)
        text = decode(payload, proto_dir)
        version = re.search(r'^file_version: "(.*)"$', text, re.M)
        if version:
            print("file_version", version.group(1))
        else:
            step = re.search(r"^step: (\d+)$", text, re.M)
            values = re.findall(r'tag: "(.*)"\s*simple_value: (\S+)', text)
            if len(values) != 1 or "wall_time:" not in text:
                sys.exit("record %d: expected one scalar, got:\n%s" % (index, text))
            tag, value = values[0]
            print("scalar", step.group(1) if step else "0", value, tag)
        off += 16 + length
        index += 1
    print("records", index)


if __name__ == "__main__":
    main()
