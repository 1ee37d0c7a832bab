//! The fuzz target bodies for schemagate-server, shared by the cargo-fuzz binaries in
//! `fuzz_targets/` and by the stable replay in `server/tests/server/hostile.rs` (which
//! includes this file as a module). Each takes arbitrary bytes and must return without
//! panicking; the properties asserted on the way are ones the server promises its
//! clients (see the README).
//!
//! A request is written as text: `METHOD TARGET`, then `Name: value` header lines, an
//! empty line and the body. `app_requests` takes several, separated by NUL bytes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use schemagate_core::{Level, Limits, Subject};
use schemagate_server::api::Params;
use schemagate_server::auth::policy::{Need, classify};
use schemagate_server::auth::{Credentials, MetricsAccess};
use schemagate_server::fuzzing;
use schemagate_server::metrics::Metrics;
use schemagate_server::registry::{
    Caller, IdRequest, Registry, SchemaFormat, SchemaInput, SchemaListing, Scope, VersionListing,
    VersionSpec,
};
use schemagate_server::store::forward::Forward;
use schemagate_server::store::sled::SledStore;
use schemagate_server::store::{SchemaId, Store};
use schemagate_server::{AppState, build_router};
use tower::ServiceExt as _;

/// Most requests one `app_requests` input sends: enough to register, read and delete.
const MAX_REQUESTS: usize = 8;
/// The body limit of the fuzzed app: small, so that the 413 path is reachable.
const MAX_BODY: usize = 4096;

/// One request as the text format above spells it.
struct RawRequest<'a> {
    method: &'a [u8],
    target: &'a [u8],
    headers: Vec<(&'a [u8], &'a [u8])>,
    body: &'a [u8],
}

fn split_at_byte(data: &[u8], byte: u8) -> (&[u8], Option<&[u8]>) {
    match data.iter().position(|b| *b == byte) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    }
}

/// Reads the text format; a first line without a space is a GET of that target.
fn raw_request(data: &[u8]) -> RawRequest<'_> {
    let (line, mut rest) = split_at_byte(data, b'\n');
    let (method, target) = match split_at_byte(line, b' ') {
        (method, Some(target)) => (method, target),
        (target, None) => (&b"GET"[..], target),
    };
    let mut headers = Vec::new();
    while let Some(more) = rest {
        let (line, after) = split_at_byte(more, b'\n');
        rest = after;
        if line.is_empty() {
            break;
        }
        if let (name, Some(value)) = split_at_byte(line, b':') {
            headers.push((name, value.trim_ascii()));
        }
    }
    RawRequest {
        method,
        target,
        headers,
        body: rest.unwrap_or_default(),
    }
}

/// `request_parse`: one request through every parser that sees it before or beside the
/// router: the trailing-slash trim, the hot-route recogniser, the authorisation
/// classifier, the query parser, the `Authorization` parser, version specs and the JSON
/// body decoder.
pub fn request_parse(data: &[u8]) {
    let raw = raw_request(data);
    for (_, value) in &raw.headers {
        let _ = Credentials::parse(value);
    }
    let _ = Credentials::parse(raw.body);
    body_decodes(raw.body);
    let target = String::from_utf8_lossy(raw.target);
    for segment in target.split(['/', '?', '&', '=']) {
        version_spec(segment);
    }
    let (Ok(method), Ok(uri)) = (Method::from_bytes(raw.method), Uri::try_from(raw.target)) else {
        return; // hyper refuses these before the service sees them
    };
    let mut trimmed = uri.clone();
    fuzzing::trim_trailing_slash(&mut trimmed);
    // Only a path longer than "/" is trimmed (an authority-form target has none at all).
    let expected = match uri.path().trim_end_matches('/') {
        _ if uri.path().len() <= 1 => uri.path(),
        "" => "/",
        path => path,
    };
    assert_eq!(trimmed.path(), expected, "trimmed path of {uri}");
    assert_eq!(
        trimmed.query(),
        uri.query(),
        "query of {uri} after the trim"
    );
    let mut again = trimmed.clone();
    fuzzing::trim_trailing_slash(&mut again);
    assert_eq!(again, trimmed, "trim is not idempotent on {uri}");

    let params = Params::from_uri(&trimmed);
    for name in [
        "deleted",
        "deletedOnly",
        "permanent",
        "normalize",
        "verbose",
    ] {
        let _ = params.flag(name);
    }
    let _ = (params.text("subjectPrefix"), params.page());

    let needs: Vec<Need> = [
        MetricsAccess::Open,
        MetricsAccess::Read,
        MetricsAccess::Admin,
    ]
    .into_iter()
    .map(|access| classify(&method, &uri, access))
    .collect();
    if let Some((pattern, segments)) = fuzzing::recognise(&method, trimmed.path()) {
        hot_route_agrees(&method, &trimmed, pattern, &segments, &needs[0]);
    }
}

