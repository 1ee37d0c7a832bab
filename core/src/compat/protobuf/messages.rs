//! Types matched by name, level by level (Confluent's `SchemaDiff.compareTypeElements`),
//! and a message's fields matched by number across the whole message, oneof members
//! included (`MessageSchemaDiff`, as reworked in June 2026 so that renaming, deleting
//! or merging oneofs cannot hide a field's change).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use prost_reflect::{EnumDescriptor, FieldDescriptor, FileDescriptor, MessageDescriptor};

use super::rules::Rule;
use super::{Ctx, Side, Walk};

/// The message and enum types declared at one level (a file or a message). Map entry
/// messages are left out: Confluent parses `.proto` text, where `map<K, V>` declares
/// no message, so the same schema sent as a descriptor must not grow one.
pub(super) struct Children {
    /// Messages by name, with their index among the level's messages.
    messages: BTreeMap<String, (usize, MessageDescriptor)>,
    /// Enums by name.
    enums: BTreeMap<String, EnumDescriptor>,
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
        let messages = messages
            .filter(|m| !m.is_map_entry())
            .enumerate()
            .map(|(i, m)| (m.name().to_owned(), (i, m)))
            .collect();
        let enums = enums.map(|e| (e.name().to_owned(), e)).collect();
        Children { messages, enums }
    }
}

impl Walk<'_> {
    /// Compares the types of one level; `container` is the reader's place of the
    /// level (the file, or the message that declares them).
    pub(super) fn types(&mut self, ctx: &mut Ctx, o: Children, u: Children, container: Vec<i32>) {
        let names: BTreeSet<&String> = o.messages.keys().chain(u.messages.keys()).collect();
        for name in names {
            ctx.within(name, |ctx| {
                match (o.messages.get(name), u.messages.get(name)) {
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
                }
            });
        }
        let names: BTreeSet<&String> = o.enums.keys().chain(u.enums.keys()).collect();
        for name in names {
            ctx.within(name, |ctx| match (o.enums.get(name), u.enums.get(name)) {
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
        // whole: compatible, and its members are not reported one by one.
        let deleted: BTreeSet<&str> = om
            .oneofs
            .iter()
            .filter(|(name, _)| !um.oneofs.contains_key(*name))
            .filter(|(_, tags)| tags.iter().all(|t| !um.by_tag.contains_key(t)))
            .map(|(name, _)| name.as_str())
            .collect();

        // Fields that were independent (top-level, or from different oneofs) and now
        // share a oneof: data that set several of them keeps only one.
        for oneof in u.oneofs().filter(|o| !o.is_synthetic()) {
            let mut origins = BTreeSet::new();
            let mut moved_in = 0;
            for field in oneof.fields() {
                let tag = field.number();
                if let Some(name) = om.oneof_of.get(&tag) {
                    origins.insert(format!("oneof:{name}"));
                } else if om.by_tag.contains_key(&tag) {
                    origins.insert(format!("field:{tag}"));
                    moved_in += 1;
                }
            }
            if origins.len() > 1 {
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

        let names: BTreeSet<&String> = om.oneofs.keys().chain(um.oneofs.keys()).collect();
        for name in names {
            match (om.oneofs.contains_key(name), um.oneofs.contains_key(name)) {
                (true, false) => {
                    let message = format!(
                        "oneof `{name}` of `{}` was {}",
                        u.name(),
                        self.verb(Side::Original)
                    );
                    self.emit(
                        ctx,
                        Rule::ONEOF_REMOVED,
                        &[name.as_str()],
                        message_place.clone(),
                        message,
                    );
                }
                (false, true) => {
                    let place = u
                        .oneofs()
                        .find(|x| x.name() == name.as_str())
                        .map(|x| self.place(ctx, &u.parent_file(), x.path()))
                        .unwrap_or_else(|| message_place.clone());
                    let message = format!(
                        "oneof `{name}` of `{}` was {}",
                        u.name(),
                        self.verb(Side::Update)
                    );
                    self.emit(ctx, Rule::ONEOF_ADDED, &[name.as_str()], place, message);
                }
                _ => {}
            }
        }

        let tags: BTreeSet<u32> = om.by_tag.keys().chain(um.by_tag.keys()).copied().collect();
        for tag in tags {
            let number = tag.to_string();
            let of = om.oneof_of.get(&tag).map(String::as_str);
            let uf = um.oneof_of.get(&tag).map(String::as_str);
            match (om.by_tag.get(&tag), um.by_tag.get(&tag)) {
                (Some(field), None) => {
                    let what = describe(field);
                    let verb = self.verb(Side::Original);
                    match of {
                        Some(oneof) if deleted.contains(oneof) => {}
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
                    // A field declared the same way in the same oneof (or none) has
                    // nothing to report unless its type is a message, whose own fields
                    // may differ: skipped before anything is computed, since long
                    // histories compare mostly unchanged fields.
                    if of == uf
                        && !matches!(ufield.kind(), prost_reflect::Kind::Message(_))
                        && ofield.field_descriptor_proto() == ufield.field_descriptor_proto()
                    {
                        continue;
                    }
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

/// A message's fields by number and its (real) oneofs, as Confluent indexes them.
struct Members {
    by_tag: HashMap<u32, FieldDescriptor>,
    oneof_of: HashMap<u32, String>,
    /// Each oneof's member numbers, by oneof name.
    oneofs: BTreeMap<String, Vec<u32>>,
}

impl Members {
    fn of(message: &MessageDescriptor) -> Self {
        let mut by_tag = HashMap::with_capacity(message.fields().len());
        let mut oneof_of = HashMap::new();
        let mut oneofs: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        // A proto3 `optional` field sits in a synthetic oneof that the text never
        // declares: Confluent sees an ordinary optional field.
        for oneof in message.oneofs().filter(|o| !o.is_synthetic()) {
            oneofs.insert(oneof.name().to_owned(), Vec::new());
        }
        for field in message.fields() {
            let tag = field.number();
            if let Some(oneof) = field.containing_oneof().filter(|o| !o.is_synthetic()) {
                oneof_of.insert(tag, oneof.name().to_owned());
                oneofs.entry(oneof.name().to_owned()).or_default().push(tag);
            }
            by_tag.insert(tag, field);
        }
        Members {
            by_tag,
            oneof_of,
            oneofs,
        }
    }
}

/// "field `name` = 3".
pub(super) fn describe(field: &FieldDescriptor) -> String {
    format!("field `{}` = {}", field.name(), field.number())
}

use super::fields;
