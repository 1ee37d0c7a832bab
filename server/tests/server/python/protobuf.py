"""Confluent's Python client producing and consuming Protobuf through a Schemagate server.

Run by server/tests/server/python_client.rs with the server's base URL and the path of a
FileDescriptorSet the Rust test compiled with schemagate-core (no protoc): the order
file, the customer file it imports, and google/protobuf/timestamp.proto. Exits non-zero
on the first expectation that fails.

Checks what the client really does: ProtobufSerializer registers the imported file
under its path as a reference subject and the order under the topic's subject, both as
base64 descriptors; the registry answers them as .proto text; ProtobufDeserializer
fetches the writer schema and its references with format=serialized, builds a pool
from them and decodes the message, which must equal the one sent.
"""

import base64
import json
import sys
import urllib.parse
import urllib.request

from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.message_factory import GetMessageClass

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

URL = sys.argv[1]
DESCRIPTORS = sys.argv[2]
ORDER_FILE = "shop/order.proto"
CUSTOMER_FILE = "shop/customer.proto"
TOPIC = "orders-topic"
SUBJECT = TOPIC + "-value"


def expect(condition, what):
    if not condition:
        raise SystemExit("FAILED: " + what)


def get(path):
    with urllib.request.urlopen(URL + path) as answer:
        return json.loads(answer.read())


def message_classes():
    """The order's message class, from the descriptor set, files added imports first."""
    with open(DESCRIPTORS, "rb") as f:
        files = descriptor_pb2.FileDescriptorSet.FromString(f.read()).file
    by_name = {}
    for file in files:
        # schemagate-core names the schema itself "default", as Confluent does; a real
        # application's file has a path.
        if file.name == "default":
            file.name = ORDER_FILE
        by_name[file.name] = file
    expect(set(by_name) >= {ORDER_FILE, CUSTOMER_FILE, "google/protobuf/timestamp.proto"},
           "the descriptor set has the order, the customer and Timestamp: %s" % sorted(by_name))
    pool = descriptor_pool.DescriptorPool()
    added = set()

    def add(name):
        if name in added:
            return
        for dep in by_name[name].dependency:
            add(dep)
        pool.Add(by_name[name])
        added.add(name)

    for name in by_name:
        add(name)
    return GetMessageClass(pool.FindMessageTypeByName("shop.Order"))


def recording(client):
    """Records the client's requests: (method, url, body or query)."""
    calls = []
    rest = client._rest_client
    post, get_ = rest.post, rest.get

    def recorded_post(url, body, *args, **kwargs):
        calls.append(("POST", url, body))
        return post(url, body, *args, **kwargs)

    def recorded_get(url, query=None, *args, **kwargs):
        calls.append(("GET", url, dict(query or {})))
        return get_(url, query, *args, **kwargs)

    rest.post, rest.get = recorded_post, recorded_get
    return calls


def is_descriptor(text, name):
    """Whether `text` is a base64 FileDescriptorProto (not .proto text) of a file that
    declares message `name`."""
    try:
        proto = descriptor_pb2.FileDescriptorProto.FromString(base64.standard_b64decode(text))
    except Exception:  # noqa: BLE001 - anything undecodable is simply not a descriptor
        return False
    return any(m.name == name for m in proto.message_type)