/// A hot route must be exactly what its router pattern matches, and authorisation must
/// see the subject the handler will get.
fn hot_route_agrees(method: &Method, uri: &Uri, pattern: &str, segments: &[&str], need: &Need) {
    assert!(
        *method == Method::GET || *method == Method::POST,
        "hot route for {method}"
    );
    let mut rebuilt = String::new();
    let mut rest = pattern;
    let mut values = segments.iter();
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').expect("pattern closes its braces") + open;
        let value = values.next().expect("a segment for every parameter");
        assert!(
            !value.is_empty() && !value.contains(['/', '%']),
            "hot segment {value:?} of {uri}"
        );
        rebuilt.push_str(&rest[..open]);
        rebuilt.push_str(value);
        rest = &rest[close + 1..];
    }
    rebuilt.push_str(rest);
    assert!(values.next().is_none(), "more segments than {pattern}");
    assert_eq!(rebuilt, uri.path(), "{pattern} does not match {uri}");
    if pattern.starts_with("/subjects/") {
        assert_eq!(
            *need,
            Need::Subject(schemagate_server::auth::Role::Read, segments[0].to_owned()),
            "authorisation of {method} {uri}"
        );
    }
}

/// A version spec that parses is one the API can print back.
fn version_spec(segment: &str) {
    match VersionSpec::parse(segment) {
        Ok(VersionSpec::Latest) => {
            assert!(segment.eq_ignore_ascii_case("latest") || segment == "-1");
        }
        Ok(VersionSpec::Number(n)) => {
            assert!(n >= 1, "version {n} from {segment:?}");
            assert_eq!(
                VersionSpec::parse(&n.to_string()).ok(),
                Some(VersionSpec::Number(n))
            );
        }
        Err(_) => {}
    }
}

/// The body decoder: blank is `{}`, anything else is JSON or a 400 message.
fn body_decodes(body: &[u8]) {
    let input = fuzzing::decode_json::<SchemaInput>(body);
    if body.iter().all(u8::is_ascii_whitespace) {
        let input = input.expect("a blank body reads as {}");
        assert!(input.schema.is_none() && input.schema_type.is_none());
    }
    let _ = fuzzing::decode_json::<serde_json::Value>(body);
}

/// The state every input of a target reuses: opening sled per input would dominate.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    store: Arc<SledStore>,
}

