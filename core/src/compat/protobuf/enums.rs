//! Enum values matched by number (Confluent's `EnumSchemaDiff`): added, removed, or the
//! same number under another name. All compatible for Confluent, since an enum field
//! is read as a number.

use std::collections::{BTreeMap, BTreeSet};

use prost_reflect::{EnumDescriptor, EnumValueDescriptor};

use super::rules::Rule;
use super::{Ctx, Side, Walk};

impl Walk<'_> {
    pub(super) fn enum_values(&mut self, ctx: &mut Ctx, o: &EnumDescriptor, u: &EnumDescriptor) {
        // With `allow_alias` several names share a number; as Confluent's map, the
        // last one declared stands for the number.
        let by_number = |e: &EnumDescriptor| -> BTreeMap<i32, EnumValueDescriptor> {
            e.values().map(|v| (v.number(), v)).collect()
        };
        let (ov, uv) = (by_number(o), by_number(u));
        let enum_place = self.place(ctx, &u.parent_file(), u.path());
        let numbers: BTreeSet<i32> = ov.keys().chain(uv.keys()).copied().collect();
        for number in numbers {
            let n = number.to_string();
            match (ov.get(&number), uv.get(&number)) {
                (Some(value), None) => {
                    let message = format!(
                        "value `{}` = {number} of enum `{}` was {}",
                        value.name(),
                        u.name(),
                        self.verb(Side::Original)
                    );
                    self.emit(
                        ctx,
                        Rule::ENUM_CONST_REMOVED,
                        &[n.as_str()],
                        &enum_place,
                        message,
                    );
                }
                (None, Some(value)) => {
                    let place = self.place(ctx, &u.parent_file(), value.path());
                    let message = format!(
                        "value `{}` = {number} of enum `{}` was {}",
                        value.name(),
                        u.name(),
                        self.verb(Side::Update)
                    );
                    self.emit(ctx, Rule::ENUM_CONST_ADDED, &[n.as_str()], &place, message);
                }
                (Some(a), Some(b)) if a.name() != b.name() => {
                    let place = self.place(ctx, &u.parent_file(), b.path());
                    let message = format!(
                        "value {number} of enum `{}` was renamed from `{}` to `{}`",
                        u.name(),
                        self.old_of(a, b).name(),
                        self.new_of(a, b).name()
                    );
                    self.emit(
                        ctx,
                        Rule::ENUM_CONST_CHANGED,
                        &[n.as_str()],
                        &place,
                        message,
                    );
                }
                _ => {}
            }
        }
    }
}
