/*!
Record files: markdown with TOML front matter between `+++` fences, or plain TOML.

Reading keeps the parsed TOML document with its formatting, so that a rewrite changes only the
fields that changed: unknown fields, comments and the order people gave survive every round
trip. Errors name the file and the line at fault.
*/

use std::fmt;

use toml_edit::{Array, DocumentMut, Item, Value};

use super::id::{AgentId, TaskId};
use super::time::Timestamp;

pub mod kind;

pub use kind::{FieldKind, FieldSpec, Record, RecordId};

const FENCE: &str = "+++";

/// A problem with one record file, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub struct RecordError {
    /// The record's path on the coordination branch.
    pub path: String,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// A field-level problem with user input or with a record's invariants, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidField {
    pub field: &'static str,
    pub message: String,
}

/// A parsed record: its TOML fields (kept for round-trip writes) and its markdown body.
#[derive(Debug, Clone)]
pub struct RecordDoc {
    pub path: String,
    pub doc: DocumentMut,
    pub body: String,
}

/// Typed access to a record's fields, with errors that carry the line of the field at fault.
pub struct Fields<'a> {
    path: &'a str,
    table: &'a toml_edit::Table,
    /// The TOML source, for turning spans into line numbers.
    source: &'a str,
    /// How many lines of the file precede the TOML source (1 for the opening fence).
    line_offset: usize,
}

