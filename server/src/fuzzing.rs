//! Internals the fuzz targets in `server/fuzz` (and their stable replay in
//! `tests/server/hostile.rs`) call directly: the parsers the server runs on untrusted bytes,
//! and raw writes into the sled store's trees, so that the decoding of records no
//! [`Op`](crate::store::Op) would write can be fuzzed. Hidden from the docs and not an
//! API: every function is a thin wrapper, so that what is fuzzed is the product's code.

use axum::http::{Method, Uri};
use serde::de::DeserializeOwned;

use crate::store::VersionEntry;
use crate::store::sled::SledStore;

/// What the hot path recognises in `method` and an already trimmed `path`: the router
/// pattern of the route and its raw segments, in the pattern's order.
pub fn recognise<'a>(method: &Method, path: &'a str) -> Option<(&'static str, Vec<&'a str>)> {
    use crate::api::hot::HotRoute;
    let route = crate::api::hot::recognise(method, path)?;
    let segments = match route {
        HotRoute::ById(id) => vec![id],
        HotRoute::Version(subject, version) => vec![subject, version],
        HotRoute::Lookup(subject) => vec![subject],
    };
    Some((route.label(), segments))
}

/// The trailing-slash trim the service applies before routing.
pub fn trim_trailing_slash(uri: &mut Uri) {
    crate::api::trim_trailing_slash(uri);
}

/// The JSON body decoder every handler uses; the error is the client's message.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    crate::api::decode_json(bytes).map_err(|e| e.to_string())
}

/// Splits a `subject NUL version` key of the sled store.
pub fn split_version_key(key: &[u8]) -> Result<(String, i32), String> {
    crate::store::sled::split_version_key(key).map_err(|e| e.to_string())
}

/// Decodes a sled version record.
pub fn decode_version_value(version: i32, value: &[u8]) -> Result<VersionEntry, String> {
    crate::store::sled::decode_version_value(version, value).map_err(|e| e.to_string())
}

/// Decodes a sled 32-bit id or counter.
pub fn be_id(bytes: &[u8]) -> Result<crate::store::SchemaId, String> {
    crate::store::sled::be_id(bytes).map_err(|e| e.to_string())
}

/// The names of the store's trees, in a fixed order.
pub fn tree_names(store: &SledStore) -> Vec<&'static str> {
    store.raw_trees().map(|(name, _)| name).collect()
}

/// Empties every tree of the store, so that each fuzz input starts from nothing.
pub fn clear(store: &SledStore) -> Result<(), String> {
    for (_, tree) in store.raw_trees() {
        tree.clear().map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Writes `value` under `key` in the tree `tree` (an index into [`tree_names`], taken
/// modulo their number), bypassing every check of the store.
pub fn put_raw(store: &SledStore, tree: usize, key: &[u8], value: &[u8]) -> Result<(), String> {
    let count = store.raw_trees().count();
    let (_, tree) = store
        .raw_trees()
        .nth(tree % count)
        .ok_or_else(|| "no trees".to_owned())?;
    tree.insert(key, value).map_err(|e| e.to_string())?;
    Ok(())
}
