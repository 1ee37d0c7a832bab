//! JSON pointer reference tokens (RFC 6901). Every path Schemagate reports (findings,
//! parse errors, event violations) is a JSON pointer, and they are all escaped here so
//! that a key holding `/` or `~` points at the same place whoever built the path, and
//! read back here by whoever follows one (the CLI, to find a finding's line).

use std::borrow::Cow;

/// Escapes `token` for use as one JSON pointer reference token: `~` becomes `~0` and
/// `/` becomes `~1` (in that order, so that a `/` is not read back as `~1`).
pub fn escape(token: &str) -> Cow<'_, str> {
    // Almost every key is a plain name: spare the two allocations of `replace`.
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

/// Reads one reference token back into the key it names: `~1` becomes `/` and `~0`
/// becomes `~` (in that order, so that `~01` is read as `~1`, not `/`).
pub fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

#[cfg(test)]
mod tests {
    use super::{escape, unescape};

    /// Keys and their tokens; the order of the replacements is what the last two test.
    const PAIRS: [(&str, &str); 5] = [
        ("plain", "plain"),
        ("a/b", "a~1b"),
        ("a~b", "a~0b"),
        ("~/", "~0~1"),
        ("~1", "~01"),
    ];

    #[test]
    fn tilde_is_escaped_before_slash() {
        for (key, token) in PAIRS {
            assert_eq!(escape(key), token);
        }
    }

    #[test]
    fn unescape_reads_back_what_escape_wrote() {
        for (key, token) in PAIRS {
            assert_eq!(unescape(token), key);
        }
    }
}
