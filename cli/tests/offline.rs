//! The real binary, offline: `check --against` a git revision or a directory, `diff`,
//! `validate`, `init`, the semver gate, config errors and exit codes.

mod common;

use common::*;

fn git_shop() -> Project {
    let p = shop();
    p.git(&["init", "-q"]);
    p.commit("v1");
    p
}

#[test]
fn check_against_head_fails_on_a_breaking_change_with_rule_path_and_line() {
    let p = git_shop();
    p.write("schemas/orders.avsc", ORDER_BREAKING);
    let run = p.run(&["check", "--against", "HEAD"]);
    run.code(1)
        .stdout_has("orders-value BREAKING under BACKWARD")
        .stdout_has(
            "error[READER_FIELD_MISSING_DEFAULT_VALUE] schemas/orders.avsc:8:5 at /fields/2",
        )
        .stdout_has("fix: ")
        .stdout_has("customers-value unchanged");
}

#[test]
fn check_against_head_passes_a_compatible_change() {
    let p = git_shop();
    p.write("schemas/orders.avsc", ORDER_COMPATIBLE);
    p.run(&["check", "--against", "HEAD"])
        .code(0)
        .stdout_has("orders-value compatible under BACKWARD, minor bump");
}

#[test]
fn check_against_an_older_commit_and_a_branch() {
    let p = git_shop();
    p.write("schemas/orders.avsc", ORDER_COMPATIBLE);
    p.commit("v2");
    p.write("schemas/orders.avsc", ORDER_BREAKING);
    p.commit("v3");
    // HEAD~1 has the compatible v2: v3 drops the default of coupon.
    p.run(&["check", "--against", "HEAD~1"]).code(1);
    p.run(&["check", "--against", "HEAD"])
        .code(0)
        .stdout_has("unchanged");
    p.run(&["check", "--against", "main"]).code(0);
}

#[test]
fn a_file_missing_at_the_revision_is_new() {
    let p = git_shop();
    p.write(
        "schemas/payments.avsc",
        r#"{"type":"record","name":"Payment","fields":[]}"#,
    );
    let toml = format!(
        "{PROJECT}\n[[subjects]]\nfile = \"schemas/payments.avsc\"\nsubject = \"payments-value\"\n"
    );
    p.write("schemagate.toml", &toml);
    p.run(&["check", "--against", "HEAD"])
        .code(0)
        .stdout_has("payments-value new")
        .stdout_has("not in HEAD");
}

#[test]
fn levels_and_waivers_from_the_project_file_apply_offline() {
    let p = git_shop();
    p.write("schemas/orders.avsc", ORDER_BREAKING);
    let none = PROJECT.replace(
        "subject = \"orders-value\"",
        "subject = \"orders-value\"\nlevel = \"NONE\"",
    );
    p.write("schemagate.toml", &none);
    p.run(&["check", "--against", "HEAD"]).code(0);
    let waived = format!(
        "{PROJECT}\n[[ignore]]\nrule = \"READER_FIELD_MISSING_DEFAULT_VALUE\"\npath = \"/fields/2\"\n"
    );
    p.write("schemagate.toml", &waived);
    p.run(&["check", "--against", "HEAD"])
        .code(0)
        .stdout_has("1 finding ignored");
    let elsewhere = format!(
        "{PROJECT}\n[[ignore]]\nrule = \"READER_FIELD_MISSING_DEFAULT_VALUE\"\npath = \"/fields/1\"\n"
    );
    p.write("schemagate.toml", &elsewhere);
    p.run(&["check", "--against", "HEAD"]).code(1);
}

#[test]
fn check_against_a_directory() {
    let p = shop();
    p.write("old/schemas/orders.avsc", ORDER_V1);
    p.write("schemas/orders.avsc", ORDER_BREAKING);
    p.run(&["check", "--against", "old", "orders-value"])
        .code(1)
        .stdout_has("READER_FIELD_MISSING_DEFAULT_VALUE")
        .stdout_has("1 subject: 1 breaking");
}

#[test]
fn json_schema_changes_are_judged_too() {
    let p = git_shop();
    // Removing a property from a closed content model breaks new readers of old data.
    let narrowed = CUSTOMER_V1.replace(",\n    \"email\": {\"type\": \"string\"}", "");
    assert_ne!(narrowed, CUSTOMER_V1);
    p.write("schemas/customers.json", &narrowed);
    let run = p.run(&["check", "--against", "HEAD", "--format", "json"]);
    run.code(1);
    let doc = run.json();
    let result = &doc["results"][1];
    assert_eq!(result["name"], "customers-value");
    assert_eq!(result["status"], "breaking");
    assert!(
        result["findings"][0]["rule"]
            .as_str()
            .unwrap()
            .starts_with("PROPERTY_REMOVED"),
        "{result}"
    );
}

#[test]
fn a_missing_revision_in_a_shallow_clone_says_how_to_fetch_it() {
    let origin = git_shop();
    origin.write("schemas/orders.avsc", ORDER_COMPATIBLE);
    origin.commit("v2");
    let clone_parent = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(
        clone_parent.path(),
        &["clone", "-q", "--depth", "1", &url, "clone"],
    );
    let clone = Project { dir: clone_parent };
    let run = clone.run(&["check", "--project", "clone", "--against", "HEAD~1"]);
    run.code(2)
        .stderr_has("shallow clone")
        .stderr_has("git fetch --deepen")
        .stderr_has("fetch-depth: 0");
}

