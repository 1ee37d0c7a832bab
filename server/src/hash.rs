//! A fast hash for in-memory keys that are checked in full on every hit (metrics
//! labels, lookup request bodies). It is not collision-resistant: a crafted collision
//! can only make two entries share a slot and miss, never answer one with the other.

/// FxHash's multiply-rotate step, eight bytes at a time, over each part with its
/// length, so that `["ab", "c"]` and `["a", "bc"]` differ.
pub fn hash_parts(seed: u64, parts: &[&[u8]]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let mut h = seed;
    for part in parts {
        let mut words = part.chunks_exact(8);
        for word in &mut words {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(word);
            h = step(h, u64::from_le_bytes(bytes));
        }
        let rest = words.remainder();
        let mut bytes = [0u8; 8];
        bytes[..rest.len()].copy_from_slice(rest);
        h = step(h, u64::from_le_bytes(bytes));
        h = step(h, part.len() as u64);
    }
    h
}

/// A hasher for keys that are already hashes (`u64` map keys).
#[derive(Default)]
pub struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_parts(self.0, &[bytes]);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_lengths_and_seeds_all_count() {
        let h = |seed, parts: &[&[u8]]| hash_parts(seed, parts);
        assert_ne!(h(0, &[b"ab", b"c"]), h(0, &[b"a", b"bc"]));
        assert_ne!(h(0, &[b"abc"]), h(0, &[b"abc\0"]));
        assert_ne!(h(0, &[b"abcdefgh1"]), h(0, &[b"abcdefgh2"]));
        assert_ne!(h(1, &[b"abc"]), h(2, &[b"abc"]));
        assert_eq!(h(7, &[b"same", b"input"]), h(7, &[b"same", b"input"]));
        let distinct: std::collections::HashSet<u64> =
            (0..10_000u32).map(|i| h(0, &[&i.to_le_bytes()])).collect();
        assert_eq!(distinct.len(), 10_000);
    }
}