/// A data directory per process under the temp dir. A fuzzer stops with `exit`, which
/// runs no destructor, so directories of processes that are gone are swept here.
fn scratch_dir(target: &str) -> PathBuf {
    let root = std::env::temp_dir().join("schemagate-fuzz");
    if Path::new("/proc/self").exists()
        && let Ok(entries) = std::fs::read_dir(&root)
    {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let pid = name.rsplit('-').next().unwrap_or_default();
            if !Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = root.join(format!("{target}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn fixture(cell: &'static OnceLock<Mutex<Fixture>>, target: &str) -> MutexGuard<'static, Fixture> {
    let fixture = cell.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        let store = SledStore::open(&scratch_dir(target)).expect("sled store");
        Mutex::new(Fixture {
            runtime,
            store: Arc::new(store),
        })
    });
    // A panic is the finding; the next input starts over from a cleared store anyway.
    let fixture = fixture.lock().unwrap_or_else(PoisonError::into_inner);
    fuzzing::clear(&fixture.store).expect("clear the store");
    fixture
}

/// A fresh registry over the fixture's (cleared) store: no cache survives an input.
fn registry(store: &Arc<SledStore>) -> Arc<Registry> {
    let store: Arc<dyn Store> = Arc::clone(store) as Arc<dyn Store>;
    // Durability is not what is fuzzed, and an fsync per registration would halve the
    // rate.
    let store = Forward::new(store).on_flush(|_, _| Ok(()));
    Arc::new(Registry::new(
        Arc::new(store),
        Level::Backward,
        Limits::default(),
    ))
}

/// `app_requests`: up to [`MAX_REQUESTS`] requests (NUL-separated) through the real
/// service, in process, on an empty sled store. No answer may be a 5xx; every 4xx is a
/// Confluent error body whose code starts with its status; a hot route answers what
/// the router answers for the same request, cached or not.
pub fn app_requests(data: &[u8]) {
    static APP: OnceLock<Mutex<Fixture>> = OnceLock::new();
    let fixture = fixture(&APP, "app_requests");
    let state = AppState {
        registry: registry(&fixture.store),
        metrics: Arc::new(Metrics::default()),
        max_body: MAX_BODY,
        request_timeout: Duration::from_secs(60),
    };
    let app = build_router(state);
    fixture.runtime.block_on(async {
        for chunk in data.split(|b| *b == 0).take(MAX_REQUESTS) {
            let raw = raw_request(chunk);
            let Some(first) = send(&app, &raw, raw.target).await else {
                continue;
            };
            let Ok(method) = Method::from_bytes(raw.method) else {
                continue;
            };
            let Ok(uri) = Uri::try_from(raw.target) else {
                continue;
            };
            let mut trimmed = uri.clone();
            fuzzing::trim_trailing_slash(&mut trimmed);
            if method == Method::POST && first.0 == StatusCode::OK {
                registered_id_is_served(&app, &trimmed, &first.1).await;
            }
            if method != Method::GET || fuzzing::recognise(&method, trimmed.path()).is_none() {
                continue;
            }
            // The first answer filled the cache; the second comes from the hot path, the
            // third from the router (a percent-encoded first character is not hot).
            let again = send(&app, &raw, raw.target).await;
            assert_eq!(again.as_ref(), Some(&first), "cached {uri}");
            let routed = percent_encode_first(&trimmed);
            let third = send(&app, &raw, routed.as_bytes()).await;
            assert_eq!(third.as_ref(), Some(&first), "{routed} against {uri}");
        }
    });
}

/// After a registration (`POST /subjects/{s}/versions` answered `{"id": n}`), the id
/// must be served at once: serializers fetch it right after registering.
async fn registered_id_is_served(app: &schemagate_server::App, uri: &Uri, answer: &[u8]) {
    let registering = uri
        .path()
        .strip_prefix("/subjects/")
        .and_then(|rest| rest.strip_suffix("/versions"))
        .is_some_and(|subject| !subject.is_empty() && !subject.contains('/'));
    if !registering {
        return;
    }
    let answer: serde_json::Value = serde_json::from_slice(answer).expect("a JSON answer");
    let id = answer["id"].as_u64().expect("an id");
    let target = format!("/schemas/ids/{id}");
    let get = RawRequest {
        method: b"GET",
        target: target.as_bytes(),
        headers: Vec::new(),
        body: b"",
    };
    let served = send(app, &get, target.as_bytes()).await;
    assert_eq!(
        served.map(|(status, _)| status),
        Some(StatusCode::OK),
        "registered {id} at {uri}, not served"
    );
}

/// `uri` with the first character after the route's fixed prefix percent-encoded.
fn percent_encode_first(uri: &Uri) -> String {
    let path = uri.path();
    let at = if path.starts_with("/schemas/ids/") {
        "/schemas/ids/".len()
    } else {
        "/subjects/".len()
    };
    let mut out = format!(
        "{}%{:02X}{}",
        &path[..at],
        path.as_bytes()[at],
        &path[at + 1..]
    );
    if let Some(query) = uri.query() {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// Sends `raw` (to `target`) and checks the answer; `None` when the request is one hyper
/// would refuse before the service.
async fn send(
    app: &schemagate_server::App,
    raw: &RawRequest<'_>,
    target: &[u8],
) -> Option<(StatusCode, Vec<u8>)> {
    let method = Method::from_bytes(raw.method).ok()?;
    let mut request = Request::builder()
        .method(method.clone())
        .uri(Uri::try_from(target).ok()?);
    for (name, value) in &raw.headers {
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            request = request.header(name, value);
        }
    }
    let request = request.body(Body::from(raw.body.to_vec())).ok()?;
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let json_type = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the answer's body");
    let shown = || {
        format!(
            "{method} {} -> {status} {}",
            String::from_utf8_lossy(target),
            String::from_utf8_lossy(&body)
        )
    };
    assert!(!status.is_server_error(), "{}", shown());
    // Schema texts are served raw with the JSON media type too: both languages are JSON.
    if json_type && method != Method::HEAD {
        let parsed = serde_json::from_slice::<serde_json::Value>(&body);
        assert!(
            parsed.is_ok(),
            "a JSON answer that is not JSON: {}",
            shown()
        );
    }
    if status.is_client_error() && method != Method::HEAD {
        let error: serde_json::Value = serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("error body is not JSON ({e}): {}", shown()));
        let code = error["error_code"].as_u64().unwrap_or_default();
        assert!(
            code.to_string().starts_with(&status.as_u16().to_string()),
            "{}",
            shown()
        );
        assert!(error["message"].is_string(), "{}", shown());
        assert_eq!(error.as_object().map(|o| o.len()), Some(2), "{}", shown());
    }
    Some((status, body.to_vec()))
}

/// One raw record of a `store_records` input.
struct Record<'a> {
    tree: usize,
    key: &'a [u8],
    value: &'a [u8],
}

