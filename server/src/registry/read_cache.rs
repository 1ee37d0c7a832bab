//! Every cache of rendered answers and parsed schemas, and the rule that retires them.
//!
//! Answers are tagged with an epoch when they are built and served only while the
//! epoch is unchanged. [`Registry::epoch`] moves with every commit applied here and
//! every change another process reports through the store; [`Registry::id_epoch`]
//! (for what an id shows, which never changes while the id exists) moves only with
//! permanent deletes, here or elsewhere. A new cache belongs here, tagged with one of
//! the two, so that no write can forget to retire it.

use super::*;

/// The caches, each bounded in entries and bytes.
pub(super) struct ReadCache {
    /// Hot-path bodies of `GET /schemas/ids/{id}` (ids of the default context, which
    /// the path without `?subject=` names), tagged with [`Registry::id_epoch`]: a
    /// permanent delete is the only thing that can make an id unresolvable.
    pub(super) id_docs: Cache<SchemaId, Arc<IdDoc>>,
    /// Permanent deletes so far (see [`Registry::id_epoch`]).
    pub(super) forgets: AtomicU64,
    /// Rendered `GET /subjects/{s}/versions/{v}` bodies, tagged with [`Registry::epoch`].
    pub(super) version_docs: Cache<[u8; 32], Bytes>,
    /// Rendered `POST /subjects/{s}` answers, tagged with [`Registry::epoch`].
    pub(super) lookup_docs: Cache<[u8; 32], Bytes>,
    /// Lookup answers by the request's exact body, tagged with [`Registry::epoch`]: a
    /// producer sends the same bytes at every start, and matching them skips the JSON
    /// parse and the content digest. The key is a fast hash seeded per process; each
    /// entry keeps what it answers, so a collision is a miss, never a wrong answer.
    pub(super) body_lookups: Cache<u64, Arc<BodyLookup>>,
    /// The per-process seed of `body_lookups`' keys.
    pub(super) body_lookup_seed: u64,
    /// Parsed history for compatibility checks, so a registration does not re-parse
    /// every earlier version; by context prefix and id.
    pub(super) parsed: Cache<(String, SchemaId), Arc<ParsedSchema>>,
    /// Recently parsed request schemas by digest of their exact input: producers look
    /// up and re-register the same text at every start, and parsing (metaschema
    /// validation, compiling a JSON validator) dwarfs everything else on that path.
    pub(super) inputs: Cache<[u8; 32], Arc<ParsedSchema>>,
}

impl ReadCache {
    pub(super) fn new() -> ReadCache {
        ReadCache {
            id_docs: Cache::new(ID_CACHE_MAX_ENTRIES, ID_CACHE_MAX_BYTES),
            forgets: AtomicU64::new(0),
            version_docs: Cache::new(BODY_CACHE_MAX_ENTRIES, BODY_CACHE_MAX_BYTES),
            lookup_docs: Cache::new(BODY_CACHE_MAX_ENTRIES, BODY_CACHE_MAX_BYTES),
            body_lookups: Cache::new(BODY_CACHE_MAX_ENTRIES, BODY_CACHE_MAX_BYTES),
            body_lookup_seed: std::hash::RandomState::new().hash_one(0u8),
            parsed: Cache::new(PARSED_CACHE_MAX_ENTRIES, PARSED_CACHE_MAX_BYTES),
            inputs: Cache::new(INPUT_CACHE_MAX_ENTRIES, INPUT_CACHE_MAX_BYTES),
        }
    }
}

/// A lookup request as sent, with the answer it got.
pub(super) struct BodyLookup {
    pub(super) subject: Box<str>,
    pub(super) flags: u8,
    /// A copy of exactly the body: the request's own `Bytes` may be a slice of a much
    /// larger read buffer, which the entry would keep alive uncounted.
    pub(super) body: Bytes,
    pub(super) answer: Bytes,
    /// The subjects the body's references name, checked against the caller on a hit.
    pub(super) referenced: Box<[Box<str>]>,
}

/// Bounds of the id-body cache: every schema of a 10k registry fits, a 100k one cannot
/// grow the process without limit.
const ID_CACHE_MAX_ENTRIES: usize = 32 * 1024;
const ID_CACHE_MAX_BYTES: usize = 16 << 20;
/// Bounds of each of the version-body and lookup-answer caches.
const BODY_CACHE_MAX_ENTRIES: usize = 16 * 1024;
const BODY_CACHE_MAX_BYTES: usize = 8 << 20;

/// Inputs larger than this are parsed every time rather than cached.
pub(super) const INPUT_CACHE_MAX_TEXT: usize = 64 * 1024;
/// Bounds of the parsed-input cache and of the parsed stored-schema cache (entries,
/// bytes of memory as `ParsedSchema::approximate_memory` estimates them: tens of
/// times a schema's text). A check that needs more history than fits parses the
/// rest again; it is slower, never wrong. The history cache holds a 100-version
/// history of 200-field schemas in any format.
const INPUT_CACHE_MAX_ENTRIES: usize = 4096;
const INPUT_CACHE_MAX_BYTES: usize = 32 << 20;
const PARSED_CACHE_MAX_ENTRIES: usize = 16 * 1024;
const PARSED_CACHE_MAX_BYTES: usize = 96 << 20;

impl Registry {
    /// After a permanent delete here (or a take-back): id bodies and parsed schemas
    /// start over.
    pub(super) fn forget_ids(&self) {
        self.cache.forgets.fetch_add(1, Ordering::SeqCst);
        self.cache.id_docs.clear();
        self.cache.parsed.clear();
    }

    /// The state of the registry that cached answers are tagged with: commits applied
    /// here (counted after the store applies them) plus changes other processes made
    /// to a shared store. Read it before reading the store, so that an entry is never
    /// tagged with a state newer than the data it was built from; both counters only
    /// grow, so an equal sum means nothing changed.
    pub(super) fn epoch(&self) -> u64 {
        self.commits
            .applied()
            .wrapping_add(self.store.external_changes())
    }

    /// [`Registry::epoch`] for id bodies, which only a permanent delete (here or in
    /// another process sharing the store) can invalidate, so that registrations do not
    /// empty the deserializers' cache.
    pub(super) fn id_epoch(&self) -> u64 {
        self.cache
            .forgets
            .load(Ordering::SeqCst)
            .wrapping_add(self.store.external_deletions())
    }
}
