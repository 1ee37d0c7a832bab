"""Confluent's own Python client (confluent-kafka) against a Schemagate server.

Run by server/tests/server/python_client.rs with the server's base URL; exits non-zero
on the first expectation that fails. Covers what a producer and a consumer on data
contracts do: register with metadata and rules, read them back, find the latest version
with given metadata, serialize with the schema's GUID in a header and deserialize by it.
"""

import json
import sys

from confluent_kafka.schema_registry import (
    Metadata,
    MetadataProperties,
    MetadataTags,
    RuleParams,
    Rule,
    RuleKind,
    RuleMode,
    RuleSet,
    Schema,
    SchemaRegistryClient,
    dual_schema_id_deserializer,
    header_schema_id_serializer,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

URL = sys.argv[1]


def client():
    # A fresh client each time: its caches must not answer for the registry.
    return SchemaRegistryClient({"url": URL})


ORDER = json.dumps(
    {
        "type": "record",
        "name": "Order",
        "namespace": "shop",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "amount", "type": "double"},
        ],
    }
)
METADATA = Metadata(
    tags=MetadataTags({"Order.id": ["PII"]}),
    properties=MetadataProperties({"owner": "team-a", "application.major.version": "1"}),
    sensitive=["id"],
)
RULES = RuleSet(
    migration_rules=None,
    domain_rules=[
        Rule(
            name="checkAmount",
            doc="amounts are positive",
            kind=RuleKind.CONDITION,
            mode=RuleMode.WRITE,
            type="CEL",
            tags=None,
            params=RuleParams({"dlq.topic": "bad-orders"}),
            expr="message.amount > 0",
            on_success=None,
            on_failure="DLQ",
            disabled=False,
        )
    ],
)


def check(what, got, want):
    if got != want:
        print(f"FAILED: {what}: got {got!r}, want {want!r}", file=sys.stderr)
        sys.exit(1)


registered = client().register_schema_full_response(
    "orders-value", Schema(ORDER, "AVRO", metadata=METADATA, rule_set=RULES)
)
check("a GUID in the register answer", len(registered.guid or ""), 36)

latest = client().get_latest_version("orders-value")
check("latest id", latest.schema_id, registered.schema_id)
check("latest guid", latest.guid, registered.guid)
check("metadata properties", latest.schema.metadata.properties.properties,
      {"owner": "team-a", "application.major.version": "1"})
check("metadata tags", latest.schema.metadata.tags.tags, {"Order.id": ["PII"]})
check("sensitive", latest.schema.metadata.sensitive, ["id"])
rule = latest.schema.rule_set.domain_rules[0]
check("rule", (rule.name, rule.kind, rule.mode, rule.type, rule.expr, rule.on_failure,
               rule.params.params if hasattr(rule.params, "params") else rule.params),
      ("checkAmount", RuleKind.CONDITION, RuleMode.WRITE, "CEL", "message.amount > 0", "DLQ",
       {"dlq.topic": "bad-orders"}))

by_guid = client().get_schema_by_guid(registered.guid)
check("by GUID: metadata", by_guid.metadata.properties.properties["owner"], "team-a")
check("by GUID: rules", by_guid.rule_set.domain_rules[0].name, "checkAmount")

with_metadata = client().get_latest_with_metadata(
    "orders-value", {"application.major.version": "1"}
)
check("latest with metadata", with_metadata.version, latest.version)

# A producer re-registering the bare schema at start inherits the contract: same id.
again = client().register_schema_full_response("orders-value", Schema(ORDER, "AVRO"))
check("re-registered without metadata", again.schema_id, registered.schema_id)
looked_up = client().lookup_schema("orders-value", Schema(ORDER, "AVRO"))
check("lookup without metadata", looked_up.version, latest.version)

# Other metadata: a new version with a new id.
other = Metadata(
    tags=None,
    properties=MetadataProperties({"owner": "team-b", "application.major.version": "2"}),
    sensitive=None,
)
second = client().register_schema_full_response(
    "orders-value", Schema(ORDER, "AVRO", metadata=other, rule_set=RULES)
)
check("other metadata, new id", second.schema_id != registered.schema_id, True)
check("major version 1 still found",
      client().get_latest_with_metadata("orders-value", {"application.major.version": "1"}).version,
      latest.version)

# The schema id travels as a GUID in a header; a consumer resolves it.
PAYMENT = json.dumps(
    {"type": "record", "name": "Payment", "namespace": "shop",
     "fields": [{"name": "id", "type": "string"}]}
)
serializer = AvroSerializer(
    client(), PAYMENT,
    conf={"auto.register.schemas": True, "schema.id.serializer": header_schema_id_serializer},
)
headers = []
payload = serializer({"id": "payment-000001"}, SerializationContext("payments", MessageField.VALUE, headers))
check("the GUID header", len(headers), 1)
deserializer = AvroDeserializer(client(), conf={"schema.id.deserializer": dual_schema_id_deserializer})
check("deserialized by GUID",
      deserializer(payload, SerializationContext("payments", MessageField.VALUE, headers)),
      {"id": "payment-000001"})
print("ok")
