//! Types matched by name, level by level (Confluent's `SchemaDiff.compareTypeElements`),
//! and a message's fields matched by number across the whole message, oneof members
//! included (`MessageSchemaDiff`, as reworked in June 2026 so that renaming, deleting
//! or merging oneofs cannot hide a field's change).

use std::cmp::Ordering;

use prost_reflect::{
    EnumDescriptor, FieldDescriptor, FileDescriptor, MessageDescriptor, OneofDescriptor,
};

use super::rules::Rule;
use super::{Ctx, Side, Walk};

/// The message and enum types declared at one level (a file or a message). Map entry
/// messages are left out: Confluent parses `.proto` text, where `map<K, V>` declares
/// no message, so the same schema sent as a descriptor must not grow one.
///
/// Both lists are sorted by name, so that two levels pair up in one merge, in the
/// order Confluent's sorted maps give, without building maps per comparison.
pub(super) struct Children {
    /// Messages with their index among the level's messages.
    messages: Vec<(usize, MessageDescriptor)>,
    /// Enums.
    enums: Vec<EnumDescriptor>,
}

impl Children {
    pub(super) fn of_file(file: &FileDescriptor) -> Self {
        Self::new(file.messages(), file.enums())
    }

    fn of_message(message: &MessageDescriptor) -> Self {
        Self::new(message.child_messages(), message.child_enums())
    }

    fn new(
        messages: impl Iterator<Item = MessageDescriptor>,
        enums: impl Iterator<Item = EnumDescriptor>,
    ) -> Self {
        let mut messages: Vec<(usize, MessageDescriptor)> =
            messages.filter(|m| !m.is_map_entry()).enumerate().collect();
        messages.sort_by(|a, b| a.1.name().cmp(b.1.name()));
        let mut enums: Vec<EnumDescriptor> = enums.collect();
        enums.sort_by(|a, b| a.name().cmp(b.name()));
        Children { messages, enums }
    }
}

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
    pub(super) fn types(&mut self, ctx: &mut Ctx, o: Children, u: Children, container: Vec<i32>) {
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
                    self.emit(ctx, Rule::MESSAGE_REMOVED, &[], container.clone(), message);
                }
                (None, Some((_, um))) => {
                    let place = self.place(ctx, &um.parent_file(), um.path());
                    let message = format!(
                        "message `{}` was {}",
                        um.full_name(),
                        self.verb(Side::Update)
                    );
                    self.emit(ctx, Rule::MESSAGE_ADDED, &[], place, message);
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
                        self.emit(ctx, Rule::MESSAGE_MOVED, &[], place, message);
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
                    self.emit(ctx, Rule::ENUM_REMOVED, &[], container.clone(), message);
                }
                (None, Some(ue)) => {
                    let place = self.place(ctx, &ue.parent_file(), ue.path());
                    let message =
                        format!("enum `{}` was {}", ue.full_name(), self.verb(Side::Update));
                    self.emit(ctx, Rule::ENUM_ADDED, &[], place, message);
                }
                (Some(oe), Some(ue)) => self.enum_values(ctx, oe, ue),
                (None, None) => {}
            });
        }
    }

    /// Compares two messages of the same name: fields by number (unless the original
    /// is already being compared further out), then their nested types.
    pub(super) fn message(&mut self, ctx: &mut Ctx, o: &MessageDescriptor, u: &MessageDescriptor) {
        let key = o.full_name().to_owned();
        let revisit = ctx.visiting.contains(&key);
        if !revisit {
            ctx.visiting.push(key);
            self.fields(ctx, o, u);
        }
        let container = self.place(ctx, &u.parent_file(), u.path());
        self.types(
            ctx,
            Children::of_message(o),
            Children::of_message(u),
            container,
        );
        if !revisit {
            ctx.visiting.pop();
        }
    }

    fn fields(&mut self, ctx: &mut Ctx, o: &MessageDescriptor, u: &MessageDescriptor) {
        let om = Members::of(o);
        let um = Members::of(u);
        let message_place = self.place(ctx, &u.parent_file(), u.path());

        // A oneof gone by name with none of its members left anywhere was deleted as a
        // whole: compatible, and its members are not reported one by one. By index
        // into the original's oneofs.
        let mut deleted: Vec<bool> = om.oneofs.iter().map(|x| !um.has_oneof(x.name())).collect();
        for member in &om.fields {
            if let Some(i) = member.oneof
                && um.get(member.tag).is_some()
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
                let Some(member) = om.get(field.number()) else {
                    continue;
                };
                match member.oneof {
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
                self.emit(ctx, rule, &[oneof.name()], place, message);
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
                    self.emit(
                        ctx,
                        Rule::ONEOF_REMOVED,
                        &[name],
                        message_place.clone(),
                        message,
                    );
                }
                (false, true) => {
                    let place = u
                        .oneofs()
                        .find(|x| x.name() == name)
                        .map(|x| self.place(ctx, &u.parent_file(), x.path()))
                        .unwrap_or_else(|| message_place.clone());
                    let message = format!(
                        "oneof `{name}` of `{}` was {}",
                        u.name(),
                        self.verb(Side::Update)
                    );
                    self.emit(ctx, Rule::ONEOF_ADDED, &[name], place, message);
                }
                _ => {}
            }
        }

        let by_tag = |a: &Member, b: &Member| a.tag.cmp(&b.tag);
        for pair in merged(&om.fields, &um.fields, by_tag) {
            let of = pair.0.and_then(|m| om.oneof_name(m));
            let uf = pair.1.and_then(|m| um.oneof_name(m));
            let in_deleted = pair.0.and_then(|m| m.oneof).is_some_and(|i| deleted[i]);
            let (tag, pair) = match pair {
                (Some(a), b) => (a.tag, (Some(&a.field), b.map(|b| &b.field))),
                (None, Some(b)) => (b.tag, (None, Some(&b.field))),
                (None, None) => continue,
            };
            // A field declared the same way in the same oneof (or none) has nothing
            // to report unless its type is a message, whose own fields may differ:
            // skipped before anything is computed, since long histories compare
            // mostly unchanged fields.
            if let (Some(ofield), Some(ufield)) = pair
                && of == uf
                && !matches!(ufield.kind(), prost_reflect::Kind::Message(_))
                && ofield.field_descriptor_proto() == ufield.field_descriptor_proto()
            {
                continue;
            }
            let number = tag.to_string();
            match pair {
                (Some(field), None) => {
                    let what = describe(field);
                    let verb = self.verb(Side::Original);
                    match of {
                        Some(_) if in_deleted => {}
                        Some(oneof) => {
                            let message = format!(
                                "{what}, a member of oneof `{oneof}` of `{}`, was {verb} while the oneof stays",
                                u.name()
                            );
                            self.emit(
                                ctx,
                                Rule::ONEOF_FIELD_REMOVED,
                                &[oneof, number.as_str()],
                                message_place.clone(),
                                message,
                            );
                        }
                        None => {
                            let rule = if fields::is_required(field) {
                                Rule::REQUIRED_FIELD_REMOVED
                            } else {
                                Rule::FIELD_REMOVED
                            };
                            let message = format!("{what} of `{}` was {verb}", u.name());
                            self.emit(
                                ctx,
                                rule,
                                &[number.as_str()],
                                message_place.clone(),
                                message,
                            );
                        }
                    }
                }
                (None, Some(field)) => {
                    let what = describe(field);
                    let verb = self.verb(Side::Update);
                    let place = self.place(ctx, &u.parent_file(), field.path());
                    match uf {
                        Some(oneof) => {
                            let message =
                                format!("{what} was {verb} in oneof `{oneof}` of `{}`", u.name());
                            self.emit(
                                ctx,
                                Rule::ONEOF_FIELD_ADDED,
                                &[oneof, number.as_str()],
                                place,
                                message,
                            );
                        }
                        None => {
                            let rule = if fields::is_required(field) {
                                Rule::REQUIRED_FIELD_ADDED
                            } else {
                                Rule::FIELD_ADDED
                            };
                            let message = format!("{what} of `{}` was {verb}", u.name());
                            self.emit(ctx, rule, &[number.as_str()], place, message);
                        }
                    }
                }
                (Some(ofield), Some(ufield)) => {
                    let place = self.place(ctx, &u.parent_file(), ufield.path());
                    if let (Some(oneof), None) = (of, uf) {
                        let message = match self.direction {
                            super::Direction::Backward => format!(
                                "{} left oneof `{oneof}` of `{}` and is now an ordinary field",
                                describe(ufield),
                                u.name()
                            ),
                            super::Direction::Forward => format!(
                                "{} was moved into oneof `{oneof}` of `{}`",
                                describe(ufield),
                                u.name()
                            ),
                        };
                        self.emit(
                            ctx,
                            Rule::ONEOF_FIELD_MOVED_TO_TOP_LEVEL,
                            &[number.as_str()],
                            place.clone(),
                            message,
                        );
                    }
                    let segments: Vec<&str> = match uf {
                        Some(oneof) => vec![oneof, number.as_str()],
                        None => vec![number.as_str()],
                    };
                    for s in &segments {
                        ctx.path.push((*s).to_owned());
                    }
                    self.field(ctx, ofield, ufield, place);
                    for _ in &segments {
                        ctx.path.pop();
                    }
                }
                (None, None) => {}
            }
        }
    }
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