#[test]
fn an_unknown_revision_is_a_usage_error() {
    let p = git_shop();
    p.run(&["check", "--against", "no-such-branch"])
        .code(2)
        .stderr_has("unknown git revision");
    let plain = shop();
    plain
        .run(&["check", "--against", "HEAD"])
        .code(2)
        .stderr_has("not in a git repository");
}

#[test]
fn a_schema_that_does_not_parse_is_reported_at_its_line_with_exit_2() {
    let p = git_shop();
    p.write("schemas/orders.avsc", "{\n  \"type\": \"record\",\n  \"name\": \"Order\",\n  \"fields\": [\n    {\"name\": \"id\" \"type\": \"string\"}\n  ]\n}\n");
    p.run(&["check", "--against", "HEAD"])
        .code(2)
        .stdout_has("orders-value ERROR")
        .stdout_has("error[SCHEMA_SYNTAX] schemas/orders.avsc:5:");
    p.run(&["check", "--against", "HEAD", "--format", "github"])
        .code(2)
        .stdout_has("::error file=schemas/orders.avsc,line=5,");
}

#[test]
fn diff_prints_findings_and_the_bump() {
    let p = Project::new();
    p.write("v1.avsc", ORDER_V1)
        .write("v2.avsc", ORDER_COMPATIBLE)
        .write("v3.avsc", ORDER_BREAKING);
    p.run(&["diff", "v1.avsc", "v2.avsc"])
        .code(0)
        .stdout_has("v1.avsc -> v2.avsc compatible under BACKWARD, minor bump");
    p.run(&["diff", "v1.avsc", "v3.avsc"])
        .code(1)
        .stdout_has("major bump")
        .stdout_has("v3.avsc:8:5");
    // Under FORWARD, old readers ignore the new field: compatible.
    p.run(&["diff", "v1.avsc", "v3.avsc", "--level", "forward"])
        .code(0);
    p.run(&["diff", "v1.avsc", "v1.avsc"])
        .code(0)
        .stdout_has("unchanged");
    let doc = p
        .run(&["diff", "v1.avsc", "v3.avsc", "--format", "json"])
        .json();
    assert_eq!(doc["results"][0]["bump"], "major");
    assert_eq!(doc["exit_code"], 1);
}

#[test]
fn diff_usage_errors_exit_2() {
    let p = Project::new();
    p.write("a.avsc", ORDER_V1).write("a.txt", ORDER_V1);
    p.run(&["diff", "a.avsc", "missing.avsc"])
        .code(2)
        .stderr_has("cannot read missing.avsc");
    p.run(&["diff", "a.txt", "a.txt"])
        .code(2)
        .stderr_has("--type");
    p.run(&["diff", "a.txt", "a.txt", "--type", "avro"]).code(0);
    p.run(&["diff", "a.avsc", "a.avsc", "--level", "SIDEWAYS"])
        .code(2)
        .stderr_has("invalid compatibility level");
    p.run(&["diff", "a.avsc"]).code(2);
    p.run(&["frobnicate"]).code(2);
}

#[test]
fn the_semver_gate_wants_a_big_enough_declared_bump() {
    let with_version = |text: &str, v: &str| {
        text.replacen(
            "\"type\": \"record\",",
            &format!("\"type\": \"record\",\n  \"version\": \"{v}\","),
            1,
        )
    };
    let p = Project::new();
    p.write("v1.avsc", &with_version(ORDER_V1, "1.0.0"));
    // Adding an optional field is a minor change: a patch bump is too small.
    p.write("patch.avsc", &with_version(ORDER_COMPATIBLE, "1.0.1"));
    p.write("minor.avsc", &with_version(ORDER_COMPATIBLE, "1.1.0"));
    p.run(&["diff", "v1.avsc", "patch.avsc"])
        .code(1)
        .stdout_has("error[SEMVER_BUMP_TOO_SMALL] patch.avsc:3:14 at /version")
        .stdout_has("declare `version` 1.1.0 or later");
    p.run(&["diff", "v1.avsc", "minor.avsc"]).code(0);
    // A project can turn the gate off.
    p.write("schemagate.toml", "[semver]\nenabled = false\n");
    p.run(&["diff", "v1.avsc", "patch.avsc"]).code(0);
}

#[test]
fn validate_reports_violations_with_paths_and_lines() {
    let p = shop();
    let toml = format!(
        "{PROJECT}\n[[fixtures]]\nsubject = \"orders-value\"\nevents = \"fixtures/orders/*.json\"\n\n[[fixtures]]\nsubject = \"customers-value\"\nevents = \"fixtures/bad-customers/*.jsonl\"\nvalid = false\n"
    );
    p.write("schemagate.toml", &toml);
    p.write(
        "fixtures/orders/good.json",
        "{\"id\": \"o-1\", \"total\": 12.5}\n",
    );
    p.write(
        "fixtures/bad-customers/all.jsonl",
        "{\"email\": \"x@example.invalid\"}\n{\"id\": 7}\n",
    );
    p.run(&["validate"])
        .code(0)
        .stdout_has("refused as expected");
    p.write(
        "fixtures/orders/bad.json",
        "{\n  \"id\": \"o-2\",\n  \"total\": \"lots\"\n}\n",
    );
    let run = p.run(&["validate", "orders-value"]);
    run.code(1)
        .stdout_has("orders-value INVALID")
        .stdout_has("error[EVENT_VIOLATION] fixtures/orders/bad.json:3:12 at /total");
    // A negative example that passes fails the run.
    p.write("fixtures/bad-customers/all.jsonl", "{\"id\": \"fine\"}\n");
    p.run(&["validate", "customers-value"])
        .code(1)
        .stdout_has("EVENT_UNEXPECTEDLY_VALID");
    p.write("fixtures/orders/broken.json", "{\"id\": ");
    p.run(&["validate", "orders-value"])
        .code(2)
        .stdout_has("EVENT_SYNTAX");
    shop()
        .run(&["validate"])
        .code(2)
        .stderr_has("no [[fixtures]]");
}

