//! The client's caches. Ids, GUIDs and numbered subject-versions are immutable, so
//! they are kept for the life of the client; `latest` moves, so it expires after a TTL.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::types::{SchemaById, SubjectVersion, VersionSpec};

#[derive(Debug, Default)]
struct Maps {
    by_id: HashMap<u32, Arc<SchemaById>>,
    by_guid: HashMap<String, Arc<SchemaById>>,
    versions: HashMap<(String, u32), Arc<SubjectVersion>>,
    latest: HashMap<String, (Instant, Arc<SubjectVersion>)>,
}

/// Shared by all clones of one client. A std mutex is right here: it is never held
/// across an await and every critical section is a map operation.
#[derive(Debug)]
pub(crate) struct Cache {
    latest_ttl: Duration,
    maps: Mutex<Maps>,
}

impl Cache {
    pub(crate) fn new(latest_ttl: Duration) -> Self {
        Cache {
            latest_ttl,
            maps: Mutex::new(Maps::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Maps> {
        // A panic elsewhere cannot leave a map half-updated (inserts are atomic), so a
        // poisoned lock is still usable.
        self.maps.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn by_id(&self, id: u32) -> Option<Arc<SchemaById>> {
        self.lock().by_id.get(&id).cloned()
    }

    pub(crate) fn put_by_id(&self, id: u32, schema: &Arc<SchemaById>) {
        self.lock().by_id.insert(id, Arc::clone(schema));
    }

    pub(crate) fn by_guid(&self, guid: &str) -> Option<Arc<SchemaById>> {
        self.lock().by_guid.get(guid).cloned()
    }

    pub(crate) fn put_by_guid(&self, guid: &str, schema: &Arc<SchemaById>) {
        self.lock()
            .by_guid
            .insert(guid.to_owned(), Arc::clone(schema));
    }

    pub(crate) fn version(&self, subject: &str, v: VersionSpec) -> Option<Arc<SubjectVersion>> {
        let maps = self.lock();
        match v {
            VersionSpec::Number(n) => maps.versions.get(&(subject.to_owned(), n)).cloned(),
            VersionSpec::Latest => maps
                .latest
                .get(subject)
                .filter(|(at, _)| at.elapsed() < self.latest_ttl)
                .map(|(_, s)| Arc::clone(s)),
        }
    }

    pub(crate) fn put_version(&self, subject: &str, v: VersionSpec, found: &Arc<SubjectVersion>) {
        let mut maps = self.lock();
        maps.versions
            .insert((subject.to_owned(), found.version), Arc::clone(found));
        maps.by_id
            .entry(found.id)
            .or_insert_with(|| Arc::new(SchemaById::from_version(found)));
        if v == VersionSpec::Latest && !self.latest_ttl.is_zero() {
            maps.latest
                .insert(subject.to_owned(), (Instant::now(), Arc::clone(found)));
        }
    }

    pub(crate) fn forget_latest(&self, subject: &str) {
        self.lock().latest.remove(subject);
    }

    pub(crate) fn forget_subject(&self, subject: &str) {
        let mut maps = self.lock();
        maps.latest.remove(subject);
        maps.versions.retain(|(s, _), _| s != subject);
    }
}
