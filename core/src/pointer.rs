//! JSON pointer reference tokens (RFC 6901). Every path Schemagate reports (findings,
//! parse errors, event violations) is a JSON pointer, and they are all escaped here so
//! that a key holding `/` or `~` points at the same place whoever built the path, and
//! read back here by whoever follows one (the CLI, to find a finding's line).
//! [`counterpart`] carries a pointer from one version of a schema to the next, so that
//! a forward finding (whose pointer is into the old schema) can be shown in the new.

use std::borrow::Cow;

use serde_json::Value;

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

/// Reads one reference token back: `~1` becomes `/` and `~0` becomes `~` (in that
/// order, the reverse of [`escape`]'s).
pub fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// The reference tokens of a whole pointer, unescaped; `None` for a text that is not
/// a pointer (the empty pointer, the whole document, has none).
pub fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(rest.split('/').map(|t| unescape(t).into_owned()).collect())
}

/// The place in `new` that corresponds to `pointer`'s place in `old`, as a pointer
/// into `new`.
///
/// The two documents are walked together: object members match by key; an array of
/// objects with a `"name"` (Avro fields, named types in a union) matches by name, or
/// by a new element whose `"aliases"` hold the old name (a rename); an array of
/// strings (enum symbols, `required`) matches by value; any other array by index.
/// Where `new` has no counterpart (a field that was deleted), the walk stops at the
/// deepest place that exists, the parent.
pub fn counterpart(old: &Value, new: &Value, pointer: &str) -> String {
    let mut out = String::new();
    let Some(rest) = pointer.strip_prefix('/') else {
        return out;
    };
    let (mut o, mut n) = (Some(old), new);
    for token in rest.split('/') {
        let key = unescape(token);
        let next = match (o, n) {
            (_, Value::Object(map)) => map
                .get_key_value(key.as_ref())
                .map(|(k, v)| (k.clone(), v, o.and_then(|o| o.get(key.as_ref())))),
            (Some(Value::Array(olds)), Value::Array(news)) => {
                let Ok(i) = key.parse::<usize>() else {
                    break;
                };
                let Some(item) = olds.get(i) else {
                    break;
                };
                matching(i, item, news).map(|j| (j.to_string(), &news[j], Some(item)))
            }
            // The old document lost track (no such member): fall back to indices.
            (None, Value::Array(news)) => key
                .parse::<usize>()
                .ok()
                .and_then(|j| news.get(j).map(|v| (j.to_string(), v, None))),
            _ => None,
        };
        let Some((step, value, old_value)) = next else {
            break;
        };
        out.push('/');
        out.push_str(&escape(&step));
        n = value;
        o = old_value;
    }
    out
}

/// The index in `news` of the element that continues `item`, element `i` of the old
/// array.
fn matching(i: usize, item: &Value, news: &[Value]) -> Option<usize> {
    if let Some(name) = item.get("name").and_then(Value::as_str) {
        let by_name = news
            .iter()
            .position(|n| n.get("name").and_then(Value::as_str) == Some(name));
        return by_name.or_else(|| {
            news.iter().position(|n| {
                n.get("aliases")
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(|a| a.as_str() == Some(name)))
            })
        });
    }
    if item.is_string() {
        return news.iter().position(|n| n == item);
    }
    // Unnamed elements (union branches, tuple items): the same index, if it exists.
    (i < news.len()).then_some(i)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{counterpart, escape, unescape};

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
        assert_eq!(unescape(&escape("~01/")), "~01/");
    }

    #[test]
    fn counterparts_follow_names_aliases_symbols_and_keys() {
        let old = json!({"type": "record", "name": "R", "fields": [
            {"name": "id", "type": "string"},
            {"name": "carrier", "type": "string"},
            {"name": "zip", "type": "string"},
            {"name": "kind", "type": {"type": "enum", "name": "K", "symbols": ["A", "B"]}}
        ]});
        let new = json!({"type": "record", "name": "R", "fields": [
            {"name": "postcode", "type": "string", "aliases": ["zip"]},
            {"name": "id", "type": "long"},
            {"name": "kind", "type": {"type": "enum", "name": "K", "symbols": ["B", "C"]}}
        ]});
        assert_eq!(counterpart(&old, &new, "/fields/0/type"), "/fields/1/type");
        // Deleted: the parent.
        assert_eq!(counterpart(&old, &new, "/fields/1"), "/fields");
        assert_eq!(counterpart(&old, &new, "/fields/1/type"), "/fields");
        // Renamed through an alias.
        assert_eq!(counterpart(&old, &new, "/fields/2/type"), "/fields/0/type");
        assert_eq!(
            counterpart(&old, &new, "/fields/3/type/symbols/1"),
            "/fields/2/type/symbols/0"
        );
        assert_eq!(
            counterpart(&old, &new, "/fields/3/type/symbols/0"),
            "/fields/2/type/symbols"
        );
        assert_eq!(counterpart(&old, &new, ""), "");
        assert_eq!(counterpart(&old, &new, "/name"), "/name");
        let (a, b) = (json!({"a/b": {"x": 1}}), json!({"a/b": {"x": 2}}));
        assert_eq!(counterpart(&a, &b, "/a~1b/x"), "/a~1b/x");
    }
}
