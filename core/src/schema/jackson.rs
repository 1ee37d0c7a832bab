//! JSON as Jackson reads and writes it, for the text a schema is registered as
//! ([`super::ParsedSchema::registered`]): Confluent stores the text its Java side
//! writes back out of the tree Jackson parsed, not the text it was sent.
//!
//! `serde_json::Value` cannot say what Jackson would write: it forgets how a number
//! was spelled (`1.50`, `1e2`, a 30-digit integer) and, without a crate feature that
//! would change iteration order for the whole workspace, the order of keys. So the
//! text is read a second time into a [`Tree`] that keeps both. Only texts that
//! `serde_json` already accepted (under the limits) are read here.
//!
//! What Jackson does, and this module copies:
//! - a repeated key keeps the first one's place and the last one's value
//!   (`ObjectNode.replace` into a `LinkedHashMap`);
//! - integers are written as their digits (`-0` as `0`); other numbers as Avro's
//!   mapper reads them, a Java `double` ([`Numbers::Double`]), or as Confluent's JSON
//!   Schema mapper does, an exact `BigDecimal` ([`Numbers::BigDecimal`]);
//! - strings escape `"`, `\`, and control characters, `\b \t \n \f \r` short and the
//!   others as `\u00XX` with upper-case hex digits; nothing else (not `/`, not
//!   non-ASCII).

use std::collections::HashMap;

use super::error::SchemaError;

