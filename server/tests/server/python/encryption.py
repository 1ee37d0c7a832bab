"""Client-side field-level encryption with Confluent's Python client against Schemagate.

Run by server/tests/server/python_client.rs with the server's base URL; exits non-zero on
the first expectation that fails. A producer registers an Avro schema whose `ssn` field
is tagged PII with an ENCRYPT rule on that tag, serializes a record with the local KMS
(the client creates the KEK and a DEK it wraps itself in Schemagate's DEK registry), and
a consumer deserializes it back. The serialized bytes must not contain the plaintext,
and the registry must hold the KEK and the DEK with only its wrapped key material.
"""

import json
import subprocess
import sys
import urllib.parse
import urllib.request

from confluent_kafka.schema_registry import (
    Rule,
    RuleKind,
    RuleMode,
    RuleParams,
    RuleSet,
    Schema,
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.rules.encryption.encrypt_executor import FieldEncryptionExecutor
from confluent_kafka.schema_registry.rules.encryption.localkms.local_driver import LocalKmsDriver
from confluent_kafka.serialization import MessageField, SerializationContext

URL = sys.argv[1]
TOPIC = "customers"
SUBJECT = f"{TOPIC}-value"
KEK = "schemagate-local-kek"
SECRET = "schemagate test secret, not a real one"
SSN = "123-45-6789-plaintext"

FieldEncryptionExecutor.register()
LocalKmsDriver.register()

if len(sys.argv) > 2 and sys.argv[2] == "consume":
    # A consumer in a process of its own, so that no cache of the producer's answers
    # for the registry: the KEK and the DEK come from Schemagate.
    consumer = AvroDeserializer(SchemaRegistryClient({"url": URL}), rule_conf={"secret": sys.argv[4]})
    print(json.dumps(consumer(bytes.fromhex(sys.argv[3]), SerializationContext(sys.argv[5], MessageField.VALUE))))
    sys.exit(0)


def check(what, got, want):
    if got != want:
        print(f"FAILED: {what}: got {got!r}, want {want!r}", file=sys.stderr)
        sys.exit(1)


def get(path):
    with urllib.request.urlopen(URL + path) as answer:
        return json.loads(answer.read())


def client():
    # A fresh client each time: its caches must not answer for the registry.
    return SchemaRegistryClient({"url": URL})


CUSTOMER = json.dumps(
    {
        "type": "record",
        "name": "Customer",
        "namespace": "shop",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "ssn", "type": "string", "confluent:tags": ["PII"]},
        ],
    }
)
RULES = RuleSet(
    migration_rules=None,
    domain_rules=[
        Rule(
            name="encryptPII",
            doc=None,
            kind=RuleKind.TRANSFORM,
            mode=RuleMode.WRITEREAD,
            type="ENCRYPT",
            tags=["PII"],
            params=RuleParams(
                {
                    "encrypt.kek.name": KEK,
                    "encrypt.kms.type": "local-kms",
                    "encrypt.kms.key.id": "mykey",
                }
            ),
            expr=None,
            on_success=None,
            on_failure="ERROR,NONE",
            disabled=False,
        )
    ],
)

client().register_schema(SUBJECT, Schema(CUSTOMER, "AVRO", rule_set=RULES))

ctx = SerializationContext(TOPIC, MessageField.VALUE)
serializer = AvroSerializer(
    client(),
    CUSTOMER,
    conf={"auto.register.schemas": False, "use.latest.version": True},
    rule_conf={"secret": SECRET},
)
record = {"id": "c-1", "ssn": SSN}
# The serializer encrypts the fields of the dict it is given: hand it a copy.
payload = serializer(dict(record), ctx)
check("the plaintext is not in the serialized bytes", SSN.encode() in payload, False)
check("the unencrypted field is", b"c-1" in payload, True)

deserializer = AvroDeserializer(client(), rule_conf={"secret": SECRET})
check("deserialized and decrypted", deserializer(payload, ctx), record)
consumed = subprocess.run(
    [sys.executable, __file__, URL, "consume", payload.hex(), SECRET, TOPIC],
    capture_output=True, text=True, check=False,
)
check("a consumer process of its own ran", (consumed.returncode, consumed.stderr), (0, ""))
check("a consumer process of its own decrypts", json.loads(consumed.stdout), record)

kek = get(f"/dek-registry/v1/keks/{KEK}")
check("the KEK's name", kek["name"], KEK)
check("the KEK's KMS", (kek["kmsType"], kek["kmsKeyId"], kek["shared"]), ("local-kms", "mykey", False))
check("KEKs", get("/dek-registry/v1/keks"), [KEK])
check("DEK subjects", get(f"/dek-registry/v1/keks/{KEK}/deks"), [SUBJECT])
quoted = urllib.parse.quote(SUBJECT, safe="")
dek = get(f"/dek-registry/v1/keks/{KEK}/deks/{quoted}/versions/latest")
check("the DEK's subject and version", (dek["subject"], dek["version"], dek["algorithm"]),
      (SUBJECT, 1, "AES256_GCM"))
check("the DEK has wrapped key material", bool(dek.get("encryptedKeyMaterial")), True)
check("the DEK has no plaintext key material", "keyMaterial" in dek, False)
print("ok")