/// One field of a message as Confluent indexes it.
struct Member {
    /// Its number.
    tag: u32,
    field: FieldDescriptor,
    /// Its real oneof, by index into [`Members::oneofs`].
    oneof: Option<usize>,
}

/// A message's fields sorted by number and its (real) oneofs, as Confluent indexes
/// them: sorted vectors, so that two messages pair up in one merge and a number is
/// found by binary search, with no hashing or set building per comparison.
struct Members {
    /// By number (prost-reflect yields fields in number order).
    fields: Vec<Member>,
    /// Real oneofs in declaration order. A proto3 `optional` field sits in a
    /// synthetic oneof that the text never declares: Confluent sees an ordinary
    /// optional field.
    oneofs: Vec<OneofDescriptor>,
}

impl Members {
    fn of(message: &MessageDescriptor) -> Self {
        let oneofs: Vec<OneofDescriptor> = message.oneofs().filter(|o| !o.is_synthetic()).collect();
        let fields = message
            .fields()
            .map(|field| {
                let oneof = if oneofs.is_empty() {
                    None
                } else {
                    field
                        .containing_oneof()
                        .and_then(|o| oneofs.iter().position(|x| *x == o))
                };
                Member {
                    tag: field.number(),
                    field,
                    oneof,
                }
            })
            .collect();
        Members { fields, oneofs }
    }

    /// The field numbered `tag`.
    fn get(&self, tag: u32) -> Option<&Member> {
        self.fields
            .binary_search_by_key(&tag, |m| m.tag)
            .ok()
            .map(|i| &self.fields[i])
    }

    /// The name of the real oneof `member` belongs to.
    fn oneof_name(&self, member: &Member) -> Option<&str> {
        member.oneof.map(|i| self.oneofs[i].name())
    }

    /// Whether a real oneof is named `name`.
    fn has_oneof(&self, name: &str) -> bool {
        self.oneofs.iter().any(|x| x.name() == name)
    }
}

/// "field `name` = 3".
pub(super) fn describe(field: &FieldDescriptor) -> String {
    format!("field `{}` = {}", field.name(), field.number())
}

use super::fields;