/// A JSON value as Jackson's tree holds it: keys in text order, numbers as spelled.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tree<'a> {
    Null,
    Bool(bool),
    /// A number as written in the text (valid JSON number syntax).
    Number(&'a str),
    String(String),
    Array(Vec<Tree<'a>>),
    /// Members in the order their keys first appear.
    Object(Vec<(String, Tree<'a>)>),
}

impl<'a> Tree<'a> {
    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Tree<'a>> {
        match self {
            Tree::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The members of an object, none for anything else.
    pub(crate) fn members(&self) -> &[(String, Tree<'a>)] {
        match self {
            Tree::Object(members) => members,
            _ => &[],
        }
    }

    /// The elements of an array, none for anything else.
    pub(crate) fn elements(&self) -> &[Tree<'a>] {
        match self {
            Tree::Array(items) => items,
            _ => &[],
        }
    }

    /// The string, for a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Tree::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value at a JSON pointer (`""` is the value itself), as `Value::pointer`.
    pub(crate) fn pointer(&self, pointer: &str) -> Option<&Tree<'a>> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |node, token| {
            let token = token.replace("~1", "/").replace("~0", "~");
            match node {
                Tree::Object(_) => node.get(&token),
                Tree::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            }
        })
    }
}

/// Deepest nesting read: serde_json, which accepted the text first, stops at 128.
const MAX_DEPTH: usize = 1_000;

/// Objects at least this large get a key index, so that a text with many keys is not
/// read in quadratic time.
const INDEX_FROM: usize = 16;

/// Reads a JSON text that `serde_json` has accepted. The error is only for a text it
/// would not have accepted, which the caller never passes.
pub(crate) fn parse(text: &str) -> Result<Tree<'_>, SchemaError> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let tree = reader.value(0)?;
    reader.skip_whitespace();
    if reader.at != reader.bytes.len() {
        return Err(reader.error("trailing characters"));
    }
    Ok(tree)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn error(&self, what: &str) -> SchemaError {
        SchemaError::invalid(
            "",
            format!(
                "cannot read the schema text again at byte {}: {what}",
                self.at
            ),
        )
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), SchemaError> {
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected {:?}", byte as char)))
        }
    }

    fn literal(&mut self, word: &str, tree: Tree<'a>) -> Result<Tree<'a>, SchemaError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(tree)
        } else {
            Err(self.error("unexpected word"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Tree<'a>, SchemaError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deep"));
        }
        self.skip_whitespace();
        match self.bytes.get(self.at) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Tree::String(self.string()?)),
            Some(b't') => self.literal("true", Tree::Bool(true)),
            Some(b'f') => self.literal("false", Tree::Bool(false)),
            Some(b'n') => self.literal("null", Tree::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("expected a value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Tree<'a>, SchemaError> {
        self.expect(b'{')?;
        let mut members: Vec<(String, Tree<'a>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        self.skip_whitespace();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Ok(Tree::Object(members));
        }
        loop {
            self.skip_whitespace();
            let key = self.string()?;
            self.skip_whitespace();
            self.expect(b':')?;
            let value = self.value(depth + 1)?;
            // Jackson: a repeated key keeps its first place and takes the last value.
            let seen = if members.len() < INDEX_FROM {
                members.iter().position(|(k, _)| *k == key)
            } else {
                if index.is_empty() {
                    index = members
                        .iter()
                        .enumerate()
                        .map(|(i, (k, _))| (k.clone(), i))
                        .collect();
                }
                index.get(&key).copied()
            };
            match seen {
                Some(i) => members[i].1 = value,
                None => {
                    if !index.is_empty() {
                        index.insert(key.clone(), members.len());
                    }
                    members.push((key, value));
                }
            }
            self.skip_whitespace();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Tree::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Tree<'a>, SchemaError> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            return Ok(Tree::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Tree::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn number(&mut self) -> Result<Tree<'a>, SchemaError> {
        let start = self.at;
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let digits = |r: &mut Self| {
            let from = r.at;
            while r.bytes.get(r.at).is_some_and(u8::is_ascii_digit) {
                r.at += 1;
            }
            r.at > from
        };
        if !digits(self) {
            return Err(self.error("expected digits"));
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if !digits(self) {
                return Err(self.error("expected digits"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if !digits(self) {
                return Err(self.error("expected digits"));
            }
        }
        Ok(Tree::Number(&self.text[start..self.at]))
    }

    fn string(&mut self) -> Result<String, SchemaError> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let run = self.at;
            while let Some(&b) = self.bytes.get(self.at) {
                if b == b'"' || b == b'\\' {
                    break;
                }
                self.at += 1;
            }
            // Breaks only at ASCII bytes, so the run is whole characters.
            out.push_str(&self.text[run..self.at]);
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    self.escape(&mut out)?;
                }
                _ => return Err(self.error("unterminated string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SchemaError> {
        let Some(&b) = self.bytes.get(self.at) else {
            return Err(self.error("unterminated escape"));
        };
        self.at += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&high) {
                    // serde_json refuses a lone surrogate, so a low one follows.
                    if !self.bytes[self.at..].starts_with(b"\\u") {
                        return Err(self.error("lone surrogate"));
                    }
                    self.at += 2;
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.error("lone surrogate"));
                    }
                    0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    high
                };
                char::from_u32(code).ok_or_else(|| self.error("lone surrogate"))?
            }
            _ => return Err(self.error("unknown escape")),
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, SchemaError> {
        let hex = self
            .text
            .get(self.at..self.at + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.error("bad \\u escape"))?;
        self.at += 4;
        Ok(hex)
    }
}

/// How Jackson holds a number that is not an integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Numbers {
    /// A Java `double`, written by `Double.toString`: Avro's own mapper.
    Double,
    /// An exact `BigDecimal`, written by `BigDecimal.toString`: Confluent's JSON Schema
    /// mapper (`USE_BIG_DECIMAL_FOR_FLOATS`, `withExactBigDecimals(true)`).
    BigDecimal,
}

/// Writes `tree` compactly as Jackson would, keys in tree order or, with `sorted`,
/// sorted at every level (Confluent's `SortingNodeFactory` for `normalize`).
pub(crate) fn write(tree: &Tree<'_>, numbers: Numbers, sorted: bool, out: &mut String) {
    match tree {
        Tree::Null => out.push_str("null"),
        Tree::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Tree::Number(n) => write_number(n, numbers, out),
        Tree::String(s) => write_string(s, out),
        Tree::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, numbers, sorted, out);
            }
            out.push(']');
        }
        Tree::Object(members) => {
            let mut order: Vec<&(String, Tree<'_>)> = members.iter().collect();
            if sorted {
                // Java's TreeMap compares UTF-16 code units; this compares code points,
                // which differs only between U+E000..U+FFFF and supplementary ones.
                order.sort_by(|a, b| a.0.cmp(&b.0));
            }
            out.push('{');
            for (i, (key, value)) in order.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write(value, numbers, sorted, out);
            }
            out.push('}');
        }
    }
}