/// The next record and what follows it: tree index, key of up to 255 bytes, value of up
/// to 65,535 (length big-endian); `None` at the end of the input.
fn next_record(data: &[u8]) -> Option<(Record<'_>, &[u8])> {
    let (&tree, rest) = data.split_first()?;
    let (&key_len, rest) = rest.split_first()?;
    let key = rest.get(..usize::from(key_len))?;
    let rest = &rest[key.len()..];
    let value_len = u16::from_be_bytes([*rest.first()?, *rest.get(1)?]);
    let rest = &rest[2..];
    let value = rest.get(..usize::from(value_len))?;
    let record = Record {
        tree: usize::from(tree),
        key,
        value,
    };
    Some((record, &rest[value.len()..]))
}

/// `store_records`: raw records written straight into the sled store's trees (corrupt
/// ones included), then every store read and every registry use case that reads them,
/// and a few writes over them. All must answer `Ok` or `Err`, never panic.
pub fn store_records(data: &[u8]) {
    static STORE: OnceLock<Mutex<Fixture>> = OnceLock::new();
    let fixture = fixture(&STORE, "store_records");
    let store = &fixture.store;
    let mut subjects: BTreeSet<String> = BTreeSet::from(["a".to_owned()]);
    let mut ids: BTreeSet<SchemaId> = [0, 1, 2, u32::MAX].into_iter().map(SchemaId).collect();
    let mut versions: BTreeSet<i32> = BTreeSet::from([-1, 0, 1, 2, i32::MAX]);
    let mut content_keys: Vec<[u8; 32]> = vec![[0; 32]];
    let mut rest = data;
    while let Some((Record { tree, key, value }, tail)) = next_record(rest) {
        rest = tail;
        fuzzing::put_raw(store, tree, key, value).expect("raw write");
        // Every decoder on every record, whichever tree it went to.
        let mut version = 1;
        if let Ok((subject, v)) = fuzzing::split_version_key(key) {
            subjects.insert(subject);
            versions.insert(v);
            version = v;
        }
        if let Some(Ok((subject, _))) = key.get(4..).map(fuzzing::split_version_key) {
            subjects.insert(subject);
        }
        let _ = fuzzing::decode_version_value(version, value);
        for bytes in [key, value, key.get(..4).unwrap_or_default()] {
            if let Ok(id) = fuzzing::be_id(bytes) {
                ids.insert(id);
            }
        }
        if let Ok(content_key) = <[u8; 32]>::try_from(key) {
            content_keys.push(content_key);
        }
    }
    // Bounded, so that an input with many records stays quick.
    let subjects: Vec<String> = subjects.into_iter().take(8).collect();
    let ids: Vec<SchemaId> = ids.into_iter().take(12).collect();
    let versions: Vec<i32> = versions.into_iter().take(8).collect();

    store_reads(store.as_ref(), &subjects, &ids, &versions, &content_keys);
    let registry = registry(store);
    // The registry takes names that passed the HTTP edge: the others end there.
    let names: Vec<Subject> = subjects
        .iter()
        .filter_map(|s| Subject::parse(s).ok())
        .collect();
    registry_reads(&registry, &names, &ids, &versions);
    registry_writes(&registry, &names);
    // What the writes left must still read without a panic.
    store_reads(store.as_ref(), &subjects, &ids, &versions, &content_keys);
}

