//! `schemagate init [DIR]`: a `schemagate.toml` for an existing directory of schemas,
//! one `[[subjects]]` entry per file (topic strategy: `orders.avsc` is
//! `orders-value`), with fixtures where `fixtures/events/<name>/` exists.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::cli::InitArgs;
use crate::glob;
use crate::project::{FILE_NAME, Project, display_path, infer_type};
use crate::report::{Item, Outcome, Status};

/// Runs the command.
pub fn run(args: &InitArgs) -> Result<Outcome> {
    let root = Path::new(".");
    let target = root.join(FILE_NAME);
    if target.exists() && !args.force {
        bail!("{FILE_NAME} already exists; pass --force to overwrite it");
    }
    if !args.dir.is_dir() {
        bail!("{} is not a directory of schemas", args.dir.display());
    }
    let dir = args.dir.to_string_lossy().replace('\\', "/");
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    let mut files = Vec::new();
    for ext in ["avsc", "json"] {
        files.extend(glob::expand(root, &format!("{dir}/**/*.{ext}"))?);
    }
    files.sort();
    let mut text = String::from(
        "# Schemagate project: which file is which subject, and how changes are judged.\n\
         # Credentials come from the environment only: SCHEMAGATE_REGISTRY_USER and\n\
         # SCHEMAGATE_REGISTRY_PASSWORD, or SCHEMAGATE_REGISTRY_TOKEN.\n\n",
    );
    let _ = writeln!(text, "[registry]\nurl = {}\n", toml_str(&args.url));
    let _ = writeln!(
        text,
        "[defaults]\n# Level and policy for offline checks (`check --against`).\nlevel = \"BACKWARD\"\npolicy = \"strict\"\n"
    );
    let mut mapped = Vec::new();
    for file in &files {
        let content = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let Some(schema_type) = infer_type(file, &content) else {
            continue;
        };
        let stem = file
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('.').next())
            .unwrap_or_default()
            .to_owned();
        let subject = if stem.ends_with("-key") || stem.ends_with("-value") {
            stem.clone()
        } else {
            format!("{stem}-value")
        };
        let path = file.to_string_lossy().replace('\\', "/");
        let _ = writeln!(
            text,
            "[[subjects]]\nfile = {}\nsubject = {}\ntype = \"{schema_type}\"\n",
            toml_str(&path),
            toml_str(&subject)
        );
        mapped.push((subject, path, stem));
    }
    if mapped.is_empty() {
        bail!(
            "no Avro (.avsc) or JSON Schema (.json) files under {}",
            args.dir.display()
        );
    }
    for (subject, _, stem) in &mapped {
        let events = format!("fixtures/events/{stem}");
        if Path::new(&events).is_dir() {
            let _ = writeln!(
                text,
                "[[fixtures]]\nsubject = {}\nevents = {}\n",
                toml_str(subject),
                toml_str(&format!("{events}/*.json"))
            );
        }
    }
    // Refuse to write a file that would not load.
    Project::from_text(&text, root.to_path_buf())
        .context("the generated project file does not load (this is a bug)")?;
    std::fs::write(&target, &text).with_context(|| format!("cannot write {}", target.display()))?;
    let items = mapped
        .into_iter()
        .map(|(subject, path, _)| {
            Item::new(subject, Some(path), Status::Written)
                .detail(format!("mapped in {}", display_path(&target)))
        })
        .collect();
    Ok(Outcome::new("init", items))
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}
