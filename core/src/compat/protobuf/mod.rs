//! The Protobuf engine: Confluent's `SchemaDiff` (protobuf-provider's `diff` package)
//! over two compiled schemas, with findings that say where (a JSON pointer into the
//! reader's file descriptor, its line and column, and Confluent's own `#/Msg/3` path),
//! what changed old -> new, and how to fix it. Opt-in policies add buf-style rules.
//!
//! Confluent compares an *original* and an *update*: `new.isBackwardCompatible(old)`
//! runs `compare(old, new)`, so the original is always the writer and the update the
//! reader, whichever of the two is the old version (FORWARD swaps them).
//!
//! Rooms: `messages` (types matched by name, fields by number, oneof grouping),
//! `fields` (kinds, scalar groups, labels, maps, message types), `enums` (values by
//! number), `policy` (the buf-style rules), `locate` (pointers and positions),
//! `table` (each schema's messages indexed once), `rules` (the catalogue).

mod enums;
mod fields;
mod locate;
mod messages;
mod policy;
pub(crate) mod rules;
mod table;

use std::collections::HashMap;

use prost_reflect::FileDescriptor;

use crate::compat::report::{Direction, Finding};
use crate::schema::protobuf::{MAIN_FILE, ProtobufSchema};

use rules::Rule;
use table::Located;

pub(crate) use policy::policy_findings;
pub(crate) use table::Tables;

/// Findings of "can `reader` read what `writer` wrote" under Confluent's rules.
/// `direction` says which one is the old version, for wording only.
pub(crate) fn compare(
    reader: &ProtobufSchema,
    writer: &ProtobufSchema,
    direction: Direction,
) -> Vec<Finding> {
    let walk = Walk {
        original: writer,
        update: reader,
        direction,
        seen: HashMap::new(),
    };
    walk.run()
}

/// One comparison of an original (writer) and an update (reader) schema.
pub(super) struct Walk<'a> {
    pub(super) original: &'a ProtobufSchema,
    pub(super) update: &'a ProtobufSchema,
    pub(super) direction: Direction,
    /// Message types (original, update full names) already compared through a field:
    /// whether that comparison was breaking. Confluent compares them again at every
    /// field that uses them; the verdict cannot differ, and repeating the inner
    /// findings would only repeat lines, so they are reported once.
    pub(super) seen: HashMap<(String, String), bool>,
}

/// Confluent's `Context`: where the walk is and what it found.
pub(super) struct Ctx {
    /// Confluent's full path (`#/Order/items/3` without the `#/`).
    pub(super) path: Vec<String>,
    /// Full names of the original messages being compared, outermost first: a message
    /// met again inside itself has its fields skipped (Confluent's schema set).
    pub(super) visiting: Vec<String>,
    /// The reader's place to point at for elements outside the main file (a
    /// referenced type): the field of the main file through which the walk got there.
    pub(super) anchor: Vec<i32>,
    /// What was found.
    pub(super) findings: Vec<Finding>,
}

impl Ctx {
    fn root() -> Self {
        Ctx {
            path: Vec::new(),
            visiting: Vec::new(),
            anchor: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// Confluent's full path with `extra` appended.
    pub(super) fn confluent_path(&self, extra: &[&str]) -> String {
        // Sized and written once: every finding carries one.
        let parts = self
            .path
            .iter()
            .map(String::as_str)
            .chain(extra.iter().copied());
        let len: usize = parts.clone().map(|p| p.len() + 1).sum();
        let mut out = String::with_capacity(len + 2);
        out.push_str("#/");
        for (i, part) in parts.enumerate() {
            if i > 0 {
                out.push('/');
            }
            out.push_str(part);
        }
        out
    }

    /// Records a finding of `rule` at Confluent's path + `extra`, pointing at `at`.
    fn record(&mut self, rule: Rule, extra: &[&str], at: Located, message: String) {
        let mut finding = rule.finding(at.pointer, message);
        finding.confluent_path = Some(self.confluent_path(extra));
        finding.position = at.position;
        self.findings.push(finding);
    }

    /// Runs `f` with `segment` pushed onto the path.
    pub(super) fn within<T>(&mut self, segment: &str, f: impl FnOnce(&mut Ctx) -> T) -> T {
        self.path.push(segment.to_owned());
        let out = f(self);
        self.path.pop();
        out
    }
}

/// Which of the two schemas an element belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// The writer, Confluent's original.
    Original,
    /// The reader, Confluent's update.
    Update,
}

impl Walk<'_> {
    fn run(mut self) -> Vec<Finding> {
        let mut ctx = Ctx::root();
        let (o, u) = (self.original.file().clone(), self.update.file().clone());
        if o.package_name() != u.package_name() {
            let at = if u.package_name().is_empty() {
                Vec::new()
            } else {
                vec![2]
            };
            let message = format!(
                "the package changed from {} to {}",
                shown_package(self.old_of(&o, &u).package_name()),
                shown_package(self.new_of(&o, &u).package_name())
            );
            self.emit(&mut ctx, Rule::PACKAGE_CHANGED, &[], &at, message);
        }
        let (original, update) = (self.original, self.update);
        self.types(
            &mut ctx,
            &original.tables().file,
            &update.tables().file,
            Vec::new(),
        );
        ctx.findings
    }

    /// The old one of an (original, update) pair.
    pub(super) fn old_of<'t, T>(&self, original: &'t T, update: &'t T) -> &'t T {
        match self.direction {
            Direction::Backward => original,
            Direction::Forward => update,
        }
    }

    /// The new one of an (original, update) pair.
    pub(super) fn new_of<'t, T>(&self, original: &'t T, update: &'t T) -> &'t T {
        match self.direction {
            Direction::Backward => update,
            Direction::Forward => original,
        }
    }

    /// How the user's edit reads for something only `side` has: "added" when that
    /// side is the new version, "removed" when it is the old one.
    pub(super) fn verb(&self, side: Side) -> &'static str {
        match (side, self.direction) {
            (Side::Update, Direction::Backward) | (Side::Original, Direction::Forward) => "added",
            _ => "removed",
        }
    }

    /// The reader's place for an element of `file` at `path`: itself in the main file,
    /// else the anchor (a referenced file has no place in the reader's text).
    pub(super) fn place(&self, ctx: &Ctx, file: &FileDescriptor, path: &[i32]) -> Vec<i32> {
        if file.name() == MAIN_FILE {
            path.to_vec()
        } else {
            ctx.anchor.clone()
        }
    }

    /// Records a finding of `rule` at Confluent's path + `extra`, pointing at `place`
    /// in the reader.
    pub(super) fn emit(
        &self,
        ctx: &mut Ctx,
        rule: Rule,
        extra: &[&str],
        place: &[i32],
        message: String,
    ) {
        ctx.record(rule, extra, Located::at(self.update, place), message);
    }

    /// [`Self::emit`] at a reader's element as its table locates it (set in the main
    /// file); else at the anchor, as [`Self::place`] decides.
    fn emit_located(
        &self,
        ctx: &mut Ctx,
        rule: Rule,
        extra: &[&str],
        located: Option<&Located>,
        message: String,
    ) {
        let at = match located {
            Some(at) => at.clone(),
            None => Located::at(self.update, &ctx.anchor),
        };
        ctx.record(rule, extra, at, message);
    }
}

fn shown_package(name: &str) -> String {
    if name.is_empty() {
        "none".to_owned()
    } else {
        format!("`{name}`")
    }
}
