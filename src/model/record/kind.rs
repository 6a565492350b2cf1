/*!
One abstraction over the kinds of record file (task, milestone, conflict, risk): where a kind
lives, what its IDs look like, how a file parses and renders, which fields it stores and how
each of them merges, and what makes one valid.

Whatever is generic over records is written once against [`Record`]: reading, resolving what a
user typed (a whole ID or a unique prefix), listing and showing (`ops::record_dir`), and the
field-by-field three-way merge of sync (issue 13), which compares [`Record::fields`] of base,
ours and theirs key by key as [`Record::FIELDS`] says ([`FieldKind`]: scalars three-way, lists
as ordered sets, histories as a union) and merges [`Record::body`] as text. A merged field list
is written back through [`rewrite`] onto one side's document and read again with
[`Record::parse`], so a merged record keeps the fields and comments this version does not know.
*/

use std::cmp::Ordering;
use std::fmt;

use toml_edit::DocumentMut;

use super::{
    FieldValue, Fields, InvalidField, Origin, RecordDoc, RecordError, parse_markdown,
    render_markdown, rewrite,
};
use crate::model::id::{
    ConflictId, ConflictPrefix, IdError, MilestoneId, MilestonePrefix, RiskId, RiskPrefix, TaskId,
    TaskPrefix,
};

/// How a field merges when both sides of a sync changed its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// One value (a string, a number, a time): changed on one side, that side wins; changed
    /// on both to different values, the later edit wins and the other value is kept aside.
    Scalar,
    /// A list of strings merged as an ordered set: adds and removes from either side apply.
    List,
    /// `[[key]]` tables that only ever grow (proposals, actions, gates): the union of both
    /// sides. Not among [`Record::fields`]; each kind writes its own.
    History,
}

/// One field a record kind stores: its TOML key and how it merges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub key: &'static str,
    pub kind: FieldKind,
}

/// Shorthands for [`Record::FIELDS`] tables.
impl FieldSpec {
    pub const fn scalar(key: &'static str) -> FieldSpec {
        FieldSpec {
            key,
            kind: FieldKind::Scalar,
        }
    }

    pub const fn list(key: &'static str) -> FieldSpec {
        FieldSpec {
            key,
            kind: FieldKind::List,
        }
    }

    pub const fn history(key: &'static str) -> FieldSpec {
        FieldSpec {
            key,
            kind: FieldKind::History,
        }
    }
}

/// The ID of a record kind that any clone may create: a kind prefix (`t-`, `m-`) and random
/// lowercase base-36 characters. What a user types to name one is a whole ID or a unique
/// prefix of its random part, with or without the kind prefix.
pub trait RecordId: Clone + Ord + fmt::Display + fmt::Debug {
    /// The kind prefix: `t-`, `m-`, `c-`, `r-`.
    const PREFIX: &'static str;

    /// Parses a whole ID.
    fn parse(s: &str) -> Result<Self, IdError>;

    /// A fresh random ID with `len` random characters.
    fn random(len: usize) -> Self;

    fn as_str(&self) -> &str;

    /// The random part typed so far in `given` (an ID or a prefix, kind prefix optional).
    fn typed_part(given: &str) -> Result<String, IdError>;

    /// The random part, after the kind prefix.
    fn random_part(&self) -> &str {
        &self.as_str()[Self::PREFIX.len()..]
    }
}

/// The items of a [`Record`] impl that only point at the record's `id`, `title` and `body`
/// fields.
macro_rules! record_accessors {
    () => {
        fn id(&self) -> &Self::Id {
            &self.id
        }

        fn title(&self) -> &str {
            &self.title
        }

        fn body(&self) -> &str {
            &self.body
        }

        fn body_mut(&mut self) -> &mut String {
            &mut self.body
        }
    };
}

/// The items of a [`Record`] impl whose origin is kept as is in its `source` field.
macro_rules! plain_origin {
    () => {
        fn set_origin(&mut self, origin: $crate::model::record::Origin) {
            self.source = Some(origin);
        }

        fn origin(&self) -> Option<&$crate::model::record::Origin> {
            self.source.as_ref()
        }
    };
}

