/*!
Gate decisions on a milestone. Each `gate` run appends one `[[gates]]` entry to the milestone
record (when, by whom, GO or NO-GO, how each criterion did, which of the milestone's tasks
were still open), so the record carries its own decision history:

```toml
[[gates]]
at = 2026-11-22T10:00:00Z
by = "alice"
result = "no-go"
open_tasks = ["t-4kz9w2"]

[[gates.criteria]]
command = "cargo test"
passed = false
exit_code = 101
seconds = 12.5
```

Entries are only ever appended: a rewrite of the record keeps the earlier ones exactly as they
were written (by hand or by an older version), and adds the new ones at the end.
*/

use serde::Serialize;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, TableLike, Value};

use super::id::{AgentId, TaskId};
use super::record::{self, FieldValue, RecordError};
use super::time::Timestamp;

/// The TOML key of the gate history in a milestone record.
pub const GATES_KEY: &str = "gates";

crate::keyword_enum! {
    /// The decision of one gate run.
    pub enum GateResult("gate result") { Go = "go", NoGo = "no-go" }
}

impl GateResult {
    /// How people write it: `GO` or `NO-GO`.
    pub fn label(self) -> &'static str {
        match self {
            GateResult::Go => "GO",
            GateResult::NoGo => "NO-GO",
        }
    }
}

/// How one criterion did in a gate run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CriterionResult {
    pub command: String,
    pub passed: bool,
    /// The exit code; `None` when the command was killed by a signal.
    pub exit_code: Option<i32>,
    /// Wall-clock seconds it ran, to the millisecond.
    pub seconds: f64,
}

/// One gate run, as recorded on the milestone.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gate {
    pub at: Timestamp,
    /// The agent who ran it (absent from entries written by hand).
    pub by: Option<AgentId>,
    pub result: GateResult,
    pub criteria: Vec<CriterionResult>,
    /// The milestone's tasks that were neither done nor cancelled.
    pub open_tasks: Vec<TaskId>,
}

impl Gate {
    /// GO when there is at least one criterion and every one passed: a milestone without
    /// criteria has nothing showing it is reached.
    pub fn decide(criteria: &[CriterionResult]) -> GateResult {
        if !criteria.is_empty() && criteria.iter().all(|c| c.passed) {
            GateResult::Go
        } else {
            GateResult::NoGo
        }
    }

    /// How many criteria passed.
    pub fn passed(&self) -> usize {
        self.criteria.iter().filter(|c| c.passed).count()
    }

    fn to_table(&self) -> Table {
        let mut t = Table::new();
        set(&mut t, "at", record::timestamp(self.at));
        set(
            &mut t,
            "by",
            record::opt_string(self.by.as_ref().map(AgentId::as_str)),
        );
        set(&mut t, "result", record::string(self.result.as_str()));
        // Always written, even empty: "no open tasks" is part of the evidence.
        let ids: Vec<&str> = self.open_tasks.iter().map(TaskId::as_str).collect();
        set(
            &mut t,
            "open_tasks",
            record::list(&ids).or_else(|| Some(Value::Array(Default::default()))),
        );
        if !self.criteria.is_empty() {
            let mut criteria = ArrayOfTables::new();
            for c in &self.criteria {
                let mut ct = Table::new();
                set(&mut ct, "command", record::string(&c.command));
                set(&mut ct, "passed", Some(Value::from(c.passed)));
                set(
                    &mut ct,
                    "exit_code",
                    c.exit_code.map(|e| Value::from(e as i64)),
                );
                set(&mut ct, "seconds", Some(Value::from(c.seconds)));
                criteria.push(ct);
            }
            t.insert("criteria", Item::ArrayOfTables(criteria));
        }
        t
    }

    fn from_table(t: &dyn TableLike) -> Result<Gate, String> {
        let at = timestamp(t, "at")?.ok_or("the required field `at` is missing")?;
        let by = match string(t, "by")? {
            None => None,
            Some(s) => Some(AgentId::parse(&s).map_err(|e| format!("`by`: {e}"))?),
        };
        let result = string(t, "result")?
            .ok_or("the required field `result` is missing")?
            .parse()
            .map_err(|e| format!("`result`: {e}"))?;
        let mut open_tasks = Vec::new();
        if let Some(item) = t.get("open_tasks") {
            let not_list = || "`open_tasks` must be a list of task IDs".to_owned();
            let array = item.as_array().ok_or_else(not_list)?;
            for v in array {
                let s = v.as_str().ok_or_else(not_list)?;
                open_tasks.push(TaskId::parse(s).map_err(|e| format!("`open_tasks`: {e}"))?);
            }
        }
        let mut criteria = Vec::new();
        if let Some(item) = t.get("criteria") {
            let tables = tables(item).ok_or("`criteria` must be a list of tables")?;
            for (i, c) in tables.into_iter().enumerate() {
                criteria.push(
                    criterion_from_table(c).map_err(|e| format!("criterion {}: {e}", i + 1))?,
                );
            }
        }
        Ok(Gate {
            at,
            by,
            result,
            criteria,
            open_tasks,
        })
    }
}