/// Splits a markdown record into its front matter and body, and parses the front matter.
/// Calls `extract` with typed access to the fields while spans are still known.
pub fn parse_markdown<T>(
    path: &str,
    text: &str,
    extract: impl FnOnce(&Fields<'_>) -> Result<T, RecordError>,
) -> Result<(T, RecordDoc), RecordError> {
    let err = |line, message: &str| RecordError {
        path: path.to_owned(),
        line,
        message: message.to_owned(),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != FENCE {
        return Err(err(
            Some(1),
            "the file must start with a `+++` line that opens the TOML front matter",
        ));
    }
    let toml_start = first.len();
    let mut offset = toml_start;
    let mut close = None;
    for (n, line) in lines.enumerate() {
        if line.trim_end() == FENCE {
            close = Some((offset, offset + line.len(), n + 2));
            break;
        }
        offset += line.len();
    }
    let Some((toml_end, body_start, _)) = close else {
        return Err(err(
            None,
            "the front matter is never closed: add a `+++` line after the TOML fields",
        ));
    };
    let toml_src = &text[toml_start..toml_end];
    let body = text[body_start..].to_owned();
    let (value, doc) = parse_toml_with(path, toml_src, 1, extract)?;
    Ok((
        value,
        RecordDoc {
            path: path.to_owned(),
            doc,
            body,
        },
    ))
}

/// Parses a plain TOML record (such as `agents/<id>.toml`).
pub fn parse_toml<T>(
    path: &str,
    text: &str,
    extract: impl FnOnce(&Fields<'_>) -> Result<T, RecordError>,
) -> Result<(T, RecordDoc), RecordError> {
    let (value, doc) = parse_toml_with(path, text, 0, extract)?;
    Ok((
        value,
        RecordDoc {
            path: path.to_owned(),
            doc,
            body: String::new(),
        },
    ))
}

fn parse_toml_with<T>(
    path: &str,
    src: &str,
    line_offset: usize,
    extract: impl FnOnce(&Fields<'_>) -> Result<T, RecordError>,
) -> Result<(T, DocumentMut), RecordError> {
    let parsed = toml_edit::Document::parse(src.to_owned()).map_err(|e| RecordError {
        path: path.to_owned(),
        line: e.span().map(|s| line_of(src, s.start) + line_offset),
        message: format!(
            "invalid TOML: {}",
            e.message().trim_end().replace('\n', " ")
        ),
    })?;
    let fields = Fields {
        path,
        table: parsed.as_table(),
        source: src,
        line_offset,
    };
    let value = extract(&fields)?;
    Ok((value, parsed.into_mut()))
}

fn line_of(src: &str, byte: usize) -> usize {
    src.as_bytes()[..byte.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

impl<'a> Fields<'a> {
    fn error(&self, key: &str, message: String) -> RecordError {
        let line = self
            .table
            .key(key)
            .and_then(|k| k.span())
            .or_else(|| self.table.get(key).and_then(|i| i.span()))
            .map(|s| line_of(self.source, s.start) + self.line_offset);
        RecordError {
            path: self.path.to_owned(),
            line,
            message,
        }
    }

    fn missing(&self, key: &str) -> RecordError {
        RecordError {
            path: self.path.to_owned(),
            line: None,
            message: format!("the required field `{key}` is missing"),
        }
    }

    fn value(&self, key: &str) -> Result<Option<&'a Value>, RecordError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(item) => item
                .as_value()
                .map(Some)
                .ok_or_else(|| self.error(key, format!("`{key}` must be a value, not a table"))),
        }
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<String>, RecordError> {
        match self.value(key)? {
            None => Ok(None),
            Some(v) => v.as_str().map(|s| Some(s.to_owned())).ok_or_else(|| {
                self.error(
                    key,
                    format!("`{key}` must be a string, found {}", v.type_name()),
                )
            }),
        }
    }

    pub fn str(&self, key: &str) -> Result<String, RecordError> {
        self.opt_str(key)?.ok_or_else(|| self.missing(key))
    }

    pub fn opt_int(&self, key: &str) -> Result<Option<i64>, RecordError> {
        match self.value(key)? {
            None => Ok(None),
            Some(v) => v.as_integer().map(Some).ok_or_else(|| {
                self.error(
                    key,
                    format!("`{key}` must be an integer, found {}", v.type_name()),
                )
            }),
        }
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, RecordError> {
        match self.value(key)? {
            None => Ok(None),
            Some(v) => v.as_bool().map(Some).ok_or_else(|| {
                self.error(
                    key,
                    format!("`{key}` must be true or false, found {}", v.type_name()),
                )
            }),
        }
    }

    pub fn opt_float(&self, key: &str) -> Result<Option<f64>, RecordError> {
        match self.value(key)? {
            None => Ok(None),
            Some(v) => v
                .as_float()
                .or_else(|| v.as_integer().map(|i| i as f64))
                .map(Some)
                .ok_or_else(|| {
                    self.error(
                        key,
                        format!("`{key}` must be a number, found {}", v.type_name()),
                    )
                }),
        }
    }

    /// The array at `key`, if there is one.
    pub fn raw_array(&self, key: &str) -> Result<Option<&'a toml_edit::Array>, RecordError> {
        match self.value(key)? {
            None => Ok(None),
            Some(v) => v
                .as_array()
                .map(Some)
                .ok_or_else(|| self.error(key, format!("`{key}` must be a list"))),
        }
    }

    /// The item at `key` as written (a value, a table, an array of tables), if any.
    pub fn item(&self, key: &str) -> Option<&'a Item> {
        self.table.get(key)
    }

    /// Typed access to a table nested in this record, with errors located in the same file.
    pub fn nested<'b>(&'b self, table: &'b toml_edit::Table) -> Fields<'b> {
        Fields {
            path: self.path,
            table,
            source: self.source,
            line_offset: self.line_offset,
        }
    }

    pub fn str_list(&self, key: &str) -> Result<Vec<String>, RecordError> {
        let Some(v) = self.value(key)? else {
            return Ok(Vec::new());
        };
        let not_list = || {
            self.error(
                key,
                format!("`{key}` must be a list of strings, such as [\"a\", \"b\"]"),
            )
        };
        let array = v.as_array().ok_or_else(not_list)?;
        array
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(not_list))
            .collect()
    }

    pub fn opt_timestamp(&self, key: &str) -> Result<Option<Timestamp>, RecordError> {
        let Some(v) = self.value(key)? else {
            return Ok(None);
        };
        let text = match (v.as_datetime(), v.as_str()) {
            (Some(dt), _) => dt.to_string(),
            (None, Some(s)) => s.to_owned(),
            _ => String::new(),
        };
        Timestamp::parse_rfc3339(&text).map(Some).ok_or_else(|| {
            self.error(
                key,
                format!("`{key}` must be a date and time such as 2026-11-21T10:00:00Z"),
            )
        })
    }

    pub fn timestamp(&self, key: &str) -> Result<Timestamp, RecordError> {
        self.opt_timestamp(key)?.ok_or_else(|| self.missing(key))
    }

    pub fn task_id(&self, key: &str) -> Result<TaskId, RecordError> {
        let s = self.str(key)?;
        TaskId::parse(&s).map_err(|e| self.error(key, e.to_string()))
    }

    pub fn opt_agent(&self, key: &str) -> Result<Option<AgentId>, RecordError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => AgentId::parse(&s)
                .map(Some)
                .map_err(|e| self.error(key, e.to_string())),
        }
    }

    pub fn task_ids(&self, key: &str) -> Result<Vec<TaskId>, RecordError> {
        self.str_list(key)?
            .iter()
            .map(|s| TaskId::parse(s).map_err(|e| self.error(key, e.to_string())))
            .collect()
    }

    /// An error about `key`, located at its line.
    pub fn invalid(&self, key: &str, message: impl Into<String>) -> RecordError {
        self.error(key, message.into())
    }

    /// Typed access to each table of the array of tables at `key` (`[[key]]` sections), in
    /// order; errors inside one name the line of the field at fault. An absent key or an
    /// empty list is no tables.
    pub fn table_array(&self, key: &str) -> Result<Vec<Fields<'a>>, RecordError> {
        match self.table.get(key) {
            None => Ok(Vec::new()),
            Some(Item::ArrayOfTables(tables)) => Ok(tables
                .iter()
                .map(|table| Fields {
                    path: self.path,
                    table,
                    source: self.source,
                    line_offset: self.line_offset,
                })
                .collect()),
            Some(Item::Value(Value::Array(a))) if a.is_empty() => Ok(Vec::new()),
            Some(_) => Err(self.error(key, format!("`{key}` must be a list of [[{key}]] tables"))),
        }
    }
}

