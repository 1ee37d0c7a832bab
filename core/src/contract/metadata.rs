//! A schema's `metadata` (Confluent's data contracts): tags, properties and the names of
//! sensitive fields, with the merge rules and the `confluent:version` property the
//! registry applies on registration.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::lenient::{string_map, string_set, string_set_map};

/// The property a registration's version number is pinned under.
pub const CONFLUENT_VERSION: &str = "confluent:version";

/// Confluent's `Metadata`: every collection sorted, as Java's `TreeMap`/`TreeSet` keep
/// them, so that equal metadata serialises and hashes the same whatever order a client
/// sent. Empty collections are omitted from answers, as Jackson's `NON_EMPTY` does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Metadata {
    /// Tags per JSON path or field name.
    #[serde(
        default,
        deserialize_with = "string_set_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub tags: BTreeMap<String, BTreeSet<String>>,
    /// Free-form properties (owner, team, `confluent:version`, …).
    #[serde(
        default,
        deserialize_with = "string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub properties: BTreeMap<String, String>,
    /// Names of fields holding sensitive data.
    #[serde(
        default,
        deserialize_with = "string_set",
        skip_serializing_if = "BTreeSet::is_empty"
    )]
    pub sensitive: BTreeSet<String>,
}

impl Metadata {
    /// The `confluent:version` property, if set.
    pub fn confluent_version(&self) -> Option<&str> {
        self.property(CONFLUENT_VERSION)
    }

    /// Property `key`, if set.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(String::as_str)
    }

    /// A schema's value of compatibility group `group` (Confluent's
    /// `getCompatibilityGroupValue`): the metadata property of that name, `None` when
    /// the schema has no metadata or no such property (a group of its own).
    pub fn group_value<'a>(metadata: Option<&'a Metadata>, group: &str) -> Option<&'a str> {
        metadata.and_then(|m| m.property(group))
    }

    /// Confluent's `Metadata.mergeMetadata`: `new` wins key by key; a collection empty on
    /// one side is the other side's.
    pub fn merge(old: Option<&Metadata>, new: Option<&Metadata>) -> Option<Metadata> {
        match (old, new) {
            (None, new) => new.cloned(),
            (old, None) => old.cloned(),
            (Some(old), Some(new)) => Some(Metadata {
                tags: merge_maps(&old.tags, &new.tags),
                properties: merge_maps(&old.properties, &new.properties),
                sensitive: old.sensitive.union(&new.sensitive).cloned().collect(),
            }),
        }
    }

    /// `metadata` with `confluent:version` set to `version` (created when absent), as
    /// Confluent's `Metadata.setConfluentVersion`.
    pub fn with_confluent_version(metadata: Option<&Metadata>, version: i32) -> Metadata {
        let mut out = metadata.cloned().unwrap_or_default();
        out.properties
            .insert(CONFLUENT_VERSION.to_owned(), version.to_string());
        out
    }

    /// Feeds Confluent's MD5 (`Metadata.updateHash`): keys and values in sorted order,
    /// with no separators, exactly as Java does, so that GUIDs agree.
    pub(super) fn update_hash(&self, hash: &mut impl FnMut(&[u8])) {
        for (key, values) in &self.tags {
            hash(key.as_bytes());
            for v in values {
                hash(v.as_bytes());
            }
        }
        for (key, value) in &self.properties {
            hash(key.as_bytes());
            hash(value.as_bytes());
        }
        for s in &self.sensitive {
            hash(s.as_bytes());
        }
    }
}

fn merge_maps<V: Clone>(
    old: &BTreeMap<String, V>,
    new: &BTreeMap<String, V>,
) -> BTreeMap<String, V> {
    let mut out = old.clone();
    out.extend(new.iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}
