//! A `.proto` file's outline read before it is compiled: its package, its imports (with
//! the line and column of each, for messages) and its first top-level message (the
//! record name of the naming strategies). The project needs the imports to turn them
//! into references, and it must do so before the core can compile the file, since
//! compiling needs those references; so this is a token scan, not a parser: it
//! understands comments and string literals, and what it cannot read it skips, leaving
//! the errors to the compiler, which reports them with their places.

/// One `import` statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// The imported path as written (`shop/v1/customer.proto`).
    pub path: String,
    /// 1-based line of the `import` keyword.
    pub line: usize,
    /// 1-based column of the `import` keyword, in characters.
    pub column: usize,
}

/// What the scan found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    /// The `package`, when declared.
    pub package: Option<String>,
    /// Every import, in file order.
    pub imports: Vec<Import>,
    /// The name of the first top-level message, unqualified.
    pub first_message: Option<String>,
}

impl Outline {
    /// The first message's full name (`shop.v1.Order`), as Confluent's record naming
    /// strategies name a Protobuf schema.
    pub fn record_name(&self) -> Option<String> {
        let message = self.first_message.as_deref()?;
        Some(match self.package.as_deref() {
            Some(package) if !package.is_empty() => format!("{package}.{message}"),
            _ => message.to_owned(),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Word(String),
    Str(String),
    Punct(char),
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    line: usize,
    column: usize,
}

/// Splits `text` into words, string literals and punctuation, skipping whitespace and
/// comments; an unterminated string or comment ends the scan.
fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut column) = (0usize, 1usize, 1usize);
    // Moves past one character, keeping line and column.
    let step = |i: &mut usize, line: &mut usize, column: &mut usize| {
        if chars[*i] == '\n' {
            *line += 1;
            *column = 1;
        } else {
            *column += 1;
        }
        *i += 1;
    };
    while i < chars.len() {
        let c = chars[i];
        let (start_line, start_column) = (line, column);
        if c.is_whitespace() {
            step(&mut i, &mut line, &mut column);
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                step(&mut i, &mut line, &mut column);
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            step(&mut i, &mut line, &mut column);
            step(&mut i, &mut line, &mut column);
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                step(&mut i, &mut line, &mut column);
            }
            if i >= chars.len() {
                break;
            }
            step(&mut i, &mut line, &mut column);
            step(&mut i, &mut line, &mut column);
        } else if c == '"' || c == '\'' {
            step(&mut i, &mut line, &mut column);
            let mut value = String::new();
            let mut closed = false;
            while i < chars.len() {
                let d = chars[i];
                step(&mut i, &mut line, &mut column);
                if d == c {
                    closed = true;
                    break;
                }
                if d == '\\' && i < chars.len() {
                    // Import paths hold no escapes worth decoding; keep the character.
                    value.push(chars[i]);
                    step(&mut i, &mut line, &mut column);
                    continue;
                }
                value.push(d);
            }
            if !closed {
                break;
            }
            out.push(Token {
                kind: Kind::Str(value),
                line: start_line,
                column: start_column,
            });
        } else if c.is_alphanumeric() || c == '_' || c == '.' {
            let mut word = String::new();
            while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.')) {
                word.push(chars[i]);
                step(&mut i, &mut line, &mut column);
            }
            out.push(Token {
                kind: Kind::Word(word),
                line: start_line,
                column: start_column,
            });
        } else {
            step(&mut i, &mut line, &mut column);
            out.push(Token {
                kind: Kind::Punct(c),
                line: start_line,
                column: start_column,
            });
        }
    }
    out
}

/// The outline of a `.proto` text (see the module's comment for what it reads).
pub fn outline(text: &str) -> Outline {
    let tokens = tokens(text);
    let mut out = Outline::default();
    let mut depth = 0usize;
    // Statements begin at the start of the file and after `;`, `{` or `}`.
    let mut at_start = true;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        let word = match &token.kind {
            Kind::Punct(c) => {
                match c {
                    '{' => depth += 1,
                    '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                at_start = matches!(c, ';' | '{' | '}');
                i += 1;
                continue;
            }
            Kind::Word(w) => w.as_str(),
            Kind::Str(_) => {
                at_start = false;
                i += 1;
                continue;
            }
        };
        if at_start && depth == 0 {
            match word {
                "import" => {
                    let mut j = i + 1;
                    if matches!(tokens.get(j).map(|t| &t.kind), Some(Kind::Word(w)) if w == "public" || w == "weak")
                    {
                        j += 1;
                    }
                    // Adjacent literals concatenate, as in C.
                    let mut path = String::new();
                    while let Some(Kind::Str(s)) = tokens.get(j).map(|t| &t.kind) {
                        path.push_str(s);
                        j += 1;
                    }
                    if !path.is_empty() {
                        out.imports.push(Import {
                            path,
                            line: token.line,
                            column: token.column,
                        });
                    }
                }
                "package" => {
                    if let Some(Kind::Word(name)) = tokens.get(i + 1).map(|t| &t.kind) {
                        out.package = Some(name.clone());
                    }
                }
                "message" if out.first_message.is_none() => {
                    if let Some(Kind::Word(name)) = tokens.get(i + 1).map(|t| &t.kind) {
                        out.first_message = Some(name.clone());
                    }
                }
                _ => {}
            }
        }
        at_start = false;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_are_found_with_their_places_and_comments_are_skipped() {
        let text = "syntax = \"proto3\";\n// import \"commented/out.proto\";\n/* import \"also/out.proto\"; */\npackage shop.v1;\n\n  import public \"shop/v1/customer.proto\";\nimport \"google/protobuf/\" \"timestamp.proto\";\nmessage Inner { message Nested {} }\nmessage Second {}\n";
        let o = outline(text);
        assert_eq!(o.package.as_deref(), Some("shop.v1"));
        assert_eq!(
            o.imports,
            [
                Import {
                    path: "shop/v1/customer.proto".into(),
                    line: 6,
                    column: 3
                },
                Import {
                    path: "google/protobuf/timestamp.proto".into(),
                    line: 7,
                    column: 1
                },
            ]
        );
        assert_eq!(o.first_message.as_deref(), Some("Inner"));
        assert_eq!(o.record_name().as_deref(), Some("shop.v1.Inner"));
    }

    #[test]
    fn words_inside_messages_and_strings_are_not_statements() {
        let text = "message A { string import = 1; }\noption java_package = \"import\";\n";
        let o = outline(text);
        assert!(o.imports.is_empty(), "{o:?}");
        assert_eq!(o.record_name().as_deref(), Some("A"));
    }

    #[test]
    fn an_unterminated_comment_or_string_ends_the_scan_without_panicking() {
        assert_eq!(outline("import \"a.proto").imports, []);
        assert_eq!(outline("import \"a.proto\"; /* no end").imports.len(), 1);
    }
}