#[test]
fn init_maps_a_schema_directory_and_the_result_checks() {
    let p = Project::new();
    p.write("schemas/orders.avsc", ORDER_V1)
        .write("schemas/nested/customers.json", CUSTOMER_V1)
        .write("schemas/payments-key.avsc", "\"string\"")
        .write(
            "fixtures/events/orders/one.json",
            "{\"id\": \"o\", \"total\": 1.0}",
        );
    p.run(&["init"]).code(0).stdout_has("3 subjects: 3 written");
    let toml = p.read("schemagate.toml");
    assert!(toml.contains("subject = \"orders-value\""), "{toml}");
    assert!(
        toml.contains("subject = \"customers-value\"\ntype = \"JSON\""),
        "{toml}"
    );
    assert!(toml.contains("subject = \"payments-key\""), "{toml}");
    assert!(
        toml.contains("events = \"fixtures/events/orders/*.json\""),
        "{toml}"
    );
    p.run(&["init"]).code(2).stderr_has("already exists");
    p.run(&["init", "--force", "--url", "http://registry:8081"])
        .code(0);
    assert!(
        p.read("schemagate.toml")
            .contains("url = \"http://registry:8081\"")
    );
    p.run(&["validate"]).code(0);
    p.run(&["check", "--against", "."])
        .code(0)
        .stdout_has("3 unchanged");
    Project::new()
        .run(&["init"])
        .code(2)
        .stderr_has("there is no directory schemas");
}

#[test]
fn item6_init_recognises_schemas_by_content_and_says_what_next() {
    let p = Project::new();
    p.write("contracts/orders.avsc", ORDER_V1)
        .write("contracts/customers.json", CUSTOMER_V1)
        .write(
            "contracts/package.json",
            r#"{"name": "shop", "version": "1.0.0", "type": "module", "dependencies": {}}"#,
        )
        .write(
            "contracts/sample-events.json",
            r#"[{"id": "o1", "total": 1.0}, {"id": "o2", "total": 2.5}]"#,
        )
        .write("contracts/broken.avsc", "{\"type\": \"record\"");
    // Without ./schemas: the argument to pass, and where schemas are.
    p.run(&["init"])
        .code(2)
        .stderr_has("schemagate init path/to/schemas")
        .stderr_has("schemas were found in: contracts");
    let run = p.run(&["init", "contracts"]);
    run.code(0)
        .stdout_has("2 written")
        .stdout_has("3 skipped")
        .stdout_has("contracts/package.json skipped")
        .stdout_has("not a schema: JSON, but neither `$schema` nor any JSON Schema keyword")
        .stdout_has("contracts/sample-events.json skipped")
        .stdout_has("not a schema: JSON, but not an Avro schema")
        .stdout_has("contracts/broken.avsc skipped")
        .stdout_has("next: review schemagate.toml");
    let toml = p.read("schemagate.toml");
    assert!(!toml.contains("package"), "{toml}");
    assert!(!toml.contains("sample-events"), "{toml}");
    // The next check runs clean on what init mapped.
    p.run(&["check", "--against", "."])
        .code(0)
        .stdout_has("2 unchanged");
}

#[test]
fn glob_subjects_with_naming_strategies() {
    let p = Project::new();
    p.write("schemas/orders.avsc", ORDER_V1)
        .write("schemas/customers.json", CUSTOMER_V1);
    p.write(
        "schemagate.toml",
        "[[subjects]]\nglob = \"schemas/*\"\nstrategy = \"topic-record\"\ntopic = \"shop\"\n",
    );
    let doc = p
        .run(&["check", "--against", ".", "--format", "json"])
        .json();
    let names: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["shop-Customer", "shop-shop.Order"]);
}

#[test]
fn references_between_files_resolve_offline() {
    let p = Project::new();
    write_money_and_order(&p);
    p.write(
        "schemagate.toml",
        "[[subjects]]\nfile = \"schemas/money.avsc\"\nsubject = \"money\"\n\n[[subjects]]\nfile = \"schemas/order.avsc\"\nsubject = \"orders-value\"\nreferences = [{ name = \"shop.Money\", file = \"schemas/money.avsc\" }]\n",
    );
    p.run(&["check", "--against", "."])
        .code(0)
        .stdout_has("2 unchanged");
    p.write(
        "schemagate.toml",
        &p.read("schemagate.toml").replace(
            "references = [{ name = \"shop.Money\", file = \"schemas/money.avsc\" }]\n",
            "",
        ),
    );
    p.run(&["check", "--against", "."])
        .code(2)
        .stdout_has("SCHEMA_UNRESOLVED_REFERENCE");
}