fn store_reads(
    store: &dyn Store,
    subjects: &[String],
    ids: &[SchemaId],
    versions: &[i32],
    content_keys: &[[u8; 32]],
) {
    let _ = (store.config(None), store.mode(None), store.next_id(""));
    let _ = store.contexts();
    let _ = (store.counts(), store.all_versions());
    // The DEK registry's records: every KEK, and DEKs under names the records gave.
    let _ = (store.keks(), store.key_counts());
    for name in subjects {
        let _ = (store.kek(name), store.deks(name));
        for subject in subjects {
            let _ = store.subject_deks(name, subject);
        }
    }
    for key in content_keys {
        let _ = store.id_for_key(key);
    }
    for &id in ids {
        let _ = (store.schema("", id), store.usages(id));
    }
    for subject in subjects {
        let _ = store.versions(subject);
        let _ = store.latest_version(subject, false);
        let _ = store.latest_version(subject, true);
        let _ = (store.config(Some(subject)), store.mode(Some(subject)));
        for &version in versions {
            let _ = store.version(subject, version);
            let _ = store.referrers(subject, version);
        }
    }
}

fn registry_reads(registry: &Registry, subjects: &[Subject], ids: &[SchemaId], versions: &[i32]) {
    let _ = registry.counts();
    let _ = (
        registry.get_config(None, true),
        registry.get_mode(None, true),
    );
    for deleted in [false, true] {
        let _ = registry.list_subjects("", deleted, !deleted, 0, -1);
        let listing = SchemaListing {
            deleted,
            latest_only: !deleted,
            limit: -1,
            ..SchemaListing::default()
        };
        let _ = registry.list_schemas(Caller::ANYONE, &listing);
        for &id in ids {
            let _ = registry.id_subjects(id, None, deleted, 0, -1);
            let _ = registry.id_versions(id, None, deleted, 1, 1);
        }
    }
    for &id in ids {
        let _ = registry.schema_by_id(Caller::ANYONE, id);
    }
    for subject in subjects {
        for (deleted, deleted_only, deleted_as_negative) in [
            (false, false, false),
            (true, false, false),
            (false, true, true),
        ] {
            let listing = VersionListing {
                deleted,
                deleted_only,
                deleted_as_negative,
            };
            let _ = registry.list_versions(subject, listing, 0, -1);
        }
        let scope = Scope::Subject(subject.clone());
        let _ = registry.get_config(Some(&scope), true);
        let _ = registry.get_mode(Some(&scope), true);
        let ask = IdRequest {
            subject: Some(subject.as_str().to_owned()),
            format: SchemaFormat::Resolved,
            fetch_max_id: true,
            qualified_refs: true,
        };
        let _ = registry.schema_by_id_with(Caller::ANYONE, SchemaId(1), &ask);
        // The data-contract reads: by GUID, and the newest version with metadata.
        if let Ok(view) = registry.get_version(subject, VersionSpec::Latest, true) {
            let _ = registry.schema_by_guid(Caller::ANYONE, &view.guid);
            let _ = registry.ids_by_guid(&view.guid);
        }
        let _ = registry.latest_with_metadata(Caller::ANYONE, subject, &[], true);
        let specs = versions
            .iter()
            .filter_map(|v| VersionSpec::parse(&v.to_string()).ok())
            .chain([VersionSpec::Latest]);
        for spec in specs {
            let _ = registry.get_version(subject, spec, false);
            let _ = registry.version_json(Caller::ANYONE, subject, spec, true);
            let _ = registry.referenced_by(subject, spec, false, 0, -1);
            let _ = registry.referenced_by(subject, spec, true, 1, 5000);
            let _ = registry.version_formatted(
                Caller::ANYONE,
                subject,
                spec,
                true,
                SchemaFormat::Resolved,
                true,
            );
        }
    }
}

fn registry_writes(registry: &Registry, subjects: &[Subject]) {
    let input = SchemaInput {
        schema: Some(r#"{"type":"record","name":"R","fields":[]}"#.to_owned()),
        ..SchemaInput::default()
    };
    for subject in subjects.iter().take(2) {
        let _ = registry.register(Caller::ANYONE, subject, &input, None, None, false);
        let _ = registry.lookup(subject, &input, false, true);
        let _ = registry.check_compatibility(
            Caller::ANYONE,
            subject,
            Some(VersionSpec::Latest),
            &input,
            false,
            true,
        );
        let _ = registry.delete_version(subject, VersionSpec::Number(1), false);
        let _ = registry.delete_subject(subject, false);
        let _ = registry.delete_subject(subject, true);
    }
}
