//! A small glob matcher for the project file: `*` and `?` within one path segment,
//! `**` across segments, `[abc]` classes. Paths use `/` whatever the platform, so one
//! `schemagate.toml` works on every CI runner.

use std::path::{Path, PathBuf};

/// Files under `root` whose path relative to it matches `pattern`, sorted. Hidden
/// directories and `target/` are not entered: they hold copies, never sources.
pub fn expand(root: &Path, pattern: &str) -> std::io::Result<Vec<PathBuf>> {
    let pattern = pattern.trim_start_matches("./");
    let segments: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    // Walk only from the literal prefix: `schemas/**/*.avsc` never reads `src/`.
    let literal = segments.iter().take_while(|s| !is_wild(s)).count();
    let literal = literal.min(segments.len().saturating_sub(1));
    let base: PathBuf = segments[..literal].iter().collect();
    let mut found = Vec::new();
    let start = root.join(&base);
    if start.is_dir() {
        walk(&start, &base, &mut |rel: &Path| {
            let text = rel_text(rel);
            let parts: Vec<&str> = text.split('/').collect();
            if matches(&segments, &parts) {
                found.push(rel.to_path_buf());
            }
        })?;
    }
    found.sort();
    Ok(found)
}

fn rel_text(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_wild(segment: &str) -> bool {
    segment.contains(['*', '?', '['])
}

fn walk(dir: &Path, rel: &Path, visit: &mut dyn FnMut(&Path)) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let rel = rel.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "target" {
                continue;
            }
            walk(&entry.path(), &rel, visit)?;
        } else if kind.is_file() || entry.path().is_file() {
            visit(&rel);
        }
    }
    Ok(())
}

/// Whether path segments `parts` match pattern segments `pattern`.
pub fn matches(pattern: &[&str], parts: &[&str]) -> bool {
    match pattern.split_first() {
        None => parts.is_empty(),
        Some((&"**", rest)) => (0..=parts.len()).any(|skip| matches(rest, &parts[skip..])),
        Some((first, rest)) => match parts.split_first() {
            Some((part, tail)) => {
                segment_matches(first.as_bytes(), part.as_bytes()) && matches(rest, tail)
            }
            None => false,
        },
    }
}

/// Wildcards within one segment, by backtracking over the last `*`: linear in
/// practice and never exponential.
fn segment_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    star = Some((p, t));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' => {
                    if let Some((ok, next)) = class(&pattern[p..], text[t]) {
                        if ok {
                            p += next;
                            t += 1;
                            continue;
                        }
                    } else if text[t] == b'[' {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
                c if c == text[t] => {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// `[abc]`, `[a-z]`, `[!x]` at the start of `pattern`: whether `c` is in it and the
/// length of the class; `None` when the bracket is not closed (then it is literal).
fn class(pattern: &[u8], c: u8) -> Option<(bool, usize)> {
    let end = pattern.iter().skip(2).position(|&b| b == b']')? + 2;
    let body = &pattern[1..end];
    let (negate, body) = match body.first() {
        Some(b'!' | b'^') => (true, &body[1..]),
        _ => (false, body),
    };
    let mut hit = false;
    let mut i = 0;
    while i < body.len() {
        if i + 2 < body.len() && body[i + 1] == b'-' {
            hit |= (body[i]..=body[i + 2]).contains(&c);
            i += 3;
        } else {
            hit |= body[i] == c;
            i += 1;
        }
    }
    Some((hit != negate, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        let p: Vec<&str> = pattern.split('/').collect();
        let t: Vec<&str> = path.split('/').collect();
        matches(&p, &t)
    }

    #[test]
    fn wildcards() {
        assert!(m("schemas/*.avsc", "schemas/orders.avsc"));
        assert!(!m("schemas/*.avsc", "schemas/sub/orders.avsc"));
        assert!(m("schemas/**/*.avsc", "schemas/orders.avsc"));
        assert!(m("schemas/**/*.avsc", "schemas/a/b/orders.avsc"));
        assert!(!m("schemas/**/*.avsc", "other/orders.avsc"));
        assert!(m("s/o?ders.json", "s/orders.json"));
        assert!(m("s/[a-p]*.json", "s/orders.json"));
        assert!(!m("s/[!o]*.json", "s/orders.json"));
        assert!(m("s/*-value.*", "s/orders-value.avsc"));
        assert!(m("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaab"));
        assert!(!m("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaa"));
    }

    #[test]
    fn expand_walks_from_the_literal_prefix() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("schemas/sub")).unwrap();
        std::fs::create_dir_all(dir.path().join("schemas/.hidden")).unwrap();
        for f in [
            "schemas/a.avsc",
            "schemas/sub/b.avsc",
            "schemas/.hidden/c.avsc",
            "schemas/d.json",
        ] {
            std::fs::write(dir.path().join(f), "{}").unwrap();
        }
        let found = expand(dir.path(), "schemas/**/*.avsc").unwrap();
        let found: Vec<String> = found.iter().map(|p| rel_text(p)).collect();
        assert_eq!(found, ["schemas/a.avsc", "schemas/sub/b.avsc"]);
        assert_eq!(expand(dir.path(), "schemas/d.json").unwrap().len(), 1);
        assert!(expand(dir.path(), "nowhere/*.json").unwrap().is_empty());
    }
}