fn criterion_from_table(t: &dyn TableLike) -> Result<CriterionResult, String> {
    let command = string(t, "command")?.ok_or("the required field `command` is missing")?;
    let passed = match t.get("passed") {
        None => return Err("the required field `passed` is missing".to_owned()),
        Some(v) => v.as_bool().ok_or("`passed` must be true or false")?,
    };
    let exit_code = match t.get("exit_code") {
        None => None,
        Some(v) => Some(
            v.as_integer()
                .and_then(|i| i32::try_from(i).ok())
                .ok_or("`exit_code` must be an integer")?,
        ),
    };
    let seconds = match t.get("seconds") {
        None => 0.0,
        Some(v) => v
            .as_float()
            .or_else(|| v.as_integer().map(|i| i as f64))
            .ok_or("`seconds` must be a number")?,
    };
    Ok(CriterionResult {
        command,
        passed,
        exit_code,
        seconds,
    })
}

fn set(t: &mut Table, key: &str, value: FieldValue) {
    if let Some(v) = value {
        t.insert(key, Item::Value(v));
    }
}

fn string(t: &dyn TableLike, key: &str) -> Result<Option<String>, String> {
    match t.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_str()
            .map(|s| Some(s.to_owned()))
            .ok_or_else(|| format!("`{key}` must be a string")),
    }
}

fn timestamp(t: &dyn TableLike, key: &str) -> Result<Option<Timestamp>, String> {
    let Some(v) = t.get(key) else {
        return Ok(None);
    };
    let text = match (v.as_datetime(), v.as_str()) {
        (Some(dt), _) => dt.to_string(),
        (None, Some(s)) => s.to_owned(),
        _ => String::new(),
    };
    Timestamp::parse_rfc3339(&text)
        .map(Some)
        .ok_or_else(|| format!("`{key}` must be a date and time such as 2026-11-21T10:00:00Z"))
}

/// The tables of an array of tables (`[[x]]`) or of an inline array (`x = [{…}]`).
fn tables(item: &Item) -> Option<Vec<&dyn TableLike>> {
    match item {
        Item::ArrayOfTables(a) => Some(a.iter().map(|t| t as &dyn TableLike).collect()),
        Item::Value(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_inline_table().map(|t| t as &dyn TableLike))
            .collect(),
        _ => None,
    }
}

/// The gate history of a parsed record (`text` is the file, for locating errors).
pub fn read_gates(doc: &DocumentMut, path: &str, text: &str) -> Result<Vec<Gate>, RecordError> {
    let Some(item) = doc.get(GATES_KEY) else {
        return Ok(Vec::new());
    };
    let error = |line, message: String| RecordError {
        path: path.to_owned(),
        line,
        message,
    };
    let tables = tables(item).ok_or_else(|| {
        error(
            header_line(text, 0),
            "`gates` must be a list of [[gates]] tables".to_owned(),
        )
    })?;
    tables
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            Gate::from_table(t)
                .map_err(|e| error(header_line(text, i), format!("gate {}: {e}", i + 1)))
        })
        .collect()
}

/// The line (1-based) of the `n`th `[[gates]]` header of a record file, if it has one.
fn header_line(text: &str, n: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[gates]]")
        .nth(n)
        .map(|(i, _)| i + 1)
}

