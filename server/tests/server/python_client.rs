//! Confluent's Python client (`confluent-kafka`, pinned in `.ci/run`) against the
//! server: data contracts and GUIDs as a producer and a consumer use them. The client
//! is Python, so the test runs `python/contracts.py`; without the client installed it
//! says so loudly and passes, unless `SCHEMAGATE_REQUIRE_PYTHON_CLIENT` is set (CI).

use std::process::Command;

use crate::common::TestServer;

/// Whether `python3` can import the client; otherwise why not.
fn client_available() -> Result<(), String> {
    let probe = Command::new("python3")
        .args(["-c", "import confluent_kafka.schema_registry.avro"])
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
}
