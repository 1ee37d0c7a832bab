//! Content negotiation and request body encodings, as Confluent's Jersey resources do
//! them: every resource `@Produces` `application/vnd.schemaregistry.v1+json` (server
//! weight 1), `application/vnd.schemaregistry+json` (0.9) and `application/json` (0.5),
//! and `@Consumes` those three and `application/octet-stream`. An `Accept` that allows
//! none of them is 406, a body of another type 415; a body is read as Jackson reads it,
//! which detects UTF-16 and UTF-32 from its first bytes whatever the charset says.
//!
//! Checked for every request before it reaches a handler, the hot routes included; the
//! common request (no `Accept`, or one plain type) costs a few comparisons and no
//! allocation.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, header};

use super::ApiError;

/// A media type Schemagate answers JSON in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Media {
    /// `application/vnd.schemaregistry.v1+json`, the default.
    V1,
    /// `application/vnd.schemaregistry+json`.
    Default,
    /// `application/json`.
    Json,
}

/// What the resources produce, with Confluent's server weights (`qs`), best first.
const PRODUCED: [(Media, &str, &str, f32); 3] = [
    (Media::V1, "application", "vnd.schemaregistry.v1+json", 1.0),
    (
        Media::Default,
        "application",
        "vnd.schemaregistry+json",
        0.9,
    ),
    (Media::Json, "application", "json", 0.5),
];

/// What the resources consume: the three above and, for ad hoc clients, octet-stream.
const CONSUMED: [(&str, &str); 4] = [
    ("application", "vnd.schemaregistry.v1+json"),
    ("application", "vnd.schemaregistry+json"),
    ("application", "json"),
    ("application", "octet-stream"),
];

impl Media {
    /// The `Content-Type` of an answer in this type.
    pub(crate) fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Media::V1 => super::CONTENT_TYPE,
            Media::Default => "application/vnd.schemaregistry+json",
            Media::Json => "application/json",
        })
    }
}

/// Routes that are not Confluent's and answer whatever their callers (probes,
/// Prometheus) ask: no negotiation there.
fn exempt(path: &str) -> bool {
    matches!(path, "/metrics" | "/health")
}

