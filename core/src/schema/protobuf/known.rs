//! Confluent's built-in imports (`ProtobufSchema.KNOWN_DEPENDENCIES`): files a schema
//! may import without a `references` entry. `google/protobuf/*` come from `protox`; the
//! `google/type/*` and `confluent/*` files are embedded (sources and licences in
//! `known/README.md`).

/// The embedded files, by import path.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "confluent/meta.proto",
        include_str!("known/confluent/meta.proto"),
    ),
    (
        "confluent/type/decimal.proto",
        include_str!("known/confluent/type/decimal.proto"),
    ),
    (
        "confluent/type/variant.proto",
        include_str!("known/confluent/type/variant.proto"),
    ),
    (
        "google/type/calendar_period.proto",
        include_str!("known/google/type/calendar_period.proto"),
    ),
    (
        "google/type/color.proto",
        include_str!("known/google/type/color.proto"),
    ),
    (
        "google/type/date.proto",
        include_str!("known/google/type/date.proto"),
    ),
    (
        "google/type/datetime.proto",
        include_str!("known/google/type/datetime.proto"),
    ),
    (
        "google/type/dayofweek.proto",
        include_str!("known/google/type/dayofweek.proto"),
    ),
    (
        "google/type/decimal.proto",
        include_str!("known/google/type/decimal.proto"),
    ),
    (
        "google/type/expr.proto",
        include_str!("known/google/type/expr.proto"),
    ),
    (
        "google/type/fraction.proto",
        include_str!("known/google/type/fraction.proto"),
    ),
    (
        "google/type/interval.proto",
        include_str!("known/google/type/interval.proto"),
    ),
    (
        "google/type/latlng.proto",
        include_str!("known/google/type/latlng.proto"),
    ),
    (
        "google/type/money.proto",
        include_str!("known/google/type/money.proto"),
    ),
    (
        "google/type/month.proto",
        include_str!("known/google/type/month.proto"),
    ),
    (
        "google/type/phone_number.proto",
        include_str!("known/google/type/phone_number.proto"),
    ),
    (
        "google/type/postal_address.proto",
        include_str!("known/google/type/postal_address.proto"),
    ),
    (
        "google/type/quaternion.proto",
        include_str!("known/google/type/quaternion.proto"),
    ),
    (
        "google/type/timeofday.proto",
        include_str!("known/google/type/timeofday.proto"),
    ),
];

/// The `google/protobuf/*` files Confluent knows (protox serves them).
const GOOGLE_PROTOBUF: &[&str] = &[
    "google/protobuf/any.proto",
    "google/protobuf/api.proto",
    "google/protobuf/descriptor.proto",
    "google/protobuf/duration.proto",
    "google/protobuf/empty.proto",
    "google/protobuf/field_mask.proto",
    "google/protobuf/source_context.proto",
    "google/protobuf/struct.proto",
    "google/protobuf/timestamp.proto",
    "google/protobuf/type.proto",
    "google/protobuf/wrappers.proto",
];

/// The text of an embedded built-in import, if `name` is one.
pub(crate) fn embedded(name: &str) -> Option<&'static str> {
    EMBEDDED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Whether `name` is one of Confluent's 30 built-in imports.
pub fn is_known(name: &str) -> bool {
    embedded(name).is_some() || GOOGLE_PROTOBUF.contains(&name)
}

/// Whether `name` lies where clients keep built-in files (`_is_builtin` of
/// confluent-kafka-python): such imports are not registered as subjects.
pub fn is_builtin_path(name: &str) -> bool {
    ["confluent/", "google/protobuf/", "google/type/"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// Every built-in import path, for tests and the catalogue.
pub fn all() -> impl Iterator<Item = &'static str> {
    EMBEDDED
        .iter()
        .map(|(n, _)| *n)
        .chain(GOOGLE_PROTOBUF.iter().copied())
}

#[cfg(test)]
mod tests {
    #[test]
    fn thirty_known_dependencies_as_confluent_lists_them() {
        assert_eq!(super::all().count(), 30);
    }
}