#[test]
fn item3_diff_reads_references_from_the_project_and_honours_project() {
    let p = Project::new();
    p.write("schemas/money.avsc", r#"{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}"#);
    let order = r#"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"shop.Money"}]}"#;
    p.write("schemas/order.avsc", order);
    p.write("old/order.avsc", order);
    p.write(
        "schemagate.toml",
        "[[subjects]]\nfile = \"schemas/money.avsc\"\nsubject = \"money\"\n\n[[subjects]]\nfile = \"schemas/order.avsc\"\nsubject = \"orders-value\"\nreferences = [{ name = \"shop.Money\", file = \"schemas/money.avsc\" }]\n",
    );
    // An old copy elsewhere against the mapped file: the mapping's references serve both.
    p.run(&["diff", "old/order.avsc", "schemas/order.avsc"])
        .code(0)
        .stdout_has("unchanged");
    p.write(
        "schemas/order.avsc",
        &order.replace(
            r#"{"name":"total","type":"shop.Money"}"#,
            r#"{"name":"total","type":"shop.Money"},{"name":"note","type":"string"}"#,
        ),
    );
    p.run(&["diff", "old/order.avsc", "schemas/order.avsc"])
        .code(1)
        .stdout_has("READER_FIELD_MISSING_DEFAULT_VALUE");
    // From another directory, --project names the project.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut cmd = p.cmd(&[
        "diff",
        p.path().join("old/order.avsc").to_str().unwrap(),
        p.path().join("schemas/order.avsc").to_str().unwrap(),
        "--project",
        p.path().join("schemagate.toml").to_str().unwrap(),
    ]);
    let out = cmd.current_dir(elsewhere.path()).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A --project that does not load is an error, not ignored.
    let mut cmd = p.cmd(&[
        "diff",
        "old/order.avsc",
        "schemas/order.avsc",
        "--project",
        "nowhere",
    ]);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn config_errors_exit_2_and_say_what_to_fix() {
    let p = shop();
    p.write(
        "schemagate.toml",
        &format!("{PROJECT}\n").replace("[registry]\n", "[registry]\npassword = \"hunter2\"\n"),
    );
    p.run(&["check", "--against", "."])
        .code(2)
        .stderr_has("SCHEMAGATE_REGISTRY_PASSWORD");
    p.write(
        "schemagate.toml",
        "[[subjects]]\nfile = \"nope.avsc\"\nsubject = \"x\"\n",
    );
    p.run(&["check", "--against", "."])
        .code(2)
        .stdout_has("error[FILE_MISSING]")
        .stdout_has("nope.avsc does not exist");
    p.write("schemagate.toml", "[[subjects]]\nglob = \"nope/*.avsc\"\n");
    p.run(&["check", "--against", "."])
        .code(2)
        .stderr_has("matches no file");
    Project::new()
        .run(&["check"])
        .code(2)
        .stderr_has("run `schemagate init`");
    let empty = Project::new();
    empty.write(
        "schemagate.toml",
        "[registry]\nurl = \"http://127.0.0.1:9\"\n",
    );
    empty
        .run(&["check", "--against", "."])
        .code(2)
        .stderr_has("maps no subjects");
    shop()
        .run(&["check", "--against", ".", "nobody-value"])
        .code(2)
        .stderr_has("\"nobody-value\" is not mapped");
    let run = shop()
        .cmd(&["check", "--format", "github"])
        .env("SCHEMAGATE_REGISTRY_TOKEN", "t")
        .env("SCHEMAGATE_REGISTRY_USER", "u")
        .output()
        .unwrap();
    let run = Run::from(run);
    run.code(2)
        .stdout_has("::error title=schemagate::set either SCHEMAGATE_REGISTRY_TOKEN");
}

#[test]
fn an_unreachable_registry_is_one_clear_error_naming_the_url() {
    let p = shop();
    p.run(&[
        "check",
        "--registry",
        "http://127.0.0.1:9",
        "--timeout",
        "2",
    ])
    .code(2)
    .stderr_has("cannot reach the schema registry at http://127.0.0.1:9/config");
    let run = Run::from(
        p.cmd(&["register", "--dry-run"])
            .env("SCHEMAGATE_REGISTRY_URL", "http://127.0.0.1:9")
            .output()
            .unwrap(),
    );
    run.code(2)
        .stderr_has("cannot reach the schema registry at http://127.0.0.1:9/config");
    p.run(&["pull", "--registry", "ftp://x"])
        .code(2)
        .stderr_has("invalid registry URL");
}