/// A field's value as the record will store it; `None` removes the field.
pub type FieldValue = Option<Value>;

pub fn string(s: &str) -> FieldValue {
    Some(one_line(s))
}

pub fn opt_string(s: Option<&str>) -> FieldValue {
    s.map(one_line)
}

/// A string value always written as a one-line basic string (`"a\nb"`). toml_edit would
/// pick a multi-line `"""` string for text with newlines, and a `+++` line inside one would
/// end the front matter and break the record.
fn one_line(s: &str) -> Value {
    let mut quoted = String::with_capacity(s.len() + 2);
    quoted.push('"');
    for c in s.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted.parse::<Value>().unwrap_or_else(|_| Value::from(s))
}

pub fn integer(i: i64) -> FieldValue {
    Some(Value::from(i))
}

pub fn opt_float(f: Option<f64>) -> FieldValue {
    f.map(Value::from)
}

pub fn list<S: AsRef<str>>(items: &[S]) -> FieldValue {
    if items.is_empty() {
        return None;
    }
    let mut array = Array::new();
    for item in items {
        array.push(one_line(item.as_ref()));
    }
    Some(Value::Array(array))
}

pub fn timestamp(t: Timestamp) -> FieldValue {
    t.to_string()
        .parse::<toml_edit::Datetime>()
        .ok()
        .map(Value::from)
}

pub fn opt_timestamp(t: Option<Timestamp>) -> FieldValue {
    t.and_then(timestamp)
}

/// Canonical text of a value, ignoring formatting, for deciding whether a field changed.
fn canonical(v: &FieldValue) -> Option<String> {
    v.as_ref().map(|v| {
        let mut v = v.clone();
        v.decor_mut().clear();
        if let Value::Array(a) = &mut v {
            a.fmt();
        }
        v.to_string()
    })
}