/// A JSON string as Jackson's generator escapes it.
pub(crate) fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0..=0x1F => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        if escaped.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xF)] as char);
        } else {
            out.push_str(escaped);
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Whether a JSON number is written as an integer (no fraction, no exponent), which
/// Jackson reads as an `int`, `long` or `BigInteger` whatever the mapper.
pub(crate) fn is_integer(lexeme: &str) -> bool {
    !lexeme.contains(['.', 'e', 'E'])
}

/// A JSON number as Jackson writes it back.
pub(crate) fn write_number(lexeme: &str, numbers: Numbers, out: &mut String) {
    if is_integer(lexeme) {
        // An integer's digits; Java's integers have no negative zero.
        if lexeme.trim_start_matches('-').bytes().all(|b| b == b'0') {
            out.push('0');
        } else {
            out.push_str(lexeme);
        }
        return;
    }
    match numbers {
        Numbers::Double => match lexeme.parse::<f64>() {
            Ok(v) => write_java_double(v, out),
            // Unreachable for a number serde_json accepted; keep the text.
            Err(_) => out.push_str(lexeme),
        },
        Numbers::BigDecimal => write_big_decimal(lexeme, out),
    }
}

/// Java's `Double.toString` (the specification of Java 19 and later: the shortest
/// decimal that reads back as `v`, at least two digits when the shortest has one;
/// plain between 10^-3 and 10^7, else `d.dddE±n`). Jackson writes a `double` with it.
pub(crate) fn write_java_double(v: f64, out: &mut String) {
    if v.is_nan() {
        // Jackson's default WRITE_NAN_AS_STRINGS.
        out.push_str("\"NaN\"");
        return;
    }
    if v.is_infinite() {
        out.push_str(if v > 0.0 {
            "\"Infinity\""
        } else {
            "\"-Infinity\""
        });
        return;
    }
    if v.is_sign_negative() {
        out.push('-');
    }
    let v = v.abs();
    if v == 0.0 {
        out.push_str("0.0");
        return;
    }
    let (mut digits, mut exp) = scientific(&format!("{v:e}"));
    if digits.len() == 1 {
        // With one shortest digit Java picks the closest decimal of one or two digits:
        // exact rounding to two digits finds it (it always reads back as `v`).
        let (two, two_exp) = scientific(&format!("{v:.1e}"));
        digits = two.trim_end_matches('0').to_owned();
        if digits.is_empty() {
            digits.push('0');
        }
        exp = two_exp;
    }
    write_java_digits(&digits, exp, out);
}

/// Java's `Float.toString` of `v`, read back as a `double` and written by
/// `Double.toString`: what a `float` value becomes once Avro reparses it.
pub(crate) fn write_java_float_as_double(v: f32, out: &mut String) {
    if !v.is_finite() {
        write_java_double(f64::from(v), out);
        return;
    }
    // The shortest decimal that reads back as the float is Float.toString's digits.
    let text = format!("{v:e}");
    match text.parse::<f64>() {
        Ok(d) => write_java_double(d, out),
        Err(_) => write_java_double(f64::from(v), out),
    }
}

/// Splits Rust's `{:e}` output (`1.2345e-7`) into its digits and decimal exponent.
fn scientific(text: &str) -> (String, i32) {
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exp.parse().unwrap_or(0))
}