def main():
    Order = message_classes()
    sent = Order(id="o-1", quantity=3)
    sent.customer.name = "Ada"
    sent.customer.since.seconds = 1_700_000_000
    sent.placed.seconds = 1_760_000_000
    sent.placed.nanos = 500_000_000
    ctx = SerializationContext(TOPIC, MessageField.VALUE)

    # Produce: the serializer registers the import, then the order.
    producer_client = SchemaRegistryClient({"url": URL})
    calls = recording(producer_client)
    serializer = ProtobufSerializer(Order, producer_client, {"use.deprecated.format": False})
    data = serializer(sent, ctx)
    expect(data[0] == 0, "magic byte")
    # The client puts its query (normalize=...) into the URL of a POST.
    registrations = [
        (url.split("?")[0], body)
        for (method, url, body) in calls
        if method == "POST" and url.split("?")[0].endswith("/versions")
    ]
    expect(len(registrations) == 2, "two registrations: %s" % calls)
    (ref_url, ref_body), (main_url, main_body) = registrations
    expect(ref_url == "subjects/%s/versions" % urllib.parse.quote(CUSTOMER_FILE, safe=""),
           "the import is registered under its path: %s" % ref_url)
    expect(ref_body["schemaType"] == "PROTOBUF", "typed PROTOBUF: %s" % ref_body)
    expect(is_descriptor(ref_body["schema"], "Customer"), "the import is sent as base64: %s" % ref_body)
    expect(main_url == "subjects/%s/versions" % SUBJECT, main_url)
    expect(is_descriptor(main_body["schema"], "Order"), "the order is sent as base64: %s" % main_body)
    expect(main_body["references"] == [{"name": CUSTOMER_FILE, "subject": CUSTOMER_FILE, "version": 1}],
           "the order references the import by path: %s" % main_body)

    # The registry answers .proto text for what was sent as base64.
    version = get("/subjects/%s/versions/1" % SUBJECT)
    expect(version["schemaType"] == "PROTOBUF", str(version))
    expect("message Order" in version["schema"] and not is_descriptor(version["schema"], "Order"),
           "stored as .proto text: %s" % version["schema"])
    expect("import \"%s\"" % CUSTOMER_FILE in version["schema"], version["schema"])
    expect("google/protobuf/timestamp.proto" in version["schema"], version["schema"])
    customer = get("/subjects/%s/versions/1" % urllib.parse.quote(CUSTOMER_FILE, safe=""))
    expect("message Customer" in customer["schema"], str(customer))
    schema_id = version["id"]
    expect(int.from_bytes(data[1:5], "big") == schema_id, "the record carries the id")

    # Consume with a fresh client: the writer schema and its import come back as
    # base64 descriptors (format=serialized), which the deserializer compiles.
    consumer_client = SchemaRegistryClient({"url": URL})
    calls = recording(consumer_client)
    deserializer = ProtobufDeserializer(Order, {"use.deprecated.format": False}, consumer_client)
    received = deserializer(data, ctx)
    expect(received == sent, "decoded %s, sent %s" % (received, sent))
    expect(received.SerializeToString() == sent.SerializeToString(), "same bytes")
    fetched = [(url, query) for (method, url, query) in calls if method == "GET"]
    expect(any(url == "schemas/ids/%d" % schema_id and query.get("format") == "serialized" for url, query in fetched),
           "the writer schema is fetched with format=serialized: %s" % fetched)
    expect(any(url.startswith("subjects/%s/versions/" % urllib.parse.quote(CUSTOMER_FILE, safe=""))
               and query.get("format") == "serialized" for url, query in fetched),
           "the import is fetched with format=serialized: %s" % fetched)

    # The writer schema the registry serves decodes the record on its own too.
    writer = consumer_client.get_schema(schema_id, fmt="serialized")
    expect(is_descriptor(writer.schema_str, "Order"), writer.schema_str)
    pool = descriptor_pool.DescriptorPool()
    from confluent_kafka.schema_registry.common.protobuf import _init_pool
    _init_pool(pool)
    ref = consumer_client.get_version(CUSTOMER_FILE, 1, True, "serialized")
    ref_proto = descriptor_pb2.FileDescriptorProto.FromString(base64.standard_b64decode(ref.schema.schema_str))
    ref_proto.name = CUSTOMER_FILE
    pool.Add(ref_proto)
    main_proto = descriptor_pb2.FileDescriptorProto.FromString(base64.standard_b64decode(writer.schema_str))
    main_proto.name = "default"
    pool.Add(main_proto)
    WriterOrder = GetMessageClass(pool.FindMessageTypeByName("shop.Order"))
    decoded = WriterOrder.FromString(data[6:])  # magic, id, message index [0]
    expect(decoded.SerializeToString() == sent.SerializeToString(), "the served descriptor decodes the record")
    expect(decoded.customer.name == "Ada" and decoded.placed.nanos == 500_000_000, str(decoded))

    # The same schema again with normalize.schemas: the same id, no new version.
    again_client = SchemaRegistryClient({"url": URL})
    normalizing = ProtobufSerializer(Order, again_client, {"use.deprecated.format": False, "normalize.schemas": True})
    again = normalizing(sent, ctx)
    expect(again == data, "normalize.schemas finds the same id")
    expect(get("/subjects/%s/versions" % SUBJECT) == [1], "no new version")
    print("ok: protobuf produced and consumed through the registry, schema id %d" % schema_id)


main()