#[test]
fn init_finds_references_key_subjects_and_flat_fixtures() {
    let p = Project::new();
    p.write("schemas/money.avsc", r#"{"type":"record","name":"Money","namespace":"shop.common","fields":[{"name":"cents","type":"long"}]}"#);
    p.write(
        "schemas/order_placed.avsc",
        r#"{"type":"record","name":"OrderPlaced","namespace":"shop","fields":[{"name":"total","type":"shop.common.Money"},{"name":"lines","type":{"type":"array","items":["null","shop.common.Money"]}}]}"#,
    );
    p.write(
        "schemas/order_key.avsc",
        r#"{"type":"record","name":"OrderKey","fields":[{"name":"id","type":"string"}]}"#,
    );
    p.write(
        "fixtures/events/order_placed.json",
        // Avro's JSON encoding names the union branch.
        r#"{"total": {"cents": 5}, "lines": [null, {"shop.common.Money": {"cents": 1}}]}"#,
    );
    p.run(&["init"]).code(0);
    let toml = p.read("schemagate.toml");
    assert!(toml.contains("subject = \"order-key\""), "{toml}");
    assert!(
        toml.contains(
            "references = [{ name = \"shop.common.Money\", file = \"schemas/money.avsc\" }]"
        ),
        "{toml}"
    );
    assert!(
        toml.contains("events = \"fixtures/events/order_placed.json\""),
        "{toml}"
    );
    p.run(&["check", "--against", "."]).code(0);
    p.run(&["validate"]).code(0).stdout_has("1 valid");
}

#[test]
fn refused_credentials_are_one_error_that_names_the_variables() {
    // A registry that refuses everyone: answers every request with 401.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body = r#"{"error_code":40101,"message":"Unauthorized"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 401 Unauthorized\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let p = shop();
    let out = p
        .cmd(&["check", "--registry", &url])
        .env("SCHEMAGATE_REGISTRY_USER", "key")
        .env("SCHEMAGATE_REGISTRY_PASSWORD", "wrong")
        .output()
        .unwrap();
    Run::from(out)
        .code(2)
        .stderr_has(&format!(
            "the schema registry at {url}/config refused the credentials (HTTP 401)"
        ))
        .stderr_has("SCHEMAGATE_REGISTRY_USER");
}

#[test]
fn history_the_core_cannot_read_is_judged_by_the_registry() {
    // Another registry's subject holds a Protobuf schema the core cannot compile (an
    // import its version names no reference for), so the verdict comes from
    // POST /compatibility with verbose=true.
    let url = fake_registry(|method, path| {
        match (method, path) {
        ("GET", "/config") => (200, r#"{"compatibilityLevel":"BACKWARD"}"#.into()),
        ("GET", p) if p.starts_with("/config/") => (200, r#"{"compatibilityLevel":"BACKWARD"}"#.into()),
        ("GET", "/subjects/orders-value/versions/latest") => (
            200,
            r#"{"subject":"orders-value","id":1,"version":3,"schemaType":"PROTOBUF","schema":"syntax = \"proto3\"; import \"their/own.proto\"; message Order { their.Thing t = 1; }"}"#.into(),
        ),
        ("POST", "/compatibility/subjects/orders-value/versions?verbose=true") => (
            200,
            r#"{"is_compatible":false,"messages":["Incompatible schema type: PROTOBUF -> AVRO"]}"#.into(),
        ),
        _ => (404, r#"{"error_code":40401,"message":"Subject not found"}"#.into()),
    }
    });
    let p = shop();
    let run = p.run(&["check", "--registry", &url]);
    run.code(1)
        .stdout_has("orders-value BREAKING")
        .stdout_has("judged by the registry")
        .stdout_has("error[REGISTRY_INCOMPATIBLE]")
        .stdout_has("Incompatible schema type: PROTOBUF -> AVRO")
        .stdout_has("customers-value new");
}

#[test]
fn explain_prints_a_rule_of_either_engine_from_the_catalogues() {
    let p = Project::new();
    p.run(&["explain", "READER_FIELD_MISSING_DEFAULT_VALUE"])
        .code(0)
        .stdout_has("READER_FIELD_MISSING_DEFAULT_VALUE\n")
        .stdout_has("engine:   avro")
        .stdout_has("severity: breaking")
        .stdout_has("message:  a reader field is not in the writer and has no default")
        .stdout_has("fix:      add a default")
        .stdout_has("meaning:  Avro resolves record fields by name");
    // Any case; a JSON Schema rule names both policies when they disagree.
    p.run(&["explain", "optional_property_added_to_open_content_model"])
        .code(0)
        .stdout_has("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL\n")
        .stdout_has("engine:   json")
        .stdout_has("breaking under the STRICT policy (the default), additive under LENIENT")
        .stdout_has("fix:      close the content model first");
    let json = p
        .run(&["explain", "TYPE_PROMOTED", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(json["id"], "TYPE_PROMOTED");
    assert_eq!(json["engine"], "avro");
    assert_eq!(json["severity"], "additive");
    assert!(json["hint"].is_null(), "{json}");
}

#[test]
fn explain_without_a_rule_lists_every_rule_once() {
    let p = Project::new();
    let run = p.run(&["explain"]);
    run.code(0)
        .stdout_has("Avro")
        .stdout_has("JSON Schema")
        .stdout_has("SCHEMA_TYPE_CHANGED");
    for id in [
        "MISSING_UNION_BRANCH",
        "TYPE_MISMATCH",
        "TYPE_NARROWED",
        "ENUM_ARRAY_NARROWED",
    ] {
        let lines = run
            .stdout
            .lines()
            .filter(|l| l.split_whitespace().next() == Some(id));
        assert_eq!(lines.count(), 1, "{id}:\n{}", run.stdout);
    }
    let all = p.run(&["explain", "--format", "json"]).code(0).json();
    let all = all.as_array().expect("an array of rules");
    assert!(all.len() > 150, "{} rules", all.len());
    // Every listed rule can be explained on its own.
    for rule in all.iter().step_by(17) {
        let id = rule["id"].as_str().unwrap();
        p.run(&["explain", id]).code(0).stdout_has(id);
    }
}

/// The ids of the CLI's own findings, read from its source: every note the CLI makes
/// itself names a `CliRule::ID` (`Note::error` and `Note::of` take nothing else), so these are every
/// id it can emit besides the engines' rules.
fn cli_rule_ids_in_source() -> Vec<String> {
    fn walk(dir: &std::path::Path, ids: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, ids);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices("CliRule::") {
                    let rest = &text[at + "CliRule::".len()..];
                    let id: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                        .collect();
                    // `CliRule::ALL` is the list, not a rule.
                    if id.len() > 3 {
                        ids.push(id);
                    }
                }
            }
        }
    }
    let mut ids = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut ids,
    );
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn every_rule_id_the_cli_emits_itself_is_explainable() {
    let p = Project::new();
    let ids = cli_rule_ids_in_source();
    assert!(ids.len() >= 15, "{ids:?}");
    assert!(
        ids.iter().any(|id| id == "SEMVER_BUMP_TOO_SMALL"),
        "{ids:?}"
    );
    let all = p.run(&["explain", "--format", "json"]).code(0).json();
    let listed: Vec<(&str, &str)> = all
        .as_array()
        .expect("an array of rules")
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["severity"].as_str().unwrap()))
        .collect();
    for id in &ids {
        let severity = listed
            .iter()
            .find(|(listed, _)| listed == id)
            .map(|(_, s)| *s)
            .unwrap_or_else(|| panic!("{id} is not listed"));
        // Every rule of the CLI fails the run but the ones that only inform.
        let expected =
            if ["CONTRACT_CHANGED", "ACCEPT_STALE", "REGISTRY_DISAGREES"].contains(&id.as_str()) {
                "additive"
            } else {
                "breaking"
            };
        assert_eq!(severity, expected, "{id}");
        p.run(&["explain", id])
            .code(0)
            .stdout_has(&format!("{id}\n"))
            .stdout_has("engine:   cli")
            .stdout_has(&format!("severity: {expected}"))
            .stdout_has("fix:      ");
    }
    p.run(&["explain", "semver_bump_too_small"])
        .code(0)
        .stdout_has("SEMVER_BUMP_TOO_SMALL\n")
        .stdout_has(
            "message:  the schema's declared version bump is smaller than its change needs",
        );
    p.run(&["explain"])
        .code(0)
        .stdout_has("of the CLI itself")
        .stdout_has("FILE_MISSING");
}

#[test]
fn explain_refuses_an_unknown_rule_with_exit_status_2_and_a_hint() {
    let p = Project::new();
    let run = p.run(&["explain", "TYPE_MISMACH"]);
    run.code(2)
        .stderr_has("unknown rule \"TYPE_MISMACH\"")
        .stderr_has("did you mean TYPE_MISMATCH")
        .stderr_has("`schemagate explain`");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    p.run(&["explain", "NOTHING_LIKE_IT_AT_ALL_QQQ"])
        .code(2)
        .stderr_has("unknown rule");
}

#[test]
fn item10_each_command_shows_only_the_options_it_uses() {
    let p = Project::new();
    let options = |command: &str| -> Vec<String> {
        let help = p.run(&[command, "--help"]);
        help.code(0);
        help.stdout
            .split_whitespace()
            .filter(|w| w.starts_with("--"))
            .map(|w| w.trim_end_matches([',', '.']).to_owned())
            .collect()
    };
    let has = |command: &str, option: &str| options(command).iter().any(|o| o == option);
    for command in ["check", "register", "pull"] {
        for option in ["--project", "--registry", "--timeout", "--format"] {
            assert!(has(command, option), "{command} takes {option}");
        }
    }
    for command in ["diff", "validate"] {
        assert!(has(command, "--project"), "{command} takes --project");
        assert!(
            !has(command, "--registry"),
            "{command} talks to no registry"
        );
        assert!(!has(command, "--timeout"), "{command} talks to no registry");
    }
    assert!(has("init", "--url"));
    for option in ["--registry", "--timeout", "--project"] {
        assert!(!has("init", option), "init does not take {option}");
    }
    // Formats: findings commands offer every CI format, listings text and JSON only.
    let init_help = p.run(&["init", "--help"]);
    assert!(!init_help.stdout.contains("sarif"), "{}", init_help.stdout);
    assert!(p.run(&["check", "--help"]).stdout.contains("sarif"));
    // An option a command does not take is refused, not ignored.
    p.run(&["diff", "a.avsc", "b.avsc", "--registry", "http://x"])
        .code(2);
}

const SHIPMENT_OLD: &str = r#"{
  "type": "record",
  "name": "Shipment",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "carrier", "type": "int"},
    {"name": "zip", "type": "string"}
  ]
}
"#;

