/*!
The input file as JSON records: splitting the text into top-level values (JSON lines, a stream
of pretty-printed objects, or one array of objects) with the line each starts on, and typed
access to one record's fields that reports what it could not use.

Splitting is one linear scan that only tracks strings and nesting, so each record is parsed on
its own and every error names the line of the record at fault, even inside one large array.
*/

use serde_json::{Map, Value};

use super::{At, Notes};
use crate::model::Timestamp;

/// One top-level value of the input and where it starts (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Item<'a> {
    pub line: usize,
    pub column: usize,
    pub text: &'a str,
}

/// A problem with the shape of the input, located in it (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Walks the input byte by byte, keeping the line and column.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        if self.bytes.get(self.pos) == Some(&b'\n') {
            self.line += 1;
            self.line_start = self.pos + 1;
        }
        self.pos += 1;
    }

    fn column(&self) -> usize {
        self.pos - self.line_start + 1
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.bump();
        }
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            line: self.line,
            column: self.column(),
            message: message.into(),
        }
    }

    /// Moves past one value: to the bracket that closes it, or for a scalar to the next
    /// separator. An unclosed value runs to the end; the JSON parser then says what is wrong.
    fn skip_value(&mut self, in_array: bool) {
        let mut depth = 0usize;
        let mut in_string = false;
        while let Some(b) = self.peek() {
            if in_string {
                match b {
                    b'\\' => self.bump(),
                    b'"' => in_string = false,
                    _ => {}
                }
                self.bump();
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        self.bump();
                        return;
                    }
                }
                b',' | b']' if depth == 0 && in_array => return,
                b if depth == 0 && b.is_ascii_whitespace() => return,
                _ => {}
            }
            self.bump();
        }
    }
}

/// Splits `text` into its top-level values: the elements of a single array, or else every
/// value of a stream (JSON lines).
pub(super) fn split(text: &str) -> Result<Vec<Item<'_>>, SyntaxError> {
    let mut cur = Cursor {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
    };
    let mut items = Vec::new();
    cur.skip_whitespace();
    let in_array = cur.peek() == Some(b'[');
    if in_array {
        cur.bump();
    }
    loop {
        cur.skip_whitespace();
        let Some(b) = cur.peek() else {
            if in_array {
                return Err(cur.error("the array is never closed: add a `]` at the end"));
            }
            return Ok(items);
        };
        if in_array && b == b']' {
            if !items.is_empty() {
                return Err(cur.error("a `,` before `]` leaves an empty element; remove it"));
            }
            cur.bump();
            break;
        }
        if in_array && b == b',' {
            return Err(cur.error("an empty element: two `,` in a row, or a `,` after `[`"));
        }
        let (line, column, start) = (cur.line, cur.column(), cur.pos);
        cur.skip_value(in_array);
        items.push(Item {
            line,
            column,
            text: &text[start..cur.pos],
        });
        if in_array {
            cur.skip_whitespace();
            match cur.peek() {
                Some(b',') => cur.bump(),
                Some(b']') => {
                    cur.bump();
                    break;
                }
                Some(_) => return Err(cur.error("expected `,` or `]` after an array element")),
                None => return Err(cur.error("the array is never closed: add a `]` at the end")),
            }
        }
    }
    cur.skip_whitespace();
    if cur.peek().is_some() {
        return Err(
            cur.error("unexpected text after the array: give one array, or one object per line")
        );
    }
    Ok(items)
}

/// Parses one item into an object, locating any error in the whole file.
pub(super) fn object(item: &Item<'_>) -> Result<Map<String, Value>, SyntaxError> {
    match serde_json::from_str::<Value>(item.text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(SyntaxError {
            line: item.line,
            column: item.column,
            message: format!(
                "expected a JSON object (one task per record), found {}",
                kind(&other)
            ),
        }),
        Err(e) => {
            let line = item.line + e.line().saturating_sub(1);
            let column = if e.line() <= 1 {
                item.column + e.column().saturating_sub(1)
            } else {
                e.column()
            };
            let text = e.to_string();
            let message = match text.rfind(" at line ") {
                Some(i) => text[..i].to_owned(),
                None => text,
            };
            let message = if item.line == line {
                format!("invalid JSON: {message}")
            } else {
                format!(
                    "invalid JSON: {message} (in the record that starts on line {})",
                    item.line
                )
            };
            Err(SyntaxError {
                line,
                column,
                message,
            })
        }
    }
}

/// What a JSON value is, for messages.
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One record of the input. Reading a field removes it, so whatever is left at the end was
/// not imported and is reported.
pub(super) struct Record {
    line: usize,
    fields: Map<String, Value>,
    source_id: Option<String>,
}

impl Record {
    pub fn new(line: usize, fields: Map<String, Value>) -> Record {
        Record {
            line,
            fields,
            source_id: None,
        }
    }

    /// Reads the record's own ID from `key`; numbers are accepted as text.
    pub fn set_source_id(&mut self, key: &str, notes: &mut Notes) {
        self.source_id = match self.take(key) {
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(Value::String(_)) => None,
            Some(other) => {
                let at = self.at();
                notes.warn(format!("type:{key}"), &at, || {
                    format!(
                        "field `{key}` should be text, found {}; the record is imported without it",
                        kind(&other)
                    )
                });
                None
            }
            None => None,
        };
    }

    pub fn at(&self) -> At {
        At {
            line: self.line,
            source_id: self.source_id.clone(),
        }
    }

