#!/usr/bin/env python3
"""Writes the hand-made seeds of the server fuzz targets into ../corpus/<target>/,
each named by its SHA-1 as cargo-fuzz names corpus files. Run it again after editing;
files it wrote before keep their names, and minimised crashes added by hand stay."""
import hashlib
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "corpus")

AVRO = json.dumps({"type": "record", "name": "Order", "namespace": "shop",
                   "fields": [{"name": "id", "type": "long"},
                              {"name": "note", "type": ["null", "string"], "default": None}]})
AVRO2 = json.dumps({"type": "record", "name": "Order", "namespace": "shop",
                    "fields": [{"name": "id", "type": "long"}]})
JSONS = json.dumps({"type": "object", "properties": {"id": {"type": "integer"}},
                    "required": ["id"], "additionalProperties": False})


def req(method, target, body=b"", headers=()):
    out = f"{method} {target}\n".encode()
    for name, value in headers:
        out += f"{name}: {value}\n".encode()
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    return out + b"\n" + body


def schema(text, **extra):
    return dict({"schema": text}, **extra)


SINGLE = [
    req("GET", "/"),
    req("GET", "/health"),
    req("GET", "/metrics", headers=[("Accept", "text/plain")]),
    req("GET", "/contexts"),
    req("GET", "/v1/metadata/id"),
    req("GET", "/schemas?subjectPrefix=o&deleted=true&latestOnly=TRUE&offset=1&limit=2"),
    req("GET", "/schemas/types"),
    req("GET", "/schemas/ids/1"),
    req("GET", "/schemas/ids/1/schema"),
    req("GET", "/schemas/ids/1/subjects?deleted=true"),
    req("GET", "/schemas/ids/1/versions"),
    req("GET", "/schemas/ids/%31"),
    req("GET", "/subjects?deletedOnly=true&subjectPrefix=%6F"),
    req("GET", "/subjects/orders-value/versions"),
    req("GET", "/subjects/orders-value/versions/latest?deleted=true"),
    req("GET", "/subjects/orders-value/versions/-1/schema"),
    req("GET", "/subjects/orders-value/versions/1/referencedby"),
    req("GET", "/subjects/a%2Fb/versions/1/"),
    req("GET", "/subjects/%FF/versions/1"),
    req("HEAD", "/subjects/orders-value/versions/1"),
    req("POST", "/subjects/orders-value/versions?normalize=true", schema(AVRO)),
    req("POST", "/subjects/orders-value", schema(AVRO), [("Accept", "application/json")]),
    req("POST", "/subjects/orders-value/versions", schema(JSONS, schemaType="JSON")),
    req("POST", "/subjects/orders-value/versions", "  \n"),
    req("POST", "/subjects/orders-value/versions", "{\"schema\": 1}"),
    req("POST", "/subjects/orders-value/versions", "[" * 200),
    req("POST", "/compatibility/subjects/orders-value/versions?verbose=true", schema(AVRO2)),
    req("POST", "/compatibility/subjects/orders-value/versions/latest", schema(AVRO2)),
    req("PUT", "/config", {"compatibility": "FULL_TRANSITIVE"}),
    req("PUT", "/config/orders-value", {"compatibilityLevel": "none"}),
    req("GET", "/config/orders-value?defaultToGlobal=true"),
    req("DELETE", "/config"),
    req("PUT", "/mode", {"mode": "READONLY"}),
    req("PUT", "/mode/orders-value?force=true", {"mode": "IMPORT"}),
    req("DELETE", "/mode/orders-value"),
    req("DELETE", "/subjects/orders-value?permanent=true"),
    req("DELETE", "/subjects/orders-value/versions/1?permanent=true"),
    req("PATCH", "/subjects"),
    req("GET", "/subjects/orders-value", headers=[("Authorization", "Basic YWxpY2U6c2VjcmV0")]),
    req("GET", "/subjects", headers=[("Authorization", "Bearer abc")]),
    req("GET", "//subjects//"),
    req("GET", "http://localhost:8081/subjects/x/versions/1?deleted=true"),
    req("GET", "*"),
]

