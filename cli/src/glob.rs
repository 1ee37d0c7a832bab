//! The project file's globs: `*` and `?` within one path segment, `**` across
//! segments, `[abc]` / `[a-z]` / `[!x]` classes. Matching is rust-lang's `glob`
//! crate, character by character (so `?` and classes work on non-ASCII names, which
//! byte-wise matchers, `globset` included, get wrong); the walk is `walkdir`. Paths
//! use `/` whatever the platform, so one `schemagate.toml` works on every CI runner.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use walkdir::WalkDir;

/// How every pattern is matched: `*`, `?` and classes never cross a `/`, and a
/// leading dot needs no literal dot (`*.avsc` has always matched `.x.avsc`).
const OPTIONS: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// A compiled glob of the project file.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// The pattern's segments as written, without `./` and empty segments.
    segments: Vec<String>,
    compiled: glob::Pattern,
}

impl Pattern {
    /// Compiles `pattern`; a leading `./` and repeated `/` are ignored.
    pub fn new(pattern: &str) -> Result<Pattern> {
        let segments: Vec<String> = pattern
            .trim_start_matches("./")
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let normalized: Vec<String> = segments.iter().map(|s| normalize(s)).collect();
        let compiled = glob::Pattern::new(&normalized.join("/"))
            .with_context(|| format!("invalid glob {pattern:?}"))?;
        Ok(Pattern { segments, compiled })
    }

    /// Whether a root-relative path, written with `/`, matches.
    pub fn is_match(&self, path: &str) -> bool {
        self.compiled.matches_with(path, OPTIONS)
    }

    /// Files under `root` whose path relative to it matches, sorted. Hidden
    /// directories and `target/` are not entered: they hold copies, never sources.
    pub fn expand(&self, root: &Path) -> Result<Vec<PathBuf>> {
        // Walk only from the literal prefix: `schemas/**/*.avsc` never reads `src/`.
        // The last segment always names files, so it is never part of the prefix.
        let literal = self.segments.iter().take_while(|s| !is_wild(s)).count();
        let literal = literal.min(self.segments.len().saturating_sub(1));
        let base: PathBuf = self.segments[..literal].iter().collect();
        let start = root.join(&base);
        if !start.is_dir() {
            return Ok(Vec::new());
        }
        let walk = WalkDir::new(&start)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_skipped_dir(e));
        let mut found = Vec::new();
        for entry in walk {
            let entry = entry?;
            // A symbolic link to a file counts as the file; one to a directory is not
            // followed (it could loop, or lead out of the project).
            let is_file =
                entry.file_type().is_file() || (entry.path_is_symlink() && entry.path().is_file());
            if !is_file {
                continue;
            }
            let below = entry.path().strip_prefix(&start).unwrap_or(entry.path());
            let rel = base.join(below);
            if self.is_match(&rel_text(&rel)) {
                found.push(rel);
            }
        }
        found.sort();
        Ok(found)
    }
}

/// Files under `root` whose path relative to it matches `pattern`, sorted (see
/// [`Pattern::expand`]).
pub fn expand(root: &Path, pattern: &str) -> Result<Vec<PathBuf>> {
    Pattern::new(pattern)?.expand(root)
}

/// One segment in `glob::Pattern`'s syntax where it is stricter than ours has always
/// been, so existing project files keep their meaning: `**` inside a segment is a
/// plain `*` (the crate refuses it), `[^x]` negates like `[!x]` (the crate reads a
/// literal `^`), and a `[` never closed in its segment matches itself (the crate
/// refuses it).
fn normalize(segment: &str) -> String {
    if segment == "**" {
        return segment.to_owned();
    }
    let chars: Vec<char> = segment.chars().collect();
    let mut out = String::with_capacity(segment.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                out.push('*');
                while chars.get(i + 1) == Some(&'*') {
                    i += 1;
                }
            }
            '[' => {
                // The body starts after `[` and an optional `!`/`^`; a `]` right there
                // belongs to the body, so the closing one is searched after it.
                let negated = matches!(chars.get(i + 1), Some('!' | '^'));
                let body = i + 1 + usize::from(negated);
                let close = chars
                    .get(body + 1..)
                    .and_then(|rest| rest.iter().position(|&c| c == ']'))
                    .map(|p| body + 1 + p);
                match close {
                    Some(end) => {
                        out.push_str(if negated { "[!" } else { "[" });
                        out.extend(&chars[body..=end]);
                        i = end;
                    }
                    None => out.push_str("[[]"),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// A relative path with `/` between its segments, as patterns are written.
fn rel_text(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_wild(segment: &str) -> bool {
    segment.contains(['*', '?', '['])
}

fn is_skipped_dir(entry: &walkdir::DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    entry.file_type().is_dir() && (name.starts_with('.') || name == "target")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Pattern::new(pattern).unwrap().is_match(path)
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
    fn the_old_spellings_still_mean_what_they_meant() {
        // `**` inside a segment is a plain `*`; an unclosed `[` is literal; `^` negates.
        assert!(m("s/o**.json", "s/orders.json"));
        assert!(!m("s/o**.json", "s/x/orders.json"));
        assert!(m("s/[ab.json", "s/[ab.json"));
        assert!(!m("s/[^o]*.json", "s/orders.json"));
        assert!(m("./s//*.json", "s/orders.json"));
        assert!(m("**", "a/b/c.json"));
        assert!(m("**/c.json", "c.json"));
    }

    /// A temporary directory holding an empty-object file at each of `files`.
    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let path = dir.path().join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "{}").unwrap();
        }
        dir
    }

    #[test]
    fn expand_walks_from_the_literal_prefix() {
        let dir = tree(&[
            "schemas/a.avsc",
            "schemas/sub/b.avsc",
            "schemas/.hidden/c.avsc",
            "schemas/d.json",
        ]);
        let found = expand(dir.path(), "schemas/**/*.avsc").unwrap();
        let found: Vec<String> = found.iter().map(|p| rel_text(p)).collect();
        assert_eq!(found, ["schemas/a.avsc", "schemas/sub/b.avsc"]);
        assert_eq!(expand(dir.path(), "schemas/d.json").unwrap().len(), 1);
        assert!(expand(dir.path(), "nowhere/*.json").unwrap().is_empty());
    }

    #[test]
    fn non_ascii_names_match_by_character() {
        let dir = tree(&[
            "schemas/éü.avsc",
            "schemas/éüx.avsc",
            "schemas/äpfel.json",
            "schemas/öl.json",
            "schemas/übel.json",
        ]);
        let names = |pattern: &str| -> Vec<String> {
            expand(dir.path(), pattern)
                .unwrap()
                .iter()
                .map(|p| rel_text(p))
                .collect()
        };
        // `?` is one character, however many bytes it takes in UTF-8.
        assert_eq!(names("schemas/é?.avsc"), ["schemas/éü.avsc"]);
        // A class holds characters, not the bytes of their encodings: `ü` shares its
        // first byte with `ä` and `ö`.
        assert_eq!(
            names("schemas/[äö]*.json"),
            ["schemas/äpfel.json", "schemas/öl.json"]
        );
        assert_eq!(names("schemas/[!äö]*.json"), ["schemas/übel.json"]);
    }

    #[test]
    fn normalizing_keeps_classes_whole() {
        assert_eq!(normalize("[]a]*.json"), "[]a]*.json");
        assert_eq!(normalize("[^*]x"), "[!*]x");
        assert_eq!(normalize("a***b[c"), "a*b[[]c");
        assert!(m("s/[]a]x", "s/]x"));
        assert!(m("s/{a,b}", "s/{a,b}"));
    }
}
