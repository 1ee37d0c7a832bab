//! What every format says of a note beyond its finding: the counterexample that proves a
//! break ("example event (written by version 3): {...} → the reader fails: ...") and
//! the `[[accept]]` entry that lets it pass ("accepted until 2025-09-30: ..."); and
//! `schemagate diff --example`, which prints only the counterexamples.

use schemagate_core::counterexample::{Counterexample, Side};

use crate::report::{Note, Outcome, Status, counterexample_json};

/// Who wrote a counterexample's event, as a person knows it: the version it was
/// compared with ("version 3", "HEAD", the old file) or the new schema.
pub(super) fn writer(note: &Note, c: &Counterexample) -> String {
    match c.writer {
        Side::Old => note
            .compared_with
            .clone()
            .unwrap_or_else(|| "the old schema".to_owned()),
        Side::New => "the new schema".to_owned(),
    }
}

/// The event as one line of JSON.
pub(super) fn event(c: &Counterexample) -> String {
    serde_json::to_string(&c.event).unwrap_or_else(|_| "null".to_owned())
}

/// "example event (written by version 3): {...} → the reader fails: ...", or `None`
/// when the note has no counterexample.
pub(super) fn line(note: &Note) -> Option<String> {
    let c = note.counterexample.as_ref()?;
    Some(format!(
        "example event (written by {}): {} → {}",
        writer(note, c),
        event(c),
        c.outcome
    ))
}

/// `schemagate diff --example`: one JSON object per line for each counterexample
/// (rule, path, writer, event, base64 bytes, outcome), nothing else.
pub(super) fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for (_, note) in outcome.notes() {
        if let Some(c) = &note.counterexample {
            let mut doc = counterexample_json(c);
            doc["written_by"] = writer(note, c).into();
            out.push_str(&serde_json::to_string(&doc).unwrap_or_else(|_| "{}".to_owned()));
            out.push('\n');
        }
    }
    out
}

/// What `--example` says on stderr: every break it has no event for, and why an item
/// could not be judged, so an empty stdout is never a silent one.
pub(super) fn unproven(outcome: &Outcome) -> Vec<String> {
    outcome
        .notes()
        .filter(|(_, n)| n.is_breaking() && n.counterexample.is_none())
        .map(|(item, n)| {
            let f = &n.finding;
            let path = if f.path.is_empty() { "/" } else { &f.path };
            if item.status == Status::Error {
                format!("error: {}: {}", item.name, f.message)
            } else {
                format!(
                    "{}: {} at {path}: no counterexample found (the search is bounded; the finding stands): {}",
                    item.name, f.rule, f.message
                )
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use schemagate_core::Finding;
    use schemagate_core::counterexample::{Counterexample, Side};

    use crate::output::{ColorChoice, Format, Printer};
    use crate::report::{Acceptance, CommandName, Item, Note, Outcome, Status};

    #[test]
    fn every_format_shows_an_accepted_break_and_its_counterexample() {
        let mut note = Note::new(Finding::breaking(
            "READER_FIELD_MISSING_DEFAULT_VALUE",
            "/fields/2",
            "reader field \"coupon\" (string) is not in the writer and has no default",
            None,
        ))
        .at(Some("schemas/orders.avsc".into()), Some((8, 5)));
        note.compared_with = Some("version 3".into());
        note.accepted = Some(Acceptance {
            reason: "no consumers yet".into(),
            until: "2099-01-31".into(),
        });
        note.counterexample = Some(Counterexample {
            rule: "READER_FIELD_MISSING_DEFAULT_VALUE".into(),
            path: "/fields/2".into(),
            writer: Side::Old,
            event: serde_json::json!({"id": "x"}),
            bytes: Some(vec![2, b'x']),
            outcome: "the reader fails: no coupon".into(),
        });
        let mut item = Item::new(
            "orders-value",
            Some("schemas/orders.avsc".into()),
            Status::Accepted,
        );
        item.findings.push(note);
        let outcome = Outcome::new(CommandName::Check, vec![item]);
        let render = |format| Printer::new(format, ColorChoice::Never).render(&outcome);
        for format in [Format::Text, Format::Junit, Format::Github, Format::Sarif] {
            let out = render(format);
            assert!(
                out.to_lowercase()
                    .contains("accepted until 2099-01-31: no consumers yet"),
                "{format:?}: {out}"
            );
            assert!(
                out.contains("example event (written by version 3)"),
                "{format:?}: {out}"
            );
        }
        assert!(render(Format::Text).contains("  accepted[READER_FIELD_MISSING_DEFAULT_VALUE]"));
        assert!(render(Format::Github).starts_with("::warning file=schemas/orders.avsc"));
        let sarif: serde_json::Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
        let result = &sarif["runs"][0]["results"][0];
        assert_eq!(result["level"], "warning");
        assert_eq!(result["properties"]["accepted"]["until"], "2099-01-31");
        assert_eq!(result["properties"]["counterexample"]["bytes"], "Ang=");
        let json: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
        let note = &json["results"][0]["findings"][0];
        assert_eq!(note["accepted"]["reason"], "no consumers yet");
        assert_eq!(note["counterexample"]["bytes"], "Ang=");
        assert_eq!(note["counterexample"]["event"]["id"], "x");
        assert!(
            render(Format::Markdown).contains("**Accepted** until 2099-01-31: no consumers yet")
        );
        let examples = render(Format::Examples);
        let line: serde_json::Value = serde_json::from_str(examples.trim_end()).unwrap();
        assert_eq!(line["written_by"], "version 3");
        assert_eq!(line["bytes"], "Ang=");
    }
}
