//! A client nobody here wrote: `schema_registry_converter` registers schemas, encodes
//! a record in the Confluent wire format and decodes it again through our server.

use crate::common;

use apache_avro::types::Value;
use common::TestServer;
use schema_registry_converter::async_impl::avro::{AvroDecoder, AvroEncoder};
use schema_registry_converter::async_impl::json::{JsonDecoder, JsonEncoder};
use schema_registry_converter::async_impl::schema_registry::{
    SrSettings, get_schema_by_id, post_schema,
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
}
