/*!
Reading an import file ([`read`]): a pure function from the file's bytes to a [`Batch`], each
record mapped by its format's module, with [`Notes`] on what could not be mapped.
*/

use std::collections::HashMap;

use super::{
    At, Batch, Format, ImportError, Notes, beads, json, source, syntax_error, taskwarrior,
};
use crate::model::{Status, Timestamp};
use crate::ownership::pattern::validate_patterns;

/// Parses `bytes` (the content of `file`) as `format`. Only a file that is not JSON in the
/// expected shape, or a record with an ownership pattern `own` would refuse, fails;
/// everything else that cannot be mapped is noted in the batch.
pub fn read(
    file: &str,
    bytes: &[u8],
    format: Format,
    now: Timestamp,
) -> Result<Batch, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ImportError::Parse {
        file: file.to_owned(),
        line: bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
        column: None,
        message: "the file is not UTF-8 text".to_owned(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let items = source::split(text).map_err(|e| syntax_error(file, e))?;
    let mut notes = Notes::default();
    let mut records = Vec::with_capacity(items.len());
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let fields = source::object(item).map_err(|e| syntax_error(file, e))?;
        if i == 0
            && let Some(guess) = Format::guess(&fields).filter(|g| *g != format)
        {
            let at = At {
                line: item.line,
                source_id: None,
            };
            notes.warn("format", &at, || {
                format!(
                    "this looks like {} rather than {}: did you mean --from {}?",
                    guess.describe(),
                    format.describe(),
                    guess.as_str()
                )
            });
        }
        let record = source::Record::new(item.line, fields);
        let mapped = match format {
            Format::Json => json::map(record, &mut notes),
            Format::Beads => beads::map(record, &mut notes),
            Format::Taskwarrior => taskwarrior::map(record, now, &mut notes),
        };
        let Some(mut incoming) = mapped else { continue };
        incoming.owns =
            validate_patterns("owns", &incoming.owns).map_err(|e| ImportError::Parse {
                file: file.to_owned(),
                line: incoming.line,
                column: None,
                message: format!(
                    "{}{e}; nothing was imported",
                    incoming
                        .source_id
                        .as_ref()
                        .map(|id| format!("{id}: "))
                        .unwrap_or_default()
                ),
            })?;
        let at = incoming.at();
        if let Some(id) = &incoming.source_id {
            if let Some(first) = seen.get(id) {
                notes.skip(
                    &at,
                    format!("{id} appears again; the record on line {first} is imported"),
                );
                continue;
            }
            seen.insert(id.clone(), incoming.line);
        }
        if incoming.created.is_none() {
            notes.warn("no-created", &at, || {
                "no creation time: the time of the import is used".to_owned()
            });
        }
        if incoming.status == Status::InProgress && incoming.assignee.is_none() {
            notes.warn("unassigned-in-progress", &at, || {
                "in progress but nobody (valid) is assigned: `git coord doctor` warns until someone runs `git coord start` on it".to_owned()
            });
        }
        records.push(incoming);
    }
    Ok(Batch {
        file: file.to_owned(),
        format,
        records,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-21T10:00:00Z").unwrap()
    }

    #[test]
    fn unreadable_files_name_the_line() {
        let e = read("f.json", b"{\"title\": \"a\"}\n\xff\n", Format::Json, now()).unwrap_err();
        assert!(matches!(e, ImportError::Parse { line: 2, .. }), "{e}");
        let e = read(
            "f.json",
            b"{\"title\": \"a\"}\n{\"title\": }\n",
            Format::Json,
            now(),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("f.json:2:"), "{e}");
    }

    #[test]
    fn duplicates_are_skipped_and_warnings_counted() {
        let text = br#"{"id": "t-aaaaaa", "title": "A", "size": 1}
{"id": "t-aaaaaa", "title": "again"}
{"id": "t-bbbbbb", "title": "B", "size": 2, "assignee": "Bob Smith"}
"#;
        let batch = read("f", text, Format::Json, now()).unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch.notes.skipped.len(), 1);
        assert_eq!(batch.notes.skipped[0].line, 2);
        let unknown = batch
            .notes
            .warnings
            .iter()
            .find(|w| w.message.contains("`size`"))
            .unwrap();
        assert_eq!((unknown.count, unknown.line), (2, Some(1)));
        assert!(
            batch
                .notes
                .warnings
                .iter()
                .any(|w| w.message.contains("\"Bob Smith\""))
        );
    }
}
