//! A client nobody here wrote: `schema_registry_converter` registers schemas, encodes
//! a record in the Confluent wire format and decodes it again through our server.

use crate::common;

use apache_avro::types::Value;
use common::TestServer;
use schema_registry_converter::async_impl::avro::{AvroDecoder, AvroEncoder};
use schema_registry_converter::async_impl::json::{JsonDecoder, JsonEncoder};
use schema_registry_converter::async_impl::schema_registry::{
    SrSettings, get_schema_by_guid, get_schema_by_id, post_schema,
};
use schema_registry_converter::schema_registry_common::{
    SchemaType, SubjectNameStrategy, SuppliedSchema,
};

const HEARTBEAT: &str = r#"{"type":"record","name":"Heartbeat","namespace":"nl.openweb.data","fields":[{"name":"beat","type":"long"}]}"#;

on_each_store! {
    async fn avro_record_round_trips_through_the_registry() {
        let s = TestServer::start().await;
        let settings = SrSettings::new(s.base.clone());
        let encoder = AvroEncoder::new(settings.clone());
        let strategy = SubjectNameStrategy::TopicNameStrategyWithSchema(
            "heartbeat".into(),
            false,
            SuppliedSchema::new(
                Some("nl.openweb.data.Heartbeat".into()),
                SchemaType::Avro,
                HEARTBEAT.into(),
            ),
        );
        let bytes = encoder
            .encode(vec![("beat", Value::Long(3))], strategy)
            .await
            .expect("encodes, auto-registering the schema");
        // Magic byte, 4-byte id (the first id is 1), then the Avro long 3 (zigzag 6).
        assert_eq!(bytes, vec![0, 0, 0, 0, 1, 6]);
        assert_eq!(
            s.get("/subjects/heartbeat-value/versions").await.body,
            serde_json::json!([1])
        );

        let decoder = AvroDecoder::new(settings.clone());
        let decoded = decoder.decode(Some(&bytes)).await.expect("decodes");
        assert_eq!(
            decoded.value,
            Value::Record(vec![("beat".into(), Value::Long(3))])
        );

        // An encoder that only names the subject fetches the latest version.
        let by_name = AvroEncoder::new(settings);
        let again = by_name
            .encode(
                vec![("beat", Value::Long(3))],
                SubjectNameStrategy::TopicNameStrategy("heartbeat".into(), false),
            )
            .await
            .expect("encodes with the registered latest version");
        assert_eq!(again, bytes);
    }

    async fn json_schema_registers_and_fetches_by_id() {
        let s = TestServer::start().await;
        let settings = SrSettings::new(s.base.clone());
        let schema = r#"{"type":"object","properties":{"beat":{"type":"integer"}}}"#;
        let registered = post_schema(
            &settings,
            "heartbeat-json-value".into(),
            SuppliedSchema::new(None, SchemaType::Json, schema.into()),
        )
        .await
        .expect("registers a JSON schema");
        let fetched = get_schema_by_id(registered.id, &settings)
            .await
            .expect("fetches it back by id");
        assert_eq!(fetched.schema_type, SchemaType::Json);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&fetched.schema).unwrap(),
            serde_json::from_str::<serde_json::Value>(schema).unwrap()
        );
    }

    async fn json_record_round_trips_through_the_registry() {
        let s = TestServer::start().await;
        let settings = SrSettings::new(s.base.clone());
        let schema =
            r#"{"type":"object","properties":{"beat":{"type":"integer"}},"required":["beat"]}"#;
        let strategy = SubjectNameStrategy::TopicNameStrategyWithSchema(
            "pulse".into(),
            false,
            SuppliedSchema::new(None, SchemaType::Json, schema.into()),
        );
        let value = serde_json::json!({"beat": 3});
        let bytes = JsonEncoder::new(settings.clone())
            .encode(&value, strategy)
            .await
            .expect("encodes, auto-registering the JSON schema");
        assert_eq!(&bytes[..5], &[0, 0, 0, 0, 1]);
        assert_eq!(
            s.get("/subjects/pulse-value/versions/1").await.body["schemaType"],
            "JSON"
        );
        let decoded = JsonDecoder::new(settings)
            .decode(Some(&bytes))
            .await
            .expect("decodes")
            .expect("a value");
        assert_eq!(decoded.value, value);
    }

    /// A schema whose owners set metadata and rules: the crate registers it again with
    /// the same properties (and no rules, which it does not know), is answered the same
    /// id and GUID, puts the GUID in a header, and resolves it again through
    /// `/schemas/guids`; the properties it reads are the registry's. The rules it
    /// ignores are in the registry's answers.
    async fn a_contract_registered_beside_the_converter_is_read_and_resolved_by_guid() {
        let s = TestServer::start().await;
        let rules = serde_json::json!({"domainRules": [{
            "name": "beat-positive", "kind": "CONDITION", "mode": "WRITE", "type": "CEL",
            "expr": "message.beat > 0", "onFailure": "ERROR", "disabled": false
        }]});
        let owned = s
            .post(
                "/subjects/heartbeat-value/versions",
                serde_json::json!({
                    "schema": HEARTBEAT,
                    "metadata": {"properties": {"owner": "ops", "tier": "1"}},
                    "ruleSet": rules.clone()
                }),
            )
            .await;
        let owned = owned.assert_ok().clone();
        let (id, guid) = (owned["id"].as_u64().unwrap() as u32, owned["guid"].as_str().unwrap().to_owned());

        let settings = SrSettings::new(s.base.clone());
        let properties: std::collections::HashMap<String, String> =
            [("owner", "ops"), ("tier", "1")].map(|(k, v)| (k.to_owned(), v.to_owned())).into();
        let supplied = SuppliedSchema::new(
            Some("nl.openweb.data.Heartbeat".into()),
            SchemaType::Avro,
            HEARTBEAT.into(),
        )
        .with_properties(properties.clone());
        let registered = post_schema(&settings, "heartbeat-value".into(), supplied.clone())
            .await
            .expect("registers again");
        assert_eq!((registered.id, registered.guid.as_deref()), (id, Some(guid.as_str())));
        assert_eq!(
            s.get("/subjects/heartbeat-value/versions").await.body,
            serde_json::json!([1]),
            "the same properties, the rules inherited: no new version"
        );

        let (bytes, header) = AvroEncoder::new(settings.clone())
            .encode_with_header_id(
                vec![("beat", Value::Long(3))],
                SubjectNameStrategy::TopicNameStrategyWithSchema("heartbeat".into(), false, supplied),
                false,
            )
            .await
            .expect("encodes with the GUID in a header");
        assert_eq!(header.name, "__value_schema_id");
        let mut expected_header = vec![1];
        expected_header.extend(
            (0..16).map(|i| u8::from_str_radix(&guid.replace('-', "")[2 * i..2 * i + 2], 16).unwrap()),
        );
        assert_eq!(header.value, expected_header);
        assert_eq!(bytes, vec![6], "no id prefix when the id travels in a header");

        let decoded = AvroDecoder::new(settings.clone())
            .decode_with_header_id(Some(&header.value), Some(&bytes))
            .await
            .expect("decodes, resolving the GUID");
        assert_eq!(decoded.value, Value::Record(vec![("beat".into(), Value::Long(3))]));

        for fetched in [
            get_schema_by_id(id, &settings).await.expect("by id"),
            get_schema_by_guid(&guid, &settings).await.expect("by GUID"),
        ] {
            assert_eq!(fetched.schema, owned["schema"].as_str().unwrap());
            assert_eq!(fetched.properties.as_ref(), Some(&properties));
            assert_eq!(fetched.guid.as_deref(), Some(guid.as_str()));
        }
        // What the crate does not model is still in what the registry answered it.
        for path in [format!("/schemas/ids/{id}"), format!("/schemas/guids/{guid}")] {
            assert_eq!(s.get(&path).await.body["ruleSet"], rules, "{path}");
        }
    }
}