/// `d1.d2...dn × 10^exp` in Java's layout.
fn write_java_digits(digits: &str, exp: i32, out: &mut String) {
    if (-3..7).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() > int_len {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            } else {
                out.push_str(digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(digits);
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        if digits.len() > 1 {
            out.push_str(&digits[1..]);
        } else {
            out.push('0');
        }
        out.push('E');
        out.push_str(&exp.to_string());
    }
}

/// Java's `BigDecimal.toString` of `new BigDecimal(lexeme)`: the digits kept exactly
/// (`1.50` stays `1.50`), plain unless the exponent is positive or the number is
/// below 10^-6, then `1.5E+10`. Jackson writes a `BigDecimal` with it.
pub(crate) fn write_big_decimal(lexeme: &str, out: &mut String) {
    let (negative, unsigned) = match lexeme.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, lexeme),
    };
    let (mantissa, exp) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], &unsigned[i + 1..]),
        None => (unsigned, "0"),
    };
    // An exponent beyond Java's int range is refused by Java; keep it finite here.
    let exp: i64 = exp
        .trim_start_matches('+')
        .parse()
        .unwrap_or(if exp.starts_with('-') {
            i64::MIN / 4
        } else {
            i64::MAX / 4
        })
        .clamp(i64::MIN / 4, i64::MAX / 4);
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all: String = format!("{int_part}{frac_part}");
    let coefficient = all.trim_start_matches('0');
    let coefficient = if coefficient.is_empty() {
        "0"
    } else {
        coefficient
    };
    let scale = frac_part.len() as i64 - exp;
    if negative && coefficient != "0" {
        out.push('-');
    }
    if scale == 0 {
        out.push_str(coefficient);
        return;
    }
    let len = coefficient.len() as i64;
    let adjusted = -scale + (len - 1);
    if scale > 0 && adjusted >= -6 {
        if len > scale {
            let point = (len - scale) as usize;
            out.push_str(&coefficient[..point]);
            out.push('.');
            out.push_str(&coefficient[point..]);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (scale - len) as usize));
            out.push_str(coefficient);
        }
    } else {
        out.push_str(&coefficient[..1]);
        if len > 1 {
            out.push('.');
            out.push_str(&coefficient[1..]);
        }
        if adjusted != 0 {
            out.push('E');
            if adjusted > 0 {
                out.push('+');
            }
            out.push_str(&adjusted.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn again(text: &str, numbers: Numbers) -> String {
        let mut out = String::new();
        write(&parse(text).unwrap(), numbers, false, &mut out);
        out
    }

    fn double(v: f64) -> String {
        let mut out = String::new();
        write_java_double(v, &mut out);
        out
    }

    fn decimal(lexeme: &str) -> String {
        let mut out = String::new();
        write_big_decimal(lexeme, &mut out);
        out
    }

    #[test]
    fn keys_stay_in_text_order_and_whitespace_goes() {
        assert_eq!(
            again(
                "{ \"z\" : 1,\n \"a\": [ true, null ], \"m\": {\"y\": \"x\", \"b\": {}} }",
                Numbers::BigDecimal
            ),
            r#"{"z":1,"a":[true,null],"m":{"y":"x","b":{}}}"#
        );
    }

    #[test]
    fn a_repeated_key_keeps_its_place_and_takes_the_last_value() {
        assert_eq!(
            again(r#"{"a":1,"b":2,"a":3}"#, Numbers::BigDecimal),
            r#"{"a":3,"b":2}"#
        );
        // The same past the size where objects get an index.
        let keys: Vec<String> = (0..20).map(|i| format!("\"k{i}\":{i}")).collect();
        let text = format!("{{{},\"k3\":99}}", keys.join(","));
        let out = again(&text, Numbers::BigDecimal);
        assert!(
            out.starts_with(r#"{"k0":0,"k1":1,"k2":2,"k3":99,"k4":4"#),
            "{out}"
        );
        assert!(!out.contains("\"k3\":3"), "{out}");
    }

    #[test]
    fn sorted_sorts_every_level() {
        let mut out = String::new();
        write(
            &parse(r#"{"b":{"d":1,"c":2},"a":[{"f":1,"e":2}]}"#).unwrap(),
            Numbers::BigDecimal,
            true,
            &mut out,
        );
        assert_eq!(out, r#"{"a":[{"e":2,"f":1}],"b":{"c":2,"d":1}}"#);
    }

    #[test]
    fn strings_escape_like_jackson() {
        let text = r#""q\" b\\ s\/ \b\f\n\r\t \u0001\u001f \u007f é \ud83d\ude00""#;
        assert_eq!(
            again(text, Numbers::Double),
            "\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \\u0001\\u001F \u{7f} é 😀\""
        );
    }

    #[test]
    fn integers_keep_their_digits() {
        assert_eq!(
            again(
                "[0, -0, 12, -7, 123456789012345678901234567890]",
                Numbers::Double
            ),
            "[0,0,12,-7,123456789012345678901234567890]"
        );
    }

    #[test]
    fn doubles_are_written_like_java() {
        // Expected values are Java's Double.toString.
        let cases = [
            (1.0, "1.0"),
            (100.0, "100.0"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (0.1, "0.1"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1234567.0, "1234567.0"),
            (1e7, "1.0E7"),
            (1.5e10, "1.5E10"),
            (123456789.0, "1.23456789E8"),
            (1e-7, "1.0E-7"),
            (-0.0, "-0.0"),
            (1e23, "1.0E23"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (f64::MAX, "1.7976931348623157E308"),
            (5e-324, "4.9E-324"),
        ];
        for (v, java) in cases {
            assert_eq!(double(v), java, "{v:e}");
        }
        assert_eq!(
            again("[1e2, 1.50, 2E-5]", Numbers::Double),
            "[100.0,1.5,2.0E-5]"
        );
    }

    #[test]
    fn floats_read_back_as_doubles_like_java() {
        let mut out = String::new();
        write_java_float_as_double(0.1, &mut out);
        assert_eq!(out, "0.1");
        out.clear();
        write_java_float_as_double(16_777_217.0, &mut out);
        assert_eq!(out, "1.6777216E7");
    }

    #[test]
    fn big_decimals_are_written_like_java() {
        // Expected values are Java's new BigDecimal(s).toString().
        let cases = [
            ("1.0", "1.0"),
            ("1.50", "1.50"),
            ("-1.5", "-1.5"),
            ("-0.0", "0.0"),
            ("0.000", "0.000"),
            ("1e2", "1E+2"),
            ("1E+2", "1E+2"),
            ("1.5e10", "1.5E+10"),
            ("12.5e1", "125"),
            ("0.00001", "0.00001"),
            ("0.0000001", "1E-7"),
            ("1e-7", "1E-7"),
            ("123.456e-2", "1.23456"),
            ("0e5", "0E+5"),
            ("0.5e-10", "5E-11"),
            ("100e-2", "1.00"),
        ];
        for (lexeme, java) in cases {
            assert_eq!(decimal(lexeme), java, "{lexeme}");
        }
    }

    #[test]
    fn pointers_find_members_and_elements() {
        let tree = parse(r#"{"a":[{"b/c":1,"d~e":2}]}"#).unwrap();
        assert_eq!(tree.pointer("/a/0/b~1c"), Some(&Tree::Number("1")));
        assert_eq!(tree.pointer("/a/0/d~0e"), Some(&Tree::Number("2")));
        assert_eq!(tree.pointer("/a/1"), None);
        assert_eq!(tree.pointer(""), Some(&tree));
    }
}