    /// Removes a field; `null` counts as absent.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.fields.remove(key).filter(|v| !v.is_null())
    }

    fn wrong_type(&self, key: &str, expected: &str, found: &Value, notes: &mut Notes) {
        let at = self.at();
        notes.warn(format!("type:{key}"), &at, || {
            format!(
                "field `{key}` should be {expected}, found {}; not imported",
                kind(found)
            )
        });
    }

    /// A text field; empty text counts as absent.
    pub fn text(&mut self, key: &str, notes: &mut Notes) -> Option<String> {
        match self.take(key)? {
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s),
            other => {
                self.wrong_type(key, "text", &other, notes);
                None
            }
        }
    }

    pub fn int(&mut self, key: &str, notes: &mut Notes) -> Option<i64> {
        match self.take(key)? {
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            other => {
                self.wrong_type(key, "a whole number", &other, notes);
                None
            }
        }
    }

    pub fn number(&mut self, key: &str, notes: &mut Notes) -> Option<f64> {
        match self.take(key)? {
            Value::Number(n) if n.as_f64().is_some() => n.as_f64(),
            other => {
                self.wrong_type(key, "a number", &other, notes);
                None
            }
        }
    }

    /// A list of texts; `split` also accepts one text of comma-separated items (old formats).
    pub fn texts(&mut self, key: &str, comma_separated: bool, notes: &mut Notes) -> Vec<String> {
        match self.take(key) {
            None => Vec::new(),
            Some(Value::String(s)) if comma_separated => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => out.push(s),
                        other => self.wrong_type(key, "a list of texts", &other, notes),
                    }
                }
                out
            }
            Some(other) => {
                self.wrong_type(key, "a list of texts", &other, notes);
                Vec::new()
            }
        }
    }

    /// A list of objects (dependencies, comments, annotations).
    pub fn objects(&mut self, key: &str, notes: &mut Notes) -> Vec<Map<String, Value>> {
        match self.take(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::Object(m) => out.push(m),
                        other => self.wrong_type(key, "a list of objects", &other, notes),
                    }
                }
                out
            }
            Some(other) => {
                self.wrong_type(key, "a list of objects", &other, notes);
                Vec::new()
            }
        }
    }

    /// A time, read by `parse`; one that cannot be read is reported and left out.
    pub fn time(
        &mut self,
        key: &str,
        parse: fn(&str) -> Option<Timestamp>,
        notes: &mut Notes,
    ) -> Option<Timestamp> {
        let text = self.text(key, notes)?;
        let parsed = parse(&text);
        if parsed.is_none() {
            let at = self.at();
            notes.warn(format!("time:{key}"), &at, || {
                format!("field `{key}` = {text:?} is not a time this format uses; not imported")
            });
        }
        parsed
    }

    /// Reports every field not read, except those `ignored` (derived values the format
    /// recomputes, such as Taskwarrior's urgency).
    pub fn finish(self, ignored: &[&str], notes: &mut Notes) {
        let at = self.at();
        for key in self.fields.keys() {
            if ignored.contains(&key.as_str()) || self.fields[key].is_null() {
                continue;
            }
            notes.warn(format!("unknown:{key}"), &at, || {
                format!("field `{key}` has no place in a task record; not imported")
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(items: &[Item<'a>]) -> Vec<(usize, &'a str)> {
        items.iter().map(|i| (i.line, i.text)).collect()
    }

    #[test]
    fn splits_json_lines_streams_and_arrays() {
        let lines = "{\"a\": \"}{\"}\n\n{\"b\": [1, {\"c\": 2}]}\n";
        assert_eq!(
            texts(&split(lines).unwrap()),
            vec![(1, "{\"a\": \"}{\"}"), (3, "{\"b\": [1, {\"c\": 2}]}")]
        );
        let pretty = "{\n  \"a\": 1\n}\n{\n  \"b\": \"x\\\"}\"\n}\n";
        assert_eq!(
            texts(&split(pretty).unwrap()),
            vec![(1, "{\n  \"a\": 1\n}"), (4, "{\n  \"b\": \"x\\\"}\"\n}")]
        );
        let array = "[\n{\"a\": [1,2]},\n {\"b\": 2}\n]\n";
        assert_eq!(
            texts(&split(array).unwrap()),
            vec![(2, "{\"a\": [1,2]}"), (3, "{\"b\": 2}")]
        );
        assert!(split("  \n").unwrap().is_empty());
        assert!(split("[]").unwrap().is_empty());
    }

    #[test]
    fn locates_errors() {
        assert_eq!(split("[{\"a\":1},]").unwrap_err().line, 1);
        assert_eq!(split("[\n{\"a\":1}\n").unwrap_err().line, 3);
        assert_eq!(split("[{}] {}").unwrap_err().column, 6);
        let items = split("{\"a\": 1}\n{\"a\": 2,}\n").unwrap();
        let e = object(&items[1]).unwrap_err();
        assert_eq!((e.line, e.message.contains("invalid JSON")), (2, true));
        let items = split("{\"a\": 1}\n\n[1]\n").unwrap();
        let e = object(&items[1]).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("found an array"), "{}", e.message);
        // An unclosed object swallows what follows; the error still names where it starts.
        let items = split("{\"a\": 1\n{\"b\": 2}\n").unwrap();
        let e = object(&items[0]).unwrap_err();
        assert!(e.message.contains("starts on line 1"), "{e:?}");
    }
}