pub(crate) use {plain_origin, record_accessors};

/// Implements [`RecordId`] for an ID type and its prefix type, which share their API.
macro_rules! record_id_impl {
    ($id:ty, $prefix:ty) => {
        impl RecordId for $id {
            const PREFIX: &'static str = <$id>::PREFIX;

            fn parse(s: &str) -> Result<Self, IdError> {
                <$id>::parse(s)
            }

            fn random(len: usize) -> Self {
                <$id>::random(len)
            }

            fn as_str(&self) -> &str {
                <$id>::as_str(self)
            }

            fn typed_part(given: &str) -> Result<String, IdError> {
                <$prefix>::parse(given).map(|p| p.random_part().to_owned())
            }
        }
    };
}

record_id_impl!(TaskId, TaskPrefix);
record_id_impl!(MilestoneId, MilestonePrefix);
record_id_impl!(ConflictId, ConflictPrefix);
record_id_impl!(RiskId, RiskPrefix);

/// A kind of record file: markdown with TOML front matter, one file per record.
///
/// A kind implements the required items; parsing, rendering and the check that a record sits
/// at its own path are provided, the same for every kind.
pub trait Record: Sized {
    type Id: RecordId;

    /// The noun in messages: `task`, `milestone`, `conflict`, `risk`.
    const NOUN: &'static str;
    /// The directory its records live in on the coordination branch.
    const DIR: &'static str;
    /// Whether records sit in two-character buckets (`tasks/4k/t-4kz9w2.md`) rather than
    /// flat in [`Record::DIR`].
    const FANNED_OUT: bool = false;
    /// How many random characters a new ID gets.
    const ID_LEN: usize = 6;
    /// Every field it stores, in the order a new record lists them, with how it merges.
    /// [`Record::fields`] returns the scalars and lists, in this order.
    const FIELDS: &'static [FieldSpec];

    /// Where the record of `id` lives.
    fn path(id: &Self::Id) -> String;
    /// The ID a record path names, if it names one.
    fn id_from_path(path: &str) -> Option<Self::Id>;

    fn id(&self) -> &Self::Id;
    fn title(&self) -> &str;
    fn body(&self) -> &str;
    fn body_mut(&mut self) -> &mut String;