/// `carrier` deleted, `zip` renamed to `postcode` with an alias.
const SHIPMENT_NEW: &str = r#"{
  "type": "record",
  "name": "Shipment",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "postcode", "type": "string", "aliases": ["zip"]}
  ]
}
"#;

#[test]
fn item7_forward_findings_carry_line_and_column_in_the_new_file() {
    let p = Project::new();
    p.write("old.avsc", SHIPMENT_OLD)
        .write("new.avsc", SHIPMENT_NEW);
    let run = p.run(&["diff", "old.avsc", "new.avsc", "--level", "forward"]);
    run.code(1)
        // The deleted field: placed at its parent, the new record's `fields`.
        .stdout_has("error[READER_FIELD_MISSING_DEFAULT_VALUE] new.avsc:4:13 at /fields/1")
        .stdout_has("field \"carrier\" (int) was removed; readers of the old version have no default for it")
        .stdout_has("keep carrier, or first register a version that gives carrier a default, then remove it")
        // The renamed field: found through the new field's alias.
        .stdout_has("error[READER_FIELD_MISSING_DEFAULT_VALUE] new.avsc:6:5 at /fields/2")
        .stdout_has("looks like a rename of zip to postcode");
    let doc = p
        .run(&[
            "diff", "old.avsc", "new.avsc", "--level", "forward", "--format", "json",
        ])
        .json();
    let text = doc.to_string();
    assert!(!text.contains("add a default to"), "{text}");
}

