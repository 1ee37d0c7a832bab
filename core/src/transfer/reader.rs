//! Reading a transfer file back: every line a record, a header first and only there,
//! nothing after the `end` line, and the `end` line's counts equal to what came before
//! it, so that a cut or spliced file is refused wherever one is read.

use std::io::BufRead;

use super::record::{Record, Trailer, TransferError, read_record};

/// Checks a transfer file line by line as its reader takes the lines (from a file, or
/// from a connection whose bytes are copied as they come).
#[derive(Debug, Default)]
pub struct Checker {
    /// Lines taken so far.
    line: u64,
    /// Whether a record (the header) came yet.
    started: bool,
    /// The records counted so far.
    counts: Trailer,
    /// The `end` line, once it came.
    end: Option<Trailer>,
}

impl Checker {
    /// Reads the next line: its record, or `None` for a blank line.
    pub fn line(&mut self, text: &str) -> Result<Option<Record>, TransferError> {
        self.line += 1;
        if text.trim().is_empty() {
            return Ok(None);
        }
        let line = self.line;
        let refuse = |reason: &str| TransferError::Line {
            line,
            reason: reason.to_owned(),
        };
        if self.end.is_some() {
            return Err(refuse("a record after the `end` line"));
        }
        let record = read_record(text, line)?;
        match (&record, self.started) {
            (Record::Header(_), false) => {}
            (_, false) => return Err(refuse("the first record is not a header")),
            (Record::Header(_), true) => return Err(refuse("a second header")),
            (Record::End(end), true) => self.end = Some(end.clone()),
            (other, true) => self.counts.count(other),
        }
        self.started = true;
        Ok(Some(record))
    }

    /// The `end` line, once every line was read: refused when it is missing or its
    /// counts are not those of the records before it.
    pub fn finish(&self) -> Result<Trailer, TransferError> {
        let Some(end) = &self.end else {
            return Err(TransferError::Incomplete(format!(
                "it has no `end` line after {} lines",
                self.line
            )));
        };
        if !end.same_counts(&self.counts) {
            let (e, c) = (end, &self.counts);
            return Err(TransferError::Incomplete(format!(
                "the `end` line counts {} schema versions, {} configurations, {} modes, {} contexts, {} KEKs and {} DEKs, the file holds {}, {}, {}, {}, {} and {}",
                e.schemas,
                e.configs,
                e.modes,
                e.contexts,
                e.keks,
                e.deks,
                c.schemas,
                c.configs,
                c.modes,
                c.contexts,
                c.keks,
                c.deks
            )));
        }
        Ok(end.clone())
    }
}

/// The records of a transfer file, checked by a [`Checker`]: a read error, a line
/// that is not a record, or a file that turns out incomplete ends the iteration with
/// that error.
pub fn records<R: BufRead>(reader: R) -> impl Iterator<Item = Result<Record, TransferError>> {
    let mut lines = reader.lines();
    let mut checker = Checker::default();
    let mut done = false;
    std::iter::from_fn(move || {
        while !done {
            let item = match lines.next() {
                Some(Ok(text)) => match checker.line(&text) {
                    Ok(None) => continue,
                    Ok(Some(record)) => return Some(Ok(record)),
                    Err(e) => Err(e),
                },
                Some(Err(e)) => Err(TransferError::Read(e.to_string())),
                None => match checker.finish() {
                    Ok(_) => {
                        done = true;
                        return None;
                    }
                    Err(e) => Err(e),
                },
            };
            done = true;
            return Some(item);
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"{"record":"header","format":"schemagate-export","formatVersion":1}"#;
    const MODE: &str = r#"{"record":"mode","subject":null,"mode":"READWRITE"}"#;
    const END: &str = r#"{"record":"end","schemas":0,"configs":0,"modes":1,"contexts":0}"#;

    fn read(lines: &[&str]) -> Result<Vec<Record>, TransferError> {
        records(lines.join("\n").as_bytes()).collect()
    }

    #[test]
    fn a_whole_file_reads_and_a_cut_or_spliced_one_is_refused() {
        assert_eq!(read(&[HEADER, "", MODE, END]).unwrap().len(), 3);
        let cut = read(&[HEADER, MODE]).unwrap_err();
        assert!(matches!(cut, TransferError::Incomplete(_)), "{cut}");
        let counts = read(&[HEADER, END]).unwrap_err();
        assert!(counts.to_string().contains("counts"), "{counts}");
        let after = read(&[HEADER, MODE, END, MODE]).unwrap_err();
        assert!(after.to_string().starts_with("line 4:"), "{after}");
        let headless = read(&[MODE, END]).unwrap_err();
        assert!(headless.to_string().contains("not a header"), "{headless}");
        let twice = read(&[HEADER, HEADER, MODE, END]).unwrap_err();
        assert!(twice.to_string().contains("second header"), "{twice}");
    }
}
