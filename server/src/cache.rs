//! A bounded map of rendered answers, each tagged with the registry state it was
//! computed from.
//!
//! Two generations instead of an LRU list: inserts go to the young map; when it
//! reaches half the budget the old map is dropped and the young one takes its place.
//! A hit in the old map moves the entry back to the young one, so entries read at
//! least once per generation stay while the rest age out, and every operation is
//! O(1) with no per-hit bookkeeping beyond a read lock.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;

/// Bookkeeping a map entry costs beyond its value, counted against the byte budget so
/// that many tiny values cannot exceed it.
const ENTRY_OVERHEAD: usize = 64;

struct Entry<V> {
    tag: u64,
    value: V,
    bytes: usize,
}

struct Generations<K, V> {
    young: HashMap<K, Entry<V>>,
    young_bytes: usize,
    old: HashMap<K, Entry<V>>,
}

/// A cache holding at most `max_entries` values and about `max_bytes` of them.
pub struct Cache<K, V> {
    maps: RwLock<Generations<K, V>>,
    max_entries: usize,
    max_bytes: usize,
}

impl<K: Hash + Eq, V: Clone> Cache<K, V> {
    /// An empty cache with these bounds.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Cache {
            maps: RwLock::new(Generations {
                young: HashMap::new(),
                young_bytes: 0,
                old: HashMap::new(),
            }),
            max_entries: max_entries.max(2),
            max_bytes,
        }
    }

    /// The value under `key` if it was computed at `tag`; anything else is a miss.
    pub fn get<Q>(&self, key: &Q, tag: u64) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let maps = self.maps.read().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = maps.young.get(key) {
            return (e.tag == tag).then(|| e.value.clone());
        }
        match maps.old.get(key) {
            Some(e) if e.tag == tag => {
                let value = e.value.clone();
                drop(maps);
                self.promote(key);
                Some(value)
            }
            _ => None,
        }
    }

    fn promote<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut maps = self.maps.write().unwrap_or_else(|e| e.into_inner());
        let retired = match maps.old.remove_entry(key) {
            Some((k, e)) => self.admit(&mut maps, k, e),
            None => None,
        };
        drop(maps);
        drop(retired);
    }

    /// Stores `value` (about `bytes` long) under `key`, computed at `tag`. Values larger
    /// than a generation's byte budget are not kept.
    pub fn insert(&self, key: K, tag: u64, value: V, bytes: usize) {
        let bytes = bytes + ENTRY_OVERHEAD;
        if bytes > self.max_bytes / 2 {
            return;
        }
        let mut maps = self.maps.write().unwrap_or_else(|e| e.into_inner());
        maps.old.remove(&key);
        let retired = self.admit(&mut maps, key, Entry { tag, value, bytes });
        drop(maps);
        drop(retired);
    }

    /// Inserts into the young map, turning it old first when full; returns the map
    /// that aged out, for the caller to free after releasing the lock (thousands of
    /// frees should not stall readers).
    fn admit(
        &self,
        maps: &mut Generations<K, V>,
        key: K,
        entry: Entry<V>,
    ) -> Option<HashMap<K, Entry<V>>> {
        let mut retired = None;
        if maps.young.len() >= self.max_entries / 2
            || maps.young_bytes + entry.bytes > self.max_bytes / 2
        {
            let young = std::mem::take(&mut maps.young);
            retired = Some(std::mem::replace(&mut maps.old, young));
            maps.young_bytes = 0;
        }
        maps.young_bytes += entry.bytes;
        if let Some(replaced) = maps.young.insert(key, entry) {
            maps.young_bytes -= replaced.bytes;
        }
        retired
    }

    /// Drops everything.
    pub fn clear(&self) {
        let mut maps = self.maps.write().unwrap_or_else(|e| e.into_inner());
        maps.young.clear();
        maps.old.clear();
        maps.young_bytes = 0;
    }

    /// Entries held and their counted bytes (tests, and sizing decisions).
    pub fn usage(&self) -> (usize, usize) {
        let maps = self.maps.read().unwrap_or_else(|e| e.into_inner());
        let old_bytes: usize = maps.old.values().map(|e| e.bytes).sum();
        (
            maps.young.len() + maps.old.len(),
            maps.young_bytes + old_bytes,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_different_tag_is_a_miss() {
        let c: Cache<u32, u32> = Cache::new(8, 1 << 20);
        c.insert(1, 7, 10, 4);
        assert_eq!(c.get(&1, 7), Some(10));
        assert_eq!(c.get(&1, 8), None);
        c.insert(1, 8, 11, 4);
        assert_eq!(c.get(&1, 8), Some(11));
        assert_eq!(c.usage().0, 1);
    }

    #[test]
    fn entries_and_bytes_stay_bounded_and_hot_entries_survive() {
        let c: Cache<u32, u32> = Cache::new(100, 100 * (ENTRY_OVERHEAD + 10));
        for i in 0..10_000 {
            c.insert(i, 0, i, 10);
            // Key 0 is read all along, so it keeps being promoted.
            assert_eq!(c.get(&0, 0), Some(0), "after {i}");
            let (entries, bytes) = c.usage();
            assert!(entries <= 100, "{entries} entries");
            assert!(bytes <= 100 * (ENTRY_OVERHEAD + 10), "{bytes} bytes");
        }
        let c: Cache<u32, u32> = Cache::new(1000, 10 * (ENTRY_OVERHEAD + 100));
        for i in 0..1000 {
            c.insert(i, 0, i, 100);
        }
        assert!(c.usage().1 <= 10 * (ENTRY_OVERHEAD + 100));
        c.insert(5000, 0, 1, 1 << 20);
        assert_eq!(c.get(&5000, 0), None, "larger than the budget");
        c.clear();
        assert_eq!(c.usage(), (0, 0));
    }
}