#[test]
fn item7_forward_findings_under_full_against_head_are_placed_too() {
    let p = git_shop();
    let full = PROJECT.replace(
        "subject = \"orders-value\"",
        "subject = \"orders-value\"\nlevel = \"FULL\"",
    );
    p.write("schemagate.toml", &full);
    p.commit("full");
    // `total` (no default) deleted: old readers need it.
    p.write(
        "schemas/orders.avsc",
        r#"{
  "type": "record",
  "name": "Order",
  "namespace": "shop",
  "fields": [
    {"name": "id", "type": "string"}
  ]
}
"#,
    );
    p.run(&["check", "--against", "HEAD"])
        .code(1)
        .stdout_has("orders-value BREAKING under FULL")
        .stdout_has("error[READER_FIELD_MISSING_DEFAULT_VALUE] schemas/orders.avsc:5:13 at /fields/1")
        .stdout_has("field \"total\" (double) was removed; readers of the old version have no default for it");
}

/// An `[[accept]]` entry for the break ORDER_BREAKING makes (coupon loses its default).
const ACCEPT_COUPON: &str = r#"
[[accept]]
subject = "orders-value"
rule = "READER_FIELD_MISSING_DEFAULT_VALUE"
path = "/fields/**"
reason = "no consumers yet"
until = "2030-06-30"
"#;

/// `check --against HEAD` in every format on `today`, each output a snapshot
/// `accept_{case}_{format}` and checked to say `needle`.
fn accept_in_every_format(case: &str, orders: &str, today: &str, code: i32, needle: &str) {
    let p = git_shop();
    p.write("schemas/orders.avsc", orders);
    p.write("schemagate.toml", &format!("{PROJECT}{ACCEPT_COUPON}"));
    for format in ["text", "json", "junit", "github", "sarif", "markdown"] {
        let mut cmd = p.cmd(&["check", "--against", "HEAD", "--format", format]);
        cmd.env("SCHEMAGATE_TODAY", today);
        let run = Run::from(cmd.output().unwrap());
        run.code(code).stdout_has(needle);
        if format == "json" || format == "sarif" {
            run.json();
        }
        insta::assert_snapshot!(format!("accept_{case}_{format}"), run.stdout);
    }
}

#[test]
fn an_accepted_break_passes_and_is_shown_in_every_format() {
    accept_in_every_format(
        "accepted",
        ORDER_BREAKING,
        "2030-06-30",
        0,
        "no consumers yet",
    );
    // Without the entry the same change fails: the accept is what lets it pass.
    let p = git_shop();
    p.write("schemas/orders.avsc", ORDER_BREAKING);
    p.run(&["check", "--against", "HEAD"]).code(1);
}