/// The type to answer `method path` in, or why it cannot be answered: 406 when the
/// `Accept` header allows none of the produced types, 415 when a `POST` or `PUT` body
/// is declared as a type no resource consumes.
pub(crate) fn negotiate(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Result<Media, ApiError> {
    if exempt(path) {
        return Ok(Media::V1);
    }
    if (*method == Method::POST || *method == Method::PUT)
        && let Some(declared) = headers.get(header::CONTENT_TYPE)
        && !consumable(declared)
    {
        return Err(ApiError::UnsupportedMediaType);
    }
    let mut accepts = headers.get_all(header::ACCEPT).iter().peekable();
    if accepts.peek().is_none() {
        return Ok(Media::V1);
    }
    // Jersey's choice: the client's weight first, then the server's, then the more
    // specific range (exact, then `type/*`, then `*/*`).
    let mut best: Option<(f32, f32, u8, Media)> = None;
    // A blank `Accept` is no preference, as Jersey reads it.
    let mut asked = false;
    for value in accepts {
        // A header that is not text allows nothing.
        let Ok(value) = value.to_str() else {
            asked = true;
            continue;
        };
        if value.trim().is_empty() {
            continue;
        }
        asked = true;
        for range in value.split(',') {
            let Some((kind, sub, q)) = media_range(range) else {
                continue;
            };
            if q <= 0.0 {
                continue;
            }
            for (media, p_kind, p_sub, qs) in PRODUCED {
                let Some(distance) = compatible(kind, sub, p_kind, p_sub) else {
                    continue;
                };
                let better = best.is_none_or(|(bq, bqs, bd, _)| {
                    (q, qs) > (bq, bqs) || ((q, qs) == (bq, bqs) && distance < bd)
                });
                if better {
                    best = Some((q, qs, distance, media));
                }
            }
        }
    }
    match best {
        Some((.., media)) => Ok(media),
        None if !asked => Ok(Media::V1),
        None => Err(ApiError::NotAcceptable),
    }
}

/// Whether a declared body type is one the resources consume. An empty header is no
/// declaration.
fn consumable(declared: &HeaderValue) -> bool {
    let Ok(text) = declared.to_str() else {
        return false;
    };
    if text.trim().is_empty() {
        return true;
    }
    let Some((kind, sub, _)) = media_range(text) else {
        return false;
    };
    CONSUMED
        .iter()
        .any(|(c_kind, c_sub)| compatible(kind, sub, c_kind, c_sub).is_some())
}

/// `type/subtype; q=…; …` read as JAX-RS reads it: `*` alone is `*/*`; parameters other
/// than `q` do not matter. `None` for text that is no media type.
fn media_range(text: &str) -> Option<(&str, &str, f32)> {
    let mut parts = text.split(';');
    let essence = parts.next()?.trim();
    let (kind, sub) = match essence.split_once('/') {
        Some((kind, sub)) => (kind.trim(), sub.trim()),
        None if essence == "*" => ("*", "*"),
        None => return None,
    };
    if kind.is_empty() || sub.is_empty() {
        return None;
    }
    let mut q = 1.0;
    for param in parts {
        if let Some((name, value)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("q")
        {
            q = value.trim().parse::<f32>().ok()?;
        }
    }
    Some((kind, sub, q))
}

/// How far the range `kind/sub` is from the concrete type `p_kind/p_sub`: 0 when it
/// names it, 1 through a subtype wildcard, 2 through a type wildcard (which, as in
/// JAX-RS's `isCompatible`, matches every type); `None` when it does not match.
fn compatible(kind: &str, sub: &str, p_kind: &str, p_sub: &str) -> Option<u8> {
    if kind == "*" {
        return Some(2);
    }
    if !kind.eq_ignore_ascii_case(p_kind) {
        return None;
    }
    if sub == "*" {
        return Some(1);
    }
    sub.eq_ignore_ascii_case(p_sub).then_some(0)
}

/// A request body as UTF-8, detected as Jackson's `ByteSourceJsonBootstrapper` detects
/// it: a byte-order mark, or the zero bytes an ASCII first character leaves in UTF-16
/// and UTF-32. A UTF-8 body (every body a Confluent client sends) is returned as it
/// came, without a copy.
pub(crate) fn to_utf8(body: Bytes) -> Result<Bytes, ApiError> {
    let b = &body[..];
    let encoding = match b {
        [0xEF, 0xBB, 0xBF, ..] => return Ok(body.slice(3..)),
        [0x00, 0x00, 0xFE, 0xFF, ..] => Encoding::Utf32 { big: true, skip: 4 },
        [0xFF, 0xFE, 0x00, 0x00, ..] => Encoding::Utf32 {
            big: false,
            skip: 4,
        },
        [0xFE, 0xFF, ..] => Encoding::Utf16 { big: true, skip: 2 },
        [0xFF, 0xFE, ..] => Encoding::Utf16 {
            big: false,
            skip: 2,
        },
        [0x00, 0x00, 0x00, _, ..] => Encoding::Utf32 { big: true, skip: 0 },
        [_, 0x00, 0x00, 0x00, ..] => Encoding::Utf32 {
            big: false,
            skip: 0,
        },
        [0x00, _, ..] => Encoding::Utf16 { big: true, skip: 0 },
        [_, 0x00, ..] => Encoding::Utf16 {
            big: false,
            skip: 0,
        },
        _ => return Ok(body),
    };
    encoding.decode(b).map(Bytes::from)
}

/// A wide Unicode encoding of a body.
enum Encoding {
    Utf16 { big: bool, skip: usize },
    Utf32 { big: bool, skip: usize },
}

impl Encoding {
    fn decode(self, bytes: &[u8]) -> Result<String, ApiError> {
        let bad = |name: &str| {
            ApiError::Malformed(format!(
                "The request body looks like {name} (by its first bytes) but is not valid {name}: send it as UTF-8, or as valid UTF-16 or UTF-32"
            ))
        };
        match self {
            Encoding::Utf16 { big, skip } => {
                let units = &bytes[skip..];
                if !units.len().is_multiple_of(2) {
                    return Err(bad("UTF-16"));
                }
                let words = units.chunks_exact(2).map(|c| {
                    let pair = [c[0], c[1]];
                    if big {
                        u16::from_be_bytes(pair)
                    } else {
                        u16::from_le_bytes(pair)
                    }
                });
                char::decode_utf16(words)
                    .collect::<Result<String, _>>()
                    .map_err(|_| bad("UTF-16"))
            }
            Encoding::Utf32 { big, skip } => {
                let units = &bytes[skip..];
                if !units.len().is_multiple_of(4) {
                    return Err(bad("UTF-32"));
                }
                units
                    .chunks_exact(4)
                    .map(|c| {
                        let quad = [c[0], c[1], c[2], c[3]];
                        let n = if big {
                            u32::from_be_bytes(quad)
                        } else {
                            u32::from_le_bytes(quad)
                        };
                        char::from_u32(n)
                    })
                    .collect::<Option<String>>()
                    .ok_or_else(|| bad("UTF-32"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Result<Media, ApiError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        negotiate(&Method::GET, "/subjects", &headers)
    }

    #[test]
    fn accept_is_negotiated_as_jersey_does() {
        for (value, expected) in [
            ("application/json", Media::Json),
            ("*/*", Media::V1),
            ("*", Media::V1),
            ("application/*", Media::V1),
            ("*/does_not_matter", Media::V1),
            (
                "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2",
                Media::V1,
            ),
            (
                "application/vnd.schemaregistry.v2+json; q=0.1, application/vnd.schemaregistry+json; q=0.9",
                Media::Default,
            ),
            (
                "application/vnd.schemaregistry.v1+json; q=0.9, application/json; q=0.5",
                Media::V1,
            ),
            (
                "application/json; q=0.9, application/vnd.schemaregistry.v1+json; q=0.5",
                Media::Json,
            ),
            (
                "application/vnd.schemaregistry.v1+json; charset=utf-8",
                Media::V1,
            ),
            ("APPLICATION/JSON", Media::Json),
        ] {
            assert_eq!(accept(value).unwrap(), expected, "{value}");
        }
        for value in [
            "application/vnd.schemaregistry.v2+json",
            "text/*",
            "application/octet-stream",
            "application/json; q=0",
        ] {
            assert!(
                matches!(accept(value), Err(ApiError::NotAcceptable)),
                "{value}"
            );
        }
        assert_eq!(
            negotiate(&Method::GET, "/subjects", &HeaderMap::new()).unwrap(),
            Media::V1
        );
        assert_eq!(accept(" ").unwrap(), Media::V1);
    }

    #[test]
    fn only_consumed_body_types_are_read() {
        let with = |method: Method, value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
            negotiate(&method, "/config", &headers)
        };
        for ok in [
            "application/json",
            "application/vnd.schemaregistry.v1+json; charset=utf-16",
            "application/octet-stream",
            "application/vnd.schemaregistry+json",
        ] {
            assert!(with(Method::PUT, ok).is_ok(), "{ok}");
        }
        assert!(matches!(
            with(Method::PUT, "text/html"),
            Err(ApiError::UnsupportedMediaType)
        ));
        // A GET has no body to refuse.
        assert!(with(Method::GET, "text/html").is_ok());
    }

    #[test]
    fn wide_encodings_are_decoded_like_jackson() {
        let text = r#"{"compatibility": "NONE"}"#;
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let utf16be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let utf32le: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let utf8bom: Vec<u8> = [0xEF, 0xBB, 0xBF].into_iter().chain(text.bytes()).collect();
        for body in [utf16le, utf16be, utf32le, utf8bom, text.as_bytes().to_vec()] {
            assert_eq!(&to_utf8(Bytes::from(body)).unwrap()[..], text.as_bytes());
        }
        assert!(to_utf8(Bytes::from_static(&[0x7B, 0x00, 0x22])).is_err());
    }
}
