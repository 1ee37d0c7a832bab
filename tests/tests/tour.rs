//! The README tour as a test, read from the README itself so that the two cannot drift:
//! the first screen's command starts the registry, every command of the tour runs as
//! written (in a shell, in a scratch git checkout of the examples), every output the
//! README shows is compared with what the commands print, and the whole tour runs a
//! second time after the reset the README documents.

use std::path::Path;
use std::process::{Command, Output};

use schemagate_e2e::{Project, Registry, ServerProcess, binary, text, workspace_root};
use serde_json::{Value, json};

/// How the README starts the registry; the test starts the same binary with the same
/// arguments (and an ephemeral port), from the directory the tour runs in.
const START: &str = "cargo run --release -p schemagate-server";
/// How the README installs the CLI; the test puts the built binary on `PATH` instead.
const INSTALL: &str = "cargo install --locked --path cli";

/// A fenced block of the README: its language and its lines.
#[derive(Debug)]
struct Block {
    lang: String,
    lines: Vec<String>,
}

/// The fenced blocks of `markdown` between the heading `from` and the next `## `.
fn blocks(markdown: &str, from: Option<&str>) -> Vec<Block> {
    let mut lines = markdown.lines();
    if let Some(heading) = from {
        lines
            .by_ref()
            .find(|l| *l == heading)
            .unwrap_or_else(|| panic!("README has no heading {heading:?}"));
    }
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for line in lines {
        match (&mut open, line.strip_prefix("```")) {
            (None, _) if from.is_some() && line.starts_with("## ") => break,
            (None, Some(lang)) => {
                open = Some(Block {
                    lang: lang.trim().to_owned(),
                    lines: Vec::new(),
                });
            }
            (Some(_), Some("")) => out.extend(open.take()),
            (Some(block), _) => block.lines.push(line.to_owned()),
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "an unclosed fence in the README");
    out
}

/// A scratch project where the tour runs: the examples under git (the tour ends with
/// `git checkout`), the registry started from the same directory.
struct Tour {
    project: Project,
    registry: Option<Registry>,
    /// `PATH` with the built `schemagate` first.
    path: String,
    /// Stdout and stderr of the last command, for the README's output blocks.
    last: Option<(String, String)>,
}

impl Tour {
    fn new() -> Tour {
        let project = Project::copy_examples();
        for args in [
            &["init", "-q"][..],
            &["add", "-A"],
            &[
                "-c",
                "user.name=tour",
                "-c",
                "user.email=tour@localhost",
                "commit",
                "-qm",
                "examples",
            ],
        ] {
            let out = Command::new("git")
                .args(args)
                .current_dir(project.path())
                .output()
                .expect("git runs");
            assert!(out.status.success(), "git {args:?}: {}", text(&out));
        }
        let bin = binary("schemagate");
        let dir = bin.parent().expect("the binary is in a directory");
        let path = std::env::join_paths(std::iter::once(dir.to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .expect("PATH")
        .into_string()
        .expect("PATH is UTF-8");
        Tour {
            project,
            registry: None,
            path,
            last: None,
        }
    }

    fn dir(&self) -> &Path {
        self.project.path()
    }

    /// Runs one line of a README `sh` block.
    fn run(&mut self, line: &str) {
        let command = line.split(" #").next().unwrap_or("").trim();
        if command.is_empty() || command.starts_with('#') {
            return;
        }
        if command == INSTALL {
            return; // the built binary is on PATH already
        }
        if let Some(args) = command.strip_prefix(START) {
            self.start(args);
            return;
        }
        let mut sh = Command::new("sh");
        sh.arg("-c")
            .arg(command)
            .current_dir(self.dir())
            .env("PATH", &self.path)
            .env("NO_COLOR", "1");
        if let Some(registry) = &self.registry {
            sh.env("SCHEMAGATE_REGISTRY_URL", &registry.url);
        }
        let out = sh.output().expect("sh runs");
        // A command whose exit status the README prints may fail; any other must not.
        if !command.contains("echo \"exit $?\"") {
            assert!(out.status.success(), "`{command}` failed:\n{}", text(&out));
        }
        self.last = Some(stdout_and_stderr(&out));
    }

    /// (Re)starts the registry the way the README does, in the tour's directory: its
    /// data lands in the default `./schemagate-data` there, which the reset removes.
    fn start(&mut self, args: &str) {
        self.stop();
        let args: Vec<String> = args.split_whitespace().map(str::to_owned).collect();
        let dir = self.dir().to_path_buf();
        let registry = ServerProcess::spawn(&binary("schemagate-server"), |c| {
            c.current_dir(&dir)
                .args(args.iter().skip_while(|a| *a == "--"));
        })
        .unwrap_or_else(|e| panic!("`{START}` starts the registry: {e}"));
        self.registry = Some(registry);
    }

    /// Stops the registry, as Ctrl-C in its terminal would.
    fn stop(&mut self) {
        self.registry = None; // killed and reaped on drop
    }

    /// Compares the README's output block with what the last command printed.
    fn expect(&self, shown: &[String]) {
        let (stdout, stderr) = self
            .last
            .as_ref()
            .expect("an output block follows a command");
        let printed = format!("{stdout}{stderr}");
        let printed: Vec<&str> = printed.lines().map(str::trim_end).collect();
        let shown: Vec<&str> = shown.iter().map(|l| l.trim_end()).collect();
        assert!(
            matches(&shown, &printed),
            "the README shows\n{}\n\nbut the command printed\n{}",
            shown.join("\n"),
            printed.join("\n")
        );
    }
}

fn stdout_and_stderr(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether `printed` reads as `shown`, where a `...` line of `shown` stands for any
/// number of lines (none included).
fn matches(shown: &[&str], printed: &[&str]) -> bool {
    match shown.split_first() {
        None => printed.is_empty(),
        Some((&"...", rest)) => (0..=printed.len()).any(|skip| matches(rest, &printed[skip..])),
        Some((line, rest)) => printed
            .split_first()
            .is_some_and(|(first, tail)| first == line && matches(rest, tail)),
    }
}

#[test]
fn the_output_pattern_reads_ellipses_as_any_lines() {
    assert!(matches(&["a", "...", "d"], &["a", "b", "c", "d"]));
    assert!(matches(&["...", "a"], &["a"]));
    assert!(!matches(&["a", "...", "d"], &["a", "b", "c"]));
    assert!(!matches(&["a"], &["a", "b"]));
}

#[test]
fn item1_item4_the_readme_tour_runs_as_written_twice_with_the_reset_between() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).expect("README");
    let first_screen = blocks(&readme, None);
    let start = first_screen
        .iter()
        .find(|b| b.lang == "sh")
        .expect("the README's first command block");
    assert_eq!(
        start.lines,
        [START],
        "the README's first command starts the registry"
    );
    let tour = blocks(&readme, Some("## A ten-minute tour"));
    let reset_at = tour
        .iter()
        .position(|b| b.lang == "sh" && b.lines.iter().any(|l| l.starts_with(START)))
        .expect("the tour documents a reset that starts the registry again");
    assert!(
        tour[reset_at]
            .lines
            .iter()
            .any(|l| l.starts_with("rm -rf schemagate-data")),
        "the reset removes the registry's data"
    );
    let (steps, reset) = (&tour[..reset_at], &tour[reset_at]);
    assert!(
        steps.iter().filter(|b| b.lang == "text").count() >= 2,
        "the tour shows what its commands print"
    );

    let mut run = Tour::new();
    run.start("");
    for round in 1..=2 {
        for block in steps {
            match block.lang.as_str() {
                "sh" => block.lines.iter().for_each(|l| run.run(l)),
                "text" => run.expect(&block.lines),
                other => panic!("a {other:?} block in the tour"),
            }
        }
        // The tour leaves the examples as they were and the registry green.
        let out = run
            .project
            .schemagate(run.registry.as_ref().unwrap(), &["check"]);
        assert_eq!(out.status.code(), Some(0), "round {round}: {}", text(&out));
        run.stop();
        reset.lines.iter().for_each(|l| run.run(l));
        assert!(
            run.registry.is_some(),
            "the reset starts the registry again"
        );
    }
}

#[test]
fn the_breaking_change_reads_the_same_in_every_format_and_the_registry_refuses_it() {
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start(data.path());
    let project = Project::copy_examples();
    let out = project.schemagate(&registry, &["register"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("orders-value registered"),
        "{}",
        text(&out)
    );
    let again = project.schemagate(&registry, &["register"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));

    // The breaking change: rename a field, add a required one.
    let file = "schemas/avro/order_placed.avsc";
    let mut schema = project.read_json(file);
    let fields = schema["fields"].as_array_mut().unwrap();
    for field in fields.iter_mut() {
        if field["name"] == "customer_id" {
            field["name"] = json!("buyer_id");
        }
    }
    fields.push(json!({"name": "gift_wrap", "type": "boolean"}));
    project.write_json(file, &schema);

    let out = project.schemagate(&registry, &["check"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("orders-value BREAKING"), "{shown}");
    assert!(shown.contains("schemas/avro/order_placed.avsc:"), "{shown}");

    // The same verdict as a GitHub annotation and as one JSON document.
    let out = project.schemagate(&registry, &["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let annotations = String::from_utf8_lossy(&out.stdout);
    assert!(
        annotations
            .lines()
            .any(|l| l.starts_with("::error file=schemas/avro/order_placed.avsc")),
        "{annotations}"
    );
    let out = project.schemagate(&registry, &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("--format json is one document");
    assert!(doc.is_object(), "{doc}");

    // The registry refuses the change too, whatever the CLI says.
    let out = project.schemagate(&registry, &["register", "orders-value"]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));

    // Following the hints makes it compatible, and it registers as version 2.
    let fields = schema["fields"].as_array_mut().unwrap();
    for field in fields.iter_mut() {
        if field["name"] == "buyer_id" {
            field["aliases"] = json!(["customer_id"]);
        }
        if field["name"] == "gift_wrap" {
            field["default"] = json!(false);
        }
    }
    project.write_json(file, &schema);
    let out = project.schemagate(&registry, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = project.schemagate(&registry, &["register", "orders-value"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("version 2"), "{}", text(&out));
}

#[test]
fn a_broken_schema_file_is_a_usage_error_naming_file_and_line() {
    let data = tempfile::tempdir().unwrap();
    let registry = Registry::start(data.path());
    let project = Project::copy_examples();
    let file = project
        .path()
        .join("schemas/json/refund_requested.schema.json");
    let text_before = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text_before.replace("\"refund_id\": {", "\"refund_id\": {,"),
    )
    .unwrap();
    let out = project.schemagate(&registry, &["check"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(shown.contains("refund_requested.schema.json"), "{shown}");
    assert!(
        shown.contains("refund_requested.schema.json:7:"),
        "the line of the syntax error is named: {shown}"
    );
}

#[test]
fn item11_readme_installs_are_locked_and_name_the_minimum_rust() {
    let root = workspace_root();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let installs: Vec<&str> = readme
        .lines()
        .filter(|l| l.contains("cargo install"))
        .collect();
    assert!(!installs.is_empty());
    for line in installs {
        assert!(
            line.contains("--locked"),
            "an install without --locked: {line}"
        );
    }
    let rust = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("rust-version in Cargo.toml");
    assert!(
        readme.contains(&format!("Rust {rust} or newer")),
        "the README names the minimum Rust, {rust}"
    );
    assert!(
        !readme.contains("example.invalid"),
        "no install from a placeholder URL"
    );
}