SEQUENCES = [
    # Register, read it every way, look it up, evolve, delete.
    [req("POST", "/subjects/orders-value/versions", schema(AVRO2)),
     req("GET", "/subjects/orders-value/versions/1"),
     req("GET", "/schemas/ids/1"),
     req("POST", "/subjects/orders-value", schema(AVRO2)),
     req("POST", "/subjects/orders-value/versions", schema(AVRO)),
     req("GET", "/subjects/orders-value/versions/latest"),
     req("DELETE", "/subjects/orders-value/versions/1"),
     req("GET", "/subjects/orders-value/versions?deleted=true")],
    # JSON Schema and a compatibility check.
    [req("POST", "/subjects/j/versions", schema(JSONS, schemaType="JSON")),
     req("POST", "/compatibility/subjects/j/versions/1?verbose=true",
         schema(json.dumps({"type": "object"}), schemaType="JSON")),
     req("GET", "/schemas?subjectPrefix=j")],
    # References.
    [req("POST", "/subjects/base/versions",
         schema(json.dumps({"type": "record", "name": "Base", "fields": []}))),
     req("POST", "/subjects/top/versions",
         schema(json.dumps({"type": "record", "name": "Top",
                            "fields": [{"name": "b", "type": "Base"}]}),
                references=[{"name": "Base", "subject": "base", "version": 1}])),
     req("GET", "/subjects/base/versions/1/referencedby"),
     req("DELETE", "/subjects/base"),
     req("GET", "/schemas/ids/2/schema")],
    # Import mode keeps ids and versions.
    [req("PUT", "/mode", {"mode": "IMPORT"}),
     req("POST", "/subjects/i/versions", schema('"string"', id=7, version=3)),
     req("GET", "/subjects/i/versions/3"),
     req("PUT", "/mode", {"mode": "READWRITE"}),
     req("POST", "/subjects/i/versions", schema('"string"'))],
    # Soft and permanent deletes, read-only mode.
    [req("POST", "/subjects/s/versions", schema('"int"')),
     req("DELETE", "/subjects/s"),
     req("GET", "/subjects?deleted=true"),
     req("DELETE", "/subjects/s?permanent=true"),
     req("PUT", "/mode/s", {"mode": "READONLY"}),
     req("POST", "/subjects/s/versions", schema('"int"'))],
    # Percent-encoded and trailing-slash spellings of the hot routes.
    [req("POST", "/subjects/a%2Fb/versions/", schema('"long"')),
     req("GET", "/subjects/a%2Fb/versions/1/"),
     req("POST", "/subjects/x/versions", schema('"long"')),
     req("GET", "/subjects/x/versions/1"),
     req("GET", "/subjects/%78/versions/latest/"),
     req("GET", "/schemas/ids/1/"),
     req("POST", "/subjects/x/", schema('"long"'))],
    # Over the body limit, and config of a subject.
    [req("POST", "/subjects/big/versions", schema('"' + "x" * 5000 + '"')),
     req("PUT", "/config/big", {"compatibility": "FORWARD"}),
     req("GET", "/config/big"),
     req("DELETE", "/config/big")],
]


def records(items):
    out = b""
    for tree, key, value in items:
        if isinstance(value, str):
            value = value.encode()
        out += bytes([tree, len(key)]) + key + struct.pack(">H", len(value)) + value
    return out


def vkey(subject, version):
    return subject.encode() + b"\0" + struct.pack(">I", version & 0xFFFFFFFF)


def stored(text, schema_type="AVRO", refs=None):
    doc = {"schema_type": schema_type, "schema": text}
    if refs:
        doc["references"] = refs
    return json.dumps(doc)


ID1, ID2 = struct.pack(">I", 1), struct.pack(">I", 2)
GOOD = [
    (0, ID1, stored('"string"')),
    (0, ID2, stored(AVRO2)),
    (1, b"\x11" * 32, ID1),
    (2, vkey("a", 1), ID1 + b"\0"),
    (2, vkey("a", 2), ID2 + b"\0"),
    (3, ID1 + vkey("a", 1), b"\0"),
    (3, ID2 + vkey("a", 2), b"\0"),
    (5, b"\0", "BACKWARD"),
    (5, b"\1a", "NONE"),
    (6, b"\0", "READWRITE"),
    (7, b"next_id", struct.pack(">I", 3)),
]
STORES = [
    GOOD,
    # A version record of the wrong length, a key too short to split.
    GOOD + [(2, vkey("a", 3), b"\0\0"), (2, b"a\0", ID1 + b"\0")],
    # A version pointing at an id with no schema; a schema that is not JSON.
    [(2, vkey("b", 1), struct.pack(">I", 9) + b"\1"), (3, struct.pack(">I", 9) + vkey("b", 1), b"\1"),
     (0, struct.pack(">I", 9), b"{not json")],
    # A stored schema whose text does not parse, used by a live version.
    [(0, ID1, stored("{\"type\":")), (2, vkey("c", 1), ID1 + b"\0"), (3, ID1 + vkey("c", 1), b"")],
    # A JSON schema with a reference to a version that is not there.
    [(0, ID1, stored(JSONS, "JSON", [{"name": "x.json", "subject": "gone", "version": 4}])),
     (2, vkey("d", 1), ID1 + b"\0"), (4, vkey("gone", 4) + ID1, b"")],
    # Corrupt config, mode and counter; an id index key shorter than an id.
    [(5, b"\0", "SIDEWAYS"), (6, b"\1a", b"\xff\xfe"), (7, b"next_id", b"\1\2"), (3, b"\0\0", b"")],
    # Negative and huge versions, a subject with invalid UTF-8.
    [(2, vkey("e", -5), ID1 + b"\1"), (2, vkey("e", 0x7FFFFFFF), ID1 + b"\0"),
     (2, b"\xff\xfe\0\0\0\0\1", ID1 + b"\0"), (0, ID1, stored('"int"'))],
]


def write(target, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


for r in SINGLE:
    write("request_parse", r)
    write("app_requests", r)
for seq in SEQUENCES:
    write("app_requests", b"\0".join(seq))
    for r in seq:
        write("request_parse", r)
for items in STORES:
    write("store_records", records(items))
