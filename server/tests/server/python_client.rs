//! Confluent's Python client (`confluent-kafka`, pinned in `.ci/run`) against the
//! server: data contracts and GUIDs as a producer and a consumer use them
//! (`python/contracts.py`), and client-side field-level encryption with the DEK
//! registry and the client's local KMS (`python/encryption.py`), and Protobuf produced
//! and consumed with its `ProtobufSerializer`/`ProtobufDeserializer`: an import
//! registered as a reference subject, `google.protobuf.Timestamp`, base64 descriptors
//! sent and fetched with `format=serialized` (`python/protobuf.py`). Without the client
//! installed a test says so loudly and passes, unless `SCHEMAGATE_REQUIRE_PYTHON_CLIENT`
//! is set (CI).

use std::process::Command;

use crate::common::TestServer;

/// The encryption rules need `tink` and `hkdf` beside the client (its `rules` extra).
const ENCRYPTION: &str = "confluent_kafka.schema_registry.rules.encryption.localkms.local_driver";

/// The client's Protobuf serdes need its `protobuf` extra (`protobuf`,
/// `googleapis-common-protos`).
const PROTOBUF: &str = "confluent_kafka.schema_registry.protobuf";

/// Whether `python3` can import the client; otherwise why not.
fn client_available() -> Result<(), String> {
    can_import("confluent_kafka.schema_registry.avro")
}

/// Whether `python3` can import `module`; otherwise why not.
fn can_import(module: &str) -> Result<(), String> {
    let probe = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .map_err(|e| format!("python3 cannot run: {e}"))?;
    if probe.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&probe.stderr).trim().to_owned())
    }
}

on_each_store! {
    async fn confluents_python_client_registers_reads_and_resolves_data_contracts_and_guids() {
        if let Err(why) = client_available() {
            assert!(
                std::env::var_os("SCHEMAGATE_REQUIRE_PYTHON_CLIENT").is_none(),
                "SCHEMAGATE_REQUIRE_PYTHON_CLIENT is set but the client is missing: {why}"
            );
            eprintln!(
                "SKIPPED: confluent-kafka is not installed for python3 ({why}); \
                 pip install 'confluent-kafka[avro,schemaregistry]==2.16.1' runs this test"
            );
            return;
        }
        let s = TestServer::start().await;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/server/python/contracts.py");
        let base = s.base.clone();
        let out = tokio::task::spawn_blocking(move || {
            Command::new("python3").arg(script).arg(base).output()
        })
        .await
        .unwrap()
        .expect("python3 runs");
        assert!(
            out.status.success(),
            "the Python client failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    async fn confluents_python_client_encrypts_and_decrypts_fields_with_the_dek_registry() {
        if let Err(why) = can_import(ENCRYPTION) {
            assert!(
                std::env::var_os("SCHEMAGATE_REQUIRE_PYTHON_CLIENT").is_none(),
                "SCHEMAGATE_REQUIRE_PYTHON_CLIENT is set but the client's encryption is missing: {why}"
            );
            eprintln!(
                "SKIPPED: confluent-kafka's field encryption cannot load for python3 ({why}); \
                 pip install 'confluent-kafka[avro,schemaregistry]==2.16.1' tink==1.16.1 hkdf==0.0.3 runs this test"
            );
            return;
        }
        let s = TestServer::start().await;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/server/python/encryption.py");
        let base = s.base.clone();
        let out = tokio::task::spawn_blocking(move || {
            Command::new("python3").arg(script).arg(base).output()
        })
        .await
        .unwrap()
        .expect("python3 runs");
        assert!(
            out.status.success(),
            "the Python client failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // The keys it left are in the registry, as a restart finds them.
        let dir = s.stop().await;
        let s = TestServer::start_in(dir, schemagate_server::Config::default()).await;
        let dek = s
            .get("/dek-registry/v1/keks/schemagate-local-kek/deks/customers-value")
            .await;
        assert!(dek.assert_ok()["encryptedKeyMaterial"].is_string(), "{}", dek.text);
        assert!(dek.body.get("keyMaterial").is_none(), "{}", dek.text);
    }

    async fn confluents_python_client_produces_and_consumes_protobuf_with_references() {
        if let Err(why) = can_import(PROTOBUF) {
            assert!(
                std::env::var_os("SCHEMAGATE_REQUIRE_PYTHON_CLIENT").is_none(),
                "SCHEMAGATE_REQUIRE_PYTHON_CLIENT is set but the client's Protobuf serdes are missing: {why}"
            );
            eprintln!(
                "SKIPPED: confluent-kafka's Protobuf serdes cannot load for python3 ({why}); \
                 pip install 'confluent-kafka[avro,schemaregistry,protobuf]==2.16.1' runs this test"
            );
            return;
        }
        // The message classes come from descriptors core compiles: no protoc anywhere.
        let dir = tempfile::tempdir().expect("a temp dir");
        let descriptors = dir.path().join("order.fds");
        std::fs::write(&descriptors, crate::protobuf::python_descriptor_set())
            .expect("write the descriptor set");
        let s = TestServer::start().await;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/server/python/protobuf.py");
        let base = s.base.clone();
        let out = tokio::task::spawn_blocking(move || {
            Command::new("python3").arg(script).arg(base).arg(descriptors).output()
        })
        .await
        .unwrap()
        .expect("python3 runs");
        assert!(
            out.status.success(),
            "the Python client failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // What the producer registered is in the registry as the script saw it: the
        // order referencing its import by path, both as .proto text.
        let order = s.get("/subjects/orders-topic-value/versions/1").await;
        assert_eq!(order.assert_ok()["schemaType"], "PROTOBUF", "{}", order.text);
        assert_eq!(
            order.body["references"],
            serde_json::json!([{"name": "shop/customer.proto", "subject": "shop/customer.proto", "version": 1}])
        );
        drop(dir);
    }
}