/// Writes `fields` into `doc`, touching only those whose value differs from `before`.
///
/// A changed field keeps its place and the comment after it; a removed field disappears;
/// a new field is appended after the others. Fields `doc` has that are not named here
/// (unknown to this version) are left exactly as they were.
pub fn write_fields(
    doc: &mut DocumentMut,
    before: &[(&'static str, FieldValue)],
    after: &[(&'static str, FieldValue)],
) {
    for (key, new) in after {
        let old = before.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        // An unchanged field is left alone, even one written in a form that reads as absent
        // (`depends_on = []`) and the comments around it; only a default the file lacks
        // (an unwritten `priority`) is added.
        let unchanged = old.map(canonical) == Some(canonical(new));
        if unchanged && (new.is_none() || doc.contains_key(key)) {
            continue;
        }
        match new {
            None => {
                doc.remove(key);
            }
            Some(value) => {
                let mut value = value.clone();
                if let Some(existing) = doc.get(key).and_then(Item::as_value) {
                    *value.decor_mut() = existing.decor().clone();
                }
                match doc.get_mut(key) {
                    Some(item) => *item = Item::Value(value),
                    None => {
                        doc.insert(key, Item::Value(value));
                    }
                }
            }
        }
    }
}

/// What a record was parsed from: its document and the values its known fields had, so that
/// a rewrite changes only the fields that changed since.
#[derive(Clone, Debug)]
pub struct Origin {
    pub record: RecordDoc,
    pub fields: Vec<(&'static str, FieldValue)>,
}

/// The TOML of a record whose known fields are now `after`: the original document with only
/// the changed fields rewritten, or a new document for a new record.
pub fn rewrite(origin: Option<&Origin>, after: &[(&'static str, FieldValue)]) -> DocumentMut {
    let (mut doc, before) = match origin {
        Some(o) => (o.record.doc.clone(), o.fields.as_slice()),
        None => (DocumentMut::new(), &[][..]),
    };
    write_fields(&mut doc, before, after);
    doc
}

/// Writes the array of tables `[[key]]` whose entries were `before` and are now `after`.
/// When `before` is a prefix of `after` (a history that only grows), the new entries are
/// appended and the old ones keep their comments and layout; any other change rewrites the
/// whole array; no entries removes it. The entries' fields are written by `to_fields`.
pub fn write_table_array<T: PartialEq>(
    doc: &mut DocumentMut,
    key: &str,
    before: &[T],
    after: &[T],
    to_fields: impl Fn(&T) -> Vec<(&'static str, FieldValue)>,
) {
    let table = |entry: &T| {
        let mut t = toml_edit::Table::new();
        for (k, v) in to_fields(entry) {
            if let Some(v) = v {
                t.insert(k, Item::Value(v));
            }
        }
        t
    };
    let present = doc.get(key).and_then(Item::as_array_of_tables);
    let unchanged = present.map_or(0, |a| a.len()) == before.len();
    if before == after && unchanged {
        return;
    }
    if after.is_empty() {
        doc.remove(key);
        return;
    }
    if unchanged
        && after.starts_with(before)
        && let Some(tables) = doc.get_mut(key).and_then(Item::as_array_of_tables_mut)
    {
        for entry in &after[before.len()..] {
            tables.push(table(entry));
        }
        return;
    }
    let mut tables = toml_edit::ArrayOfTables::new();
    for entry in after {
        tables.push(table(entry));
    }
    doc.insert(key, Item::ArrayOfTables(tables));
}

/// Renders a markdown record: front matter between fences, then the body.
pub fn render_markdown(doc: &DocumentMut, body: &str) -> String {
    let toml = doc.to_string();
    let mut out = String::with_capacity(toml.len() + body.len() + 10);
    out.push_str(FENCE);
    out.push('\n');
    out.push_str(&toml);
    if !toml.ends_with('\n') && !toml.is_empty() {
        out.push('\n');
    }
    out.push_str(FENCE);
    out.push('\n');
    out.push_str(body);
    if !body.is_empty() && !body.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_lines() {
        let text = "+++\nid = \"t-abcdef\"\npriority = \"high\"\n+++\nbody\n";
        let e =
            parse_markdown("tasks/ab/t-abcdef.md", text, |f| f.opt_int("priority")).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().starts_with("tasks/ab/t-abcdef.md:3: "));

        let e = parse_markdown("x.md", "+++\na = = 1\n+++\n", |_| Ok(())).unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = parse_markdown("x.md", "no fence\n", |_| Ok(())).unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = parse_markdown("x.md", "+++\na = 1\n", |_| Ok(())).unwrap_err();
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn strings_with_newlines_and_fences_stay_on_one_line() {
        let mut doc = DocumentMut::new();
        let hostile = "echo a\n+++\necho \"b\" \\ \u{7}";
        write_fields(
            &mut doc,
            &[],
            &[("check", string(hostile)), ("l", list(&[hostile]))],
        );
        let text = render_markdown(&doc, "body\n");
        assert_eq!(text.lines().filter(|l| *l == "+++").count(), 2, "{text}");
        let (v, _) =
            parse_markdown("x.md", &text, |f| Ok((f.str("check")?, f.str_list("l")?))).unwrap();
        assert_eq!(v.0, hostile);
        assert_eq!(v.1, vec![hostile.to_owned()]);
    }

    #[test]
    fn rewrite_touches_only_changed_fields() {
        let text = "+++\n# kept comment\nstatus = \"todo\" # todo | done\ncustom = { x = 1 }\nlist = [\"a\"]\n+++\nBody\n";
        let (_, mut rec) = parse_markdown("x.md", text, |_| Ok(())).unwrap();
        let before = [("status", string("todo")), ("list", list(&["a"]))];
        let after = [
            ("status", string("done")),
            ("list", list(&["a"])),
            ("new", integer(3)),
        ];
        write_fields(&mut rec.doc, &before, &after);
        let out = render_markdown(&rec.doc, &rec.body);
        assert_eq!(
            out,
            "+++\n# kept comment\nstatus = \"done\" # todo | done\ncustom = { x = 1 }\nlist = [\"a\"]\nnew = 3\n+++\nBody\n"
        );
    }
}
