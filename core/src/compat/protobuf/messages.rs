//! Types matched by name, level by level (Confluent's `SchemaDiff.compareTypeElements`),
//! and a message's fields matched by number across the whole message, oneof members
//! included (`MessageSchemaDiff`, as reworked in June 2026 so that renaming, deleting
//! or merging oneofs cannot hide a field's change).

use std::borrow::Cow;
use std::cmp::Ordering;

use prost_reflect::{EnumDescriptor, FieldDescriptor, MessageDescriptor};

use super::rules::Rule;
use super::table::{Children, Row, Table};
use super::{Ctx, Side, Walk};
use crate::schema::protobuf::ProtobufSchema;

/// Pairs the elements of two slices sorted by `cmp`, in that order: each key once,
/// with the element of each side that has it (a sorted merge in place of a set union
/// and two map lookups per key).
pub(super) fn merged<'a, T>(
    o: &'a [T],
    u: &'a [T],
    cmp: impl Fn(&T, &T) -> Ordering + 'a,
) -> impl Iterator<Item = (Option<&'a T>, Option<&'a T>)> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        let pair = match (o.get(i), u.get(j)) {
            (None, None) => return None,
            (Some(a), None) => (Some(a), None),
            (None, Some(b)) => (None, Some(b)),
            (Some(a), Some(b)) => match cmp(a, b) {
                Ordering::Less => (Some(a), None),
                Ordering::Greater => (None, Some(b)),
                Ordering::Equal => (Some(a), Some(b)),
            },
        };
        i += usize::from(pair.0.is_some());
        j += usize::from(pair.1.is_some());
        Some(pair)
    })
}

