//! Old schema texts from a git revision, read with one `git cat-file --batch` so that
//! 500 files cost one process, not 500.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, anyhow, bail};

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .context("cannot run git: is it installed and on PATH?")
}

/// The texts of `files` (relative to `root`, which lies in a git work tree) at `rev`;
/// `None` for files that do not exist there.
pub fn read_at(
    root: &Path,
    rev: &str,
    files: &[PathBuf],
) -> Result<HashMap<PathBuf, Option<String>>> {
    let top = git(root, &["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        bail!(
            "--against {rev}: {} is not a directory and {} is not in a git repository",
            rev,
            root.display()
        );
    }
    let top = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
    let verify = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )?;
    if !verify.status.success() {
        let shallow = git(root, &["rev-parse", "--is-shallow-repository"])?;
        if String::from_utf8_lossy(&shallow.stdout).trim() == "true" {
            bail!(
                "revision {rev:?} is not in this shallow clone. Fetch it with `git fetch --deepen=100` (or `git fetch origin {rev}`), \
                 or clone full history: with actions/checkout set `fetch-depth: 0`, in GitLab CI set `GIT_DEPTH: 0`"
            );
        }
        bail!(
            "unknown git revision {rev:?}: not a commit, branch or tag here (and not a directory)"
        );
    }
    let abs_root = std::fs::canonicalize(root)
        .with_context(|| format!("cannot resolve {}", root.display()))?;
    let top = std::fs::canonicalize(&top).unwrap_or(top);
    let prefix = abs_root
        .strip_prefix(&top)
        .map_err(|_| {
            anyhow!(
                "{} is outside the git work tree {}",
                root.display(),
                top.display()
            )
        })?
        .to_path_buf();

    let mut child = Command::new("git")
        .arg("-C")
        .arg(&top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot run git cat-file")?;
    let requests: String = files
        .iter()
        .map(|f| {
            let path: Vec<String> = prefix
                .join(f)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            format!("{rev}:{}\n", path.join("/"))
        })
        .collect();
    let mut stdin = child.stdin.take().context("git cat-file has no stdin")?;
    // Written from another thread: git answers while we still write, and a full pipe
    // on both sides would deadlock.
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let mut out = BufReader::new(child.stdout.take().context("git cat-file has no stdout")?);
    let mut texts = HashMap::new();
    for file in files {
        let mut header = String::new();
        out.read_line(&mut header)?;
        let fields: Vec<&str> = header.split_whitespace().collect();
        match fields.as_slice() {
            [_, "blob", size] => {
                let size: usize = size.parse().context("bad size from git cat-file")?;
                let mut content = vec![0u8; size + 1];
                out.read_exact(&mut content)?;
                content.pop();
                let text = String::from_utf8(content)
                    .map_err(|_| anyhow!("{} at {rev} is not UTF-8", file.display()))?;
                texts.insert(file.clone(), Some(text));
            }
            [_, "missing"] | [_, "ambiguous"] => {
                texts.insert(file.clone(), None);
            }
            [_, kind, size] => {
                // A directory or submodule where the schema is now: skip its content.
                let size: u64 = size.parse().unwrap_or(0);
                std::io::copy(&mut (&mut out).take(size + 1), &mut std::io::sink())?;
                let _ = kind;
                texts.insert(file.clone(), None);
            }
            _ => bail!("unexpected answer from git cat-file: {header:?}"),
        }
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(texts)
}