#[test]
fn an_expired_accept_accepts_nothing_and_says_so_in_every_format() {
    accept_in_every_format("expired", ORDER_BREAKING, "2030-07-01", 1, "ACCEPT_EXPIRED");
    let p = git_shop();
    p.write("schemas/orders.avsc", ORDER_BREAKING);
    p.write("schemagate.toml", &format!("{PROJECT}{ACCEPT_COUPON}"));
    let mut cmd = p.cmd(&["check", "--against", "HEAD", "--format", "json"]);
    cmd.env("SCHEMAGATE_TODAY", "2030-07-01");
    let doc = Run::from(cmd.output().unwrap()).json();
    let notes = doc["results"][0]["findings"].as_array().unwrap();
    let rules: Vec<&str> = notes.iter().map(|n| n["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        ["READER_FIELD_MISSING_DEFAULT_VALUE", "ACCEPT_EXPIRED"]
    );
    assert!(notes.iter().all(|n| n.get("accepted").is_none()), "{doc}");
    // The expiry note points at the entry's header line in schemagate.toml.
    assert_eq!(notes[1]["file"], "schemagate.toml");
    assert_eq!(notes[1]["line"], PROJECT.lines().count() + 2);
}

#[test]
fn a_stale_accept_is_a_warning_in_every_format_and_does_not_fail() {
    accept_in_every_format("stale", ORDER_COMPATIBLE, "2030-01-01", 0, "ACCEPT_STALE");
}

#[test]
fn an_accept_narrower_than_the_finding_does_not_accept_it() {
    let p = git_shop();
    p.write("schemas/orders.avsc", ORDER_BREAKING);
    let other_path = ACCEPT_COUPON.replace("/fields/**", "/fields/1");
    p.write("schemagate.toml", &format!("{PROJECT}{other_path}"));
    let mut cmd = p.cmd(&["check", "--against", "HEAD"]);
    cmd.env("SCHEMAGATE_TODAY", "2030-01-01");
    Run::from(cmd.output().unwrap())
        .code(1)
        .stdout_has("orders-value BREAKING")
        .stdout_has("warning[ACCEPT_STALE]");
}

#[test]
fn accept_entries_are_validated_on_load_naming_the_entry_and_the_key() {
    let p = git_shop();
    for (from, to, says) in [
        (
            "READER_FIELD_MISSING_DEFAULT_VALUE",
            "NO_SUCH_RULE",
            "[[accept]] entry 1 (subject \"orders-value\"): `rule`: \"NO_SUCH_RULE\" is no rule id",
        ),
        (
            "2030-06-30",
            "2030-02-30",
            "`until`: \"2030-02-30\" is not a date",
        ),
        ("no consumers yet", " ", "`reason` is empty"),
        (
            "/fields/**",
            "fields",
            "`path`: \"fields\" is not a JSON pointer",
        ),
        (
            "subject = \"orders-value\"",
            "subject = \"nope-value\"",
            "no [[subjects]] entry maps it",
        ),
    ] {
        let entry = ACCEPT_COUPON.replace(from, to);
        p.write("schemagate.toml", &format!("{PROJECT}{entry}"));
        p.run(&["check", "--against", "HEAD"])
            .code(2)
            .stderr_has(says);
    }
    let missing = ACCEPT_COUPON.replace("until = \"2030-06-30\"\n", "");
    p.write("schemagate.toml", &format!("{PROJECT}{missing}"));
    p.run(&["check", "--against", "HEAD"])
        .code(2)
        .stderr_has("missing field `until`");
    p.write("schemagate.toml", &format!("{PROJECT}{ACCEPT_COUPON}"));
    let mut cmd = p.cmd(&["check", "--against", "HEAD"]);
    cmd.env("SCHEMAGATE_TODAY", "tomorrow");
    Run::from(cmd.output().unwrap())
        .code(2)
        .stderr_has("SCHEMAGATE_TODAY");
}

fn event_record(full_name: &str) -> String {
    let (namespace, name) = full_name.rsplit_once('.').unwrap();
    format!(
        r#"{{"type":"record","name":"{name}","namespace":"{namespace}","fields":[{{"name":"id","type":"string"}}]}}"#
    )
}

#[test]
fn init_maps_files_named_after_their_full_record_name() {
    // Regression: both stems were "com", so both files were "com-value" and init
    // stopped with 'subject "com-value" is mapped twice (this is a bug)'.
    let p = Project::new();
    p.write(
        "schemas/com.acme.Event1.avsc",
        &event_record("com.acme.Event1"),
    )
    .write(
        "schemas/com.acme.Event2.avsc",
        &event_record("com.acme.Event2"),
    );
    p.run(&["init"]).code(0).stdout_has("2 subjects: 2 written");
    let toml = p.read("schemagate.toml");
    assert!(toml.contains("subject = \"com.acme.Event1\""), "{toml}");
    assert!(toml.contains("subject = \"com.acme.Event2\""), "{toml}");
    p.run(&["check", "--against", "."])
        .code(0)
        .stdout_has("2 unchanged");
}

#[test]
fn init_writes_one_glob_entry_for_many_files_named_alike() {
    let p = Project::new();
    for i in 0..40 {
        p.write(
            &format!("schemas/topics/topic{i}.avsc"),
            &event_record(&format!("shop.Topic{i}")),
        );
    }
    for i in 0..6 {
        let name = format!("com.acme.Event{i}");
        p.write(&format!("schemas/events/{name}.avsc"), &event_record(&name));
    }
    // Fewer than five files keep one entry each.
    p.write("schemas/orders.avsc", ORDER_V1);
    p.run(&["init"])
        .code(0)
        .stdout_has("47 subjects: 47 written");
    let toml = p.read("schemagate.toml");
    assert_eq!(toml.matches("\n[[subjects]]\n").count(), 3, "{toml}");
    assert!(
        toml.contains("glob = \"schemas/topics/*.avsc\"\nstrategy = \"topic\""),
        "{toml}"
    );
    assert!(
        toml.contains("glob = \"schemas/events/*.avsc\"\nstrategy = \"record\""),
        "{toml}"
    );
    assert!(toml.contains("subject = \"orders-value\""), "{toml}");
    let doc = p
        .run(&["check", "--against", ".", "--format", "json"])
        .json();
    let names: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 47);
    assert!(names.contains(&"topic17-value"), "{names:?}");
    assert!(names.contains(&"com.acme.Event5"), "{names:?}");
    // A file the glob would match but that is no schema keeps the files apart.
    p.write("schemas/topics/notes.avsc", "not json");
    p.run(&["init", "--force"]).code(0);
    let toml = p.read("schemagate.toml");
    assert!(!toml.contains("schemas/topics/*.avsc"), "{toml}");
}

#[test]
fn explain_shows_an_example_and_the_finding_the_engine_reports_on_it() {
    let p = Project::new();
    p.run(&["explain", "READER_FIELD_MISSING_DEFAULT_VALUE"])
        .code(0)
        .stdout_has("  example:  AVRO under BACKWARD, checked by the engine now:\n    old     {")
        .stdout_has("    finding breaking READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1: ");
    p.run(&["explain", "PATTERN_ADDED"])
        .code(0)
        .stdout_has("  example:  JSON under BACKWARD")
        .stdout_has("    finding breaking PATTERN_ADDED at /properties/sku");
}