impl Walk<'_> {
    /// Compares the types of one level; `container` is the reader's place of the
    /// level (the file, or the message that declares them).
    pub(super) fn types(&mut self, ctx: &mut Ctx, o: &Children, u: &Children, container: Vec<i32>) {
        let by_name = |a: &(usize, MessageDescriptor), b: &(usize, MessageDescriptor)| {
            a.1.name().cmp(b.1.name())
        };
        for pair in merged(&o.messages, &u.messages, by_name) {
            let name = match pair {
                (Some((_, m)), _) | (None, Some((_, m))) => m.name(),
                (None, None) => continue,
            };
            ctx.within(name, |ctx| match pair {
                (Some((_, om)), None) => {
                    let message = format!(
                        "message `{}` was {}",
                        om.full_name(),
                        self.verb(Side::Original)
                    );
                    self.emit(ctx, Rule::MESSAGE_REMOVED, &[], &container, message);
                }
                (None, Some((_, um))) => {
                    let place = self.place(ctx, &um.parent_file(), um.path());
                    let message = format!(
                        "message `{}` was {}",
                        um.full_name(),
                        self.verb(Side::Update)
                    );
                    self.emit(ctx, Rule::MESSAGE_ADDED, &[], &place, message);
                }
                (Some((oi, om)), Some((ui, um))) => {
                    self.message(ctx, om, um);
                    if oi != ui {
                        let place = self.place(ctx, &um.parent_file(), um.path());
                        let message = format!(
                            "message `{}` moved from position {} to {} among its siblings",
                            um.full_name(),
                            self.old_of(oi, ui) + 1,
                            self.new_of(oi, ui) + 1
                        );
                        self.emit(ctx, Rule::MESSAGE_MOVED, &[], &place, message);
                    }
                }
                (None, None) => {}
            });
        }
        let by_name = |a: &EnumDescriptor, b: &EnumDescriptor| a.name().cmp(b.name());
        for pair in merged(&o.enums, &u.enums, by_name) {
            let name = match pair {
                (Some(e), _) | (None, Some(e)) => e.name(),
                (None, None) => continue,
            };
            ctx.within(name, |ctx| match pair {
                (Some(oe), None) => {
                    let message = format!(
                        "enum `{}` was {}",
                        oe.full_name(),
                        self.verb(Side::Original)
                    );
                    self.emit(ctx, Rule::ENUM_REMOVED, &[], &container, message);
                }
                (None, Some(ue)) => {
                    let place = self.place(ctx, &ue.parent_file(), ue.path());
                    let message =
                        format!("enum `{}` was {}", ue.full_name(), self.verb(Side::Update));
                    self.emit(ctx, Rule::ENUM_ADDED, &[], &place, message);
                }
                (Some(oe), Some(ue)) => self.enum_values(ctx, oe, ue),
                (None, None) => {}
            });
        }
    }

    /// Compares two messages of the same name: fields by number (unless the original
    /// is already being compared further out), then their nested types.
    pub(super) fn message(&mut self, ctx: &mut Ctx, o: &MessageDescriptor, u: &MessageDescriptor) {
        let (ot, ut) = (table_of(self.original, o), table_of(self.update, u));
        let key = o.full_name().to_owned();
        let revisit = ctx.visiting.contains(&key);
        if !revisit {
            ctx.visiting.push(key);
            self.fields(ctx, &ot, &ut, u);
        }
        let container = self.place(ctx, &u.parent_file(), u.path());
        self.types(ctx, &ot.children, &ut.children, container);
        if !revisit {
            ctx.visiting.pop();
        }
    }

    /// Compares the fields of two messages of the same name (`u` the reader's) by
    /// number, oneof members included.
    fn fields(&mut self, ctx: &mut Ctx, om: &Table, um: &Table, u: &MessageDescriptor) {
        let message_at = um.located.as_ref();

        // A oneof gone by name with none of its members left anywhere was deleted as a
        // whole: compatible, and its members are not reported one by one. By index
        // into the original's oneofs.
        let mut deleted: Vec<bool> = om.oneofs.iter().map(|x| !um.has_oneof(x.name())).collect();
        for row in &om.fields {
            if let Some(i) = row.oneof
                && um.get(row.tag).is_some()
            {
                deleted[i] = false;
            }
        }

        // Fields that were independent (top-level, or from different oneofs) and now
        // share a oneof: data that set several of them keeps only one. The origins are
        // the distinct oneofs of the original plus each field that was in none.
        for oneof in &um.oneofs {
            let mut from_oneofs: Vec<usize> = Vec::new();
            let mut moved_in = 0;
            for field in oneof.fields() {
                let Some(row) = om.get(field.number()) else {
                    continue;
                };
                match row.oneof {
                    Some(i) if from_oneofs.contains(&i) => {}
                    Some(i) => from_oneofs.push(i),
                    None => moved_in += 1,
                }
            }
            if from_oneofs.len() + moved_in > 1 {
                let place = self.place(ctx, &u.parent_file(), oneof.path());
                let (rule, message) = if moved_in > 1 {
                    (
                        Rule::MULTIPLE_FIELDS_MOVED_TO_ONEOF,
                        format!(
                            "{moved_in} fields that could be set together {} oneof `{}` of `{}`",
                            self.sharing(),
                            oneof.name(),
                            u.name()
                        ),
                    )
                } else {
                    (
                        Rule::FIELD_MOVED_TO_EXISTING_ONEOF,
                        format!(
                            "fields that could be set together (one of them from another oneof or outside any) {} oneof `{}` of `{}`",
                            self.sharing(),
                            oneof.name(),
                            u.name()
                        ),
                    )
                };
                self.emit(ctx, rule, &[oneof.name()], &place, message);
            }
        }

        let mut names: Vec<&str> = om
            .oneofs
            .iter()
            .chain(&um.oneofs)
            .map(|x| x.name())
            .collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            match (om.has_oneof(name), um.has_oneof(name)) {
                (true, false) => {
                    let message = format!(
                        "oneof `{name}` of `{}` was {}",
                        u.name(),
                        self.verb(Side::Original)
                    );
                    self.emit_located(ctx, Rule::ONEOF_REMOVED, &[name], message_at, message);
                }
                (false, true) => {
                    let message = format!(
                        "oneof `{name}` of `{}` was {}",
                        u.name(),
                        self.verb(Side::Update)
                    );
                    match um.oneofs.iter().find(|x| x.name() == name) {
                        Some(x) => {
                            let place = self.place(ctx, &u.parent_file(), x.path());
                            self.emit(ctx, Rule::ONEOF_ADDED, &[name], &place, message);
                        }
                        None => {
                            self.emit_located(ctx, Rule::ONEOF_ADDED, &[name], message_at, message)
                        }
                    }
                }
                _ => {}
            }
        }

        let by_tag = |a: &Row, b: &Row| a.tag.cmp(&b.tag);
        for pair in merged(&om.fields, &um.fields, by_tag) {
            let of = pair.0.and_then(|r| om.oneof_name(r));
            let uf = pair.1.and_then(|r| um.oneof_name(r));
            // A field declared the same way in the same oneof (or none) has nothing
            // to report unless its type is a message from another file, whose own
            // fields may differ (the main file's types are compared level by level):
            // passed over before anything is computed, since long histories compare
            // mostly unchanged fields.
            if let (Some(orow), Some(urow)) = pair
                && of == uf
                && orow.unchanged(urow)
            {
                continue;
            }
            match pair {
                (Some(row), None) => {
                    let in_deleted = row.oneof.is_some_and(|i| deleted[i]);
                    let verb = self.verb(Side::Original);
                    match of {
                        Some(_) if in_deleted => {}
                        Some(oneof) => {
                            let message = format!(
                                "{}, a member of oneof `{oneof}` of `{}`, was {verb} while the oneof stays",
                                row.described,
                                u.name()
                            );
                            self.emit_located(
                                ctx,
                                Rule::ONEOF_FIELD_REMOVED,
                                &[oneof, row.number.as_str()],
                                message_at,
                                message,
                            );
                        }
                        None => {
                            let rule = if row.is_required() {
                                Rule::REQUIRED_FIELD_REMOVED
                            } else {
                                Rule::FIELD_REMOVED
                            };
                            let message =
                                sentence(&[&row.described, " of `", u.name(), "` was ", verb]);
                            self.emit_located(
                                ctx,
                                rule,
                                &[row.number.as_str()],
                                message_at,
                                message,
                            );
                        }
                    }
                }
                (None, Some(row)) => {
                    let verb = self.verb(Side::Update);
                    let at = row.located.as_ref();
                    match uf {
                        Some(oneof) => {
                            let message = format!(
                                "{} was {verb} in oneof `{oneof}` of `{}`",
                                row.described,
                                u.name()
                            );
                            self.emit_located(
                                ctx,
                                Rule::ONEOF_FIELD_ADDED,
                                &[oneof, row.number.as_str()],
                                at,
                                message,
                            );
                        }
                        None => {
                            let rule = if row.is_required() {
                                Rule::REQUIRED_FIELD_ADDED
                            } else {
                                Rule::FIELD_ADDED
                            };
                            let message =
                                sentence(&[&row.described, " of `", u.name(), "` was ", verb]);
                            self.emit_located(ctx, rule, &[row.number.as_str()], at, message);
                        }
                    }
                }
                (Some(orow), Some(urow)) => {
                    let place = self.place(ctx, &u.parent_file(), urow.field.path());
                    if let (Some(oneof), None) = (of, uf) {
                        let message = match self.direction {
                            super::Direction::Backward => format!(
                                "{} left oneof `{oneof}` of `{}` and is now an ordinary field",
                                urow.described,
                                u.name()
                            ),
                            super::Direction::Forward => format!(
                                "{} was moved into oneof `{oneof}` of `{}`",
                                urow.described,
                                u.name()
                            ),
                        };
                        self.emit_located(
                            ctx,
                            Rule::ONEOF_FIELD_MOVED_TO_TOP_LEVEL,
                            &[urow.number.as_str()],
                            urow.located.as_ref(),
                            message,
                        );
                    }
                    let segments: Vec<&str> = match uf {
                        Some(oneof) => vec![oneof, urow.number.as_str()],
                        None => vec![urow.number.as_str()],
                    };
                    for s in &segments {
                        ctx.path.push((*s).to_owned());
                    }
                    self.field(ctx, &orow.field, &urow.field, place);
                    for _ in &segments {
                        ctx.path.pop();
                    }
                }
                (None, None) => {}
            }
        }
    }
}

/// The table of `message`, one of `schema`'s: kept with the schema, or built here
/// for a message its tables do not hold (a map entry, which the walk never compares
/// as a message).
fn table_of<'s>(schema: &'s ProtobufSchema, message: &MessageDescriptor) -> Cow<'s, Table> {
    match schema.tables().get(schema, message) {
        Some(table) => Cow::Borrowed(table),
        None => Cow::Owned(Table::build(schema, message)),
    }
}

/// `parts` joined into one string allocated once: the sentences of the findings a
/// long history repeats most (a field added or removed against every version).
fn sentence(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

impl Walk<'_> {
    /// How a oneof of the reader that merges independent fields reads as the user's
    /// edit: under BACKWARD the new version made them share it; under FORWARD the old
    /// version had them in it and the new one set them free.
    fn sharing(&self) -> &'static str {
        match self.direction {
            super::Direction::Backward => "now share",
            super::Direction::Forward => "were split out of the old version's",
        }
    }
}

/// "field `name` = 3".
pub(super) fn describe(field: &FieldDescriptor) -> String {
    format!("field `{}` = {}", field.name(), field.number())
}