    /// Every scalar and list field as the record stores it (`None`: absent), keys in
    /// [`Record::FIELDS`] order.
    fn fields(&self) -> Vec<(&'static str, FieldValue)>;

    /// Reads the plain fields of a record file; the body and the origin are set after.
    fn from_fields(f: &Fields<'_>) -> Result<Self, RecordError>;

    /// Takes what was read besides the plain fields: the body and the
    /// [`FieldKind::History`] tables of `doc` (whose source is `text`); the body alone by
    /// default.
    fn read_rest(&mut self, doc: &RecordDoc, _text: &str) -> Result<(), RecordError> {
        *self.body_mut() = doc.body.clone();
        Ok(())
    }

    /// Keeps what the record was parsed from, for round-trip writes.
    fn set_origin(&mut self, origin: Origin);

    /// What the record was parsed from, if it was.
    fn origin(&self) -> Option<&Origin>;

    /// Writes the [`FieldKind::History`] tables into `doc`; none by default.
    fn write_rest(&self, _doc: &mut DocumentMut) {}

    /// The invariants every record of the kind holds, whoever wrote it (a face, an import,
    /// a merge): a valid title, list entries on one line each, and each kind's own.
    fn validate(&self) -> Result<(), InvalidField>;

    /// The order lists show records in.
    fn list_order(&self, other: &Self) -> Ordering {
        self.id().cmp(other.id())
    }

    /// Parses a record file.
    fn parse(path: &str, text: &str) -> Result<Self, RecordError> {
        let (mut record, doc) = parse_markdown(path, text, Self::from_fields)?;
        record.read_rest(&doc, text)?;
        record.set_origin(Origin {
            fields: record.fields(),
            record: doc,
        });
        Ok(record)
    }

    /// The record file's text: the original file with only the changed fields rewritten and
    /// new history entries appended, or a new file.
    fn to_text(&self) -> String {
        let mut doc = rewrite(self.origin(), &self.fields());
        self.write_rest(&mut doc);
        render_markdown(&doc, self.body())
    }

    /// Parses a record file and checks that its `id` matches its file name.
    fn parse_at(path: &str, text: &str) -> Result<Self, RecordError> {
        let record = Self::parse(path, text)?;
        let id = record.id();
        if Self::id_from_path(path).as_ref() != Some(id) {
            return Err(RecordError {
                path: path.to_owned(),
                line: None,
                message: format!(
                    "its id {id} does not match its file name; the record for {id} belongs at {}",
                    Self::path(id)
                ),
            });
        }
        Ok(record)
    }
}

/// The text of `record` with its scalar and list fields set to `fields` and its body to
/// `body`, written onto the document it was parsed from: what a field-by-field merge (issue 13)
/// writes for a record both sides changed. Fields this version does not know, comments and
/// history tables stay as `record` has them; [`Record::parse`] reads the result.
pub fn render_with<R: Record>(
    record: &R,
    fields: &[(&'static str, FieldValue)],
    body: &str,
) -> String {
    let mut doc = rewrite(record.origin(), fields);
    record.write_rest(&mut doc);
    render_markdown(&doc, body)
}

/// Checks that `record` lists its fields as its kind's [`Record::FIELDS`] says (for tests).
#[cfg(test)]
pub fn assert_fields_follow_schema<R: Record>(record: &R) {
    let plain: Vec<&str> = R::FIELDS
        .iter()
        .filter(|f| f.kind != FieldKind::History)
        .map(|f| f.key)
        .collect();
    let keys: Vec<&str> = record.fields().iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, plain, "{} fields", R::NOUN);
    for (key, value) in record.fields() {
        let spec = R::FIELDS.iter().find(|f| f.key == key).map(|f| f.kind);
        if let Some(v) = value {
            assert_eq!(
                v.is_array(),
                spec == Some(FieldKind::List),
                "{} field {key}: a list exactly when FIELDS says so",
                R::NOUN
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::risk::{Level, Risk};

    const TEXT: &str = "+++\nid = \"r-aaaaaa\"\ntitle = \"Redis\" # as raised\nimpact = \"high\"\nprobability = \"low\"\nowner = \"state\"\nstatus = \"open\"\ncreated = 2026-11-21T10:00:00Z\nupdated = 2026-11-21T10:00:00Z\ncost = 3\n+++\nSeen in staging.\n";

    /// Fields taken from another version of the record (as a merge would) are written onto
    /// this one's document: changed fields change, removed ones go, the unknown field and the
    /// comment stay, and the result reads back.
    #[test]
    fn a_record_renders_with_fields_from_elsewhere() {
        let ours = Risk::parse("risks/r-aaaaaa.md", TEXT).unwrap();
        let theirs = Risk::parse(
            "risks/r-aaaaaa.md",
            &TEXT
                .replace("\"low\"", "\"high\"")
                .replace("owner = \"state\"\n", ""),
        )
        .unwrap();
        let mut fields = ours.fields();
        for (key, value) in theirs.fields() {
            if (key == "probability" || key == "owner")
                && let Some(slot) = fields.iter_mut().find(|(k, _)| *k == key)
            {
                slot.1 = value;
            }
        }
        let text = render_with(&ours, &fields, "Seen twice.\n");
        assert_eq!(
            text,
            TEXT.replace("\"low\"", "\"high\"")
                .replace("owner = \"state\"\n", "")
                .replace("Seen in staging.", "Seen twice.")
        );
        let merged = Risk::parse("risks/r-aaaaaa.md", &text).unwrap();
        assert_eq!((merged.probability, &merged.owner), (Level::High, &None));
        assert!(merged.validate().is_ok());
        assert_fields_follow_schema(&merged);
    }
}