/// Appends to `doc` the gates of `gates` it does not hold yet (those after the ones it has).
pub fn append_gates(doc: &mut DocumentMut, gates: &[Gate]) {
    let held = doc.get(GATES_KEY).and_then(tables).map_or(0, |t| t.len());
    let new = gates.get(held..).unwrap_or_default();
    if new.is_empty() {
        return;
    }
    match doc.get_mut(GATES_KEY) {
        Some(Item::Value(Value::Array(array))) => {
            for g in new {
                array.push(g.to_table().into_inline_table());
            }
        }
        Some(Item::ArrayOfTables(array)) => {
            for g in new {
                array.push(g.to_table());
            }
        }
        _ => {
            let mut array = ArrayOfTables::new();
            for g in new {
                array.push(g.to_table());
            }
            doc.insert(GATES_KEY, Item::ArrayOfTables(array));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(result: GateResult) -> Gate {
        Gate {
            at: Timestamp::parse_rfc3339("2026-11-22T10:00:00Z").unwrap(),
            by: Some(AgentId::parse("alice").unwrap()),
            result,
            criteria: vec![
                CriterionResult {
                    command: "cargo test".into(),
                    passed: true,
                    exit_code: Some(0),
                    seconds: 1.5,
                },
                CriterionResult {
                    command: "kill -9 $$".into(),
                    passed: false,
                    exit_code: None,
                    seconds: 0.002,
                },
            ],
            open_tasks: vec![TaskId::parse("t-aaaaaa").unwrap()],
        }
    }

    #[test]
    fn decides_go_only_when_every_criterion_passed() {
        let g = gate(GateResult::NoGo);
        assert_eq!(Gate::decide(&g.criteria), GateResult::NoGo);
        assert_eq!(Gate::decide(&g.criteria[..1]), GateResult::Go);
        assert_eq!(Gate::decide(&[]), GateResult::NoGo);
        assert_eq!(g.passed(), 1);
    }

    #[test]
    fn appends_as_tables_and_reads_back() {
        let mut doc: DocumentMut = "id = \"m-aaaaaa\"\n".parse().unwrap();
        let gates = vec![gate(GateResult::NoGo), gate(GateResult::Go)];
        append_gates(&mut doc, &gates[..1]);
        append_gates(&mut doc, &gates);
        let text = doc.to_string();
        assert_eq!(
            text,
            "id = \"m-aaaaaa\"\n\n[[gates]]\nat = 2026-11-22T10:00:00Z\nby = \"alice\"\nresult = \"no-go\"\nopen_tasks = [\"t-aaaaaa\"]\n\n[[gates.criteria]]\ncommand = \"cargo test\"\npassed = true\nexit_code = 0\nseconds = 1.5\n\n[[gates.criteria]]\ncommand = \"kill -9 $$\"\npassed = false\nseconds = 0.002\n\n[[gates]]\nat = 2026-11-22T10:00:00Z\nby = \"alice\"\nresult = \"go\"\nopen_tasks = [\"t-aaaaaa\"]\n\n[[gates.criteria]]\ncommand = \"cargo test\"\npassed = true\nexit_code = 0\nseconds = 1.5\n\n[[gates.criteria]]\ncommand = \"kill -9 $$\"\npassed = false\nseconds = 0.002\n"
        );
        let back: DocumentMut = text.parse().unwrap();
        assert_eq!(read_gates(&back, "m.md", &text).unwrap(), gates);
        // Nothing new: nothing appended.
        let mut again = back.clone();
        append_gates(&mut again, &gates);
        assert_eq!(again.to_string(), text);
    }

    #[test]
    fn inline_arrays_and_hand_written_entries() {
        let text = "gates = [{ at = 2026-11-22T10:00:00Z, result = \"go\" }]\n";
        let mut doc: DocumentMut = text.parse().unwrap();
        let gates = read_gates(&doc, "m.md", text).unwrap();
        assert_eq!(gates.len(), 1);
        assert_eq!(
            (gates[0].by.as_ref(), gates[0].result),
            (None, GateResult::Go)
        );
        let mut more = gates.clone();
        more.push(gate(GateResult::NoGo));
        append_gates(&mut doc, &more);
        let out = doc.to_string();
        let back: DocumentMut = out.parse().unwrap();
        assert_eq!(read_gates(&back, "m.md", &out).unwrap(), more);
    }

    #[test]
    fn bad_entries_name_the_gate_and_its_line() {
        let text = "id = 1\n\n[[gates]]\nat = 2026-11-22T10:00:00Z\nresult = \"go\"\n\n[[gates]]\nat = 2026-11-22T10:00:00Z\nresult = \"maybe\"\n";
        let doc: DocumentMut = text.parse().unwrap();
        let e = read_gates(&doc, "m.md", text).unwrap_err();
        assert_eq!(e.line, Some(7));
        assert!(
            e.message.contains("gate 2") && e.message.contains("go or no-go"),
            "{e}"
        );
        for (bad, what) in [
            ("gates = 3\n", "list of [[gates]]"),
            ("[[gates]]\nresult = \"go\"\n", "`at`"),
            (
                "[[gates]]\nat = 2026-11-22T10:00:00Z\nresult = \"go\"\n[[gates.criteria]]\ncommand = \"x\"\n",
                "criterion 1: the required field `passed`",
            ),
            (
                "[[gates]]\nat = 2026-11-22T10:00:00Z\nresult = \"go\"\nopen_tasks = [\"x\"]\n",
                "open_tasks",
            ),
        ] {
            let doc: DocumentMut = bad.parse().unwrap();
            let e = read_gates(&doc, "m.md", bad).unwrap_err();
            assert!(e.message.contains(what), "{bad}: {e}");
        }
    }
}
