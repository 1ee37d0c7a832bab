//! JSON pointer reference tokens (RFC 6901). Every path Schemagate reports (findings,
//! parse errors, event violations) is a JSON pointer, and they are all escaped here so
//! that a key holding `/` or `~` points at the same place whoever built the path.

use std::borrow::Cow;

/// Escapes `token` for use as one JSON pointer reference token: `~` becomes `~0` and
/// `/` becomes `~1` (in that order, so that a `/` is not read back as `~1`).
pub(crate) fn escape(token: &str) -> Cow<'_, str> {
    // Almost every key is a plain name: spare the two allocations of `replace`.
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn tilde_is_escaped_before_slash() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a/b"), "a~1b");
        assert_eq!(escape("a~b"), "a~0b");
        assert_eq!(escape("~/"), "~0~1");
        assert_eq!(escape("~1"), "~01");
    }
}
