/*!
Field-by-field merge of a record's TOML (front matter or a plain TOML record) against the base.

The result is built in the primary's document (the later side's, chosen the same way whichever
side is "ours"), so its comments, key order and layout are kept and the merged file is the same
bytes on every clone. For each field:

- changed on one side only (or identically on both): that value;
- a list (an array, or an array of `[[tables]]`) changed on both: an ordered set, where adds and
  removes from either side apply, the primary's order first, then the other side's additions;
- a `[table]` changed on both: its fields merged the same way, one level down;
- a clock (`updated`, `last_seen`) changed on both: the later time, with nothing set aside;
- any other value changed on both: the later edit by [`Stamp`], the other value reported as a
  [`Loss`] for the caller to keep in a conflict record.

Values are compared by meaning, not by how they are written: `'a'` and `"a"` are one value, and
so are an inline table and a `[table]` with the same fields.
*/

use std::cmp::Ordering;
use std::collections::BTreeMap;

use toml_edit::{Array, ArrayOfTables, Item, Table, Value};

use super::hlc::Stamp;
use super::text;
use crate::model::Timestamp;

/// Which side's value a forced field takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Primary,
    Secondary,
}

/// How the fields of one kind of record merge.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    /// Clock fields: the later time wins and nothing is set aside.
    pub clocks: Vec<&'static str>,
    /// Fields that take one side's value whatever the other did (the winner of a double claim);
    /// the caller keeps the other side's values itself.
    pub forced: BTreeMap<String, Pick>,
}

/// A value set aside: both sides changed `field` and the other side's value won.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    /// The field, dotted below the top level (`decision.option`).
    pub field: String,
    /// The value kept, as TOML (`None`: the field is absent).
    pub kept: Option<String>,
    pub set_aside: Option<String>,
    /// Whether the kept value is the primary's.
    pub primary_kept: bool,
}

/// The sentinel an absent value compares as (no TOML value prints this way).
const ABSENT: &str = "\u{0}absent";

/// A value's meaning as text: equal for values that mean the same whatever their formatting.
pub fn canon_value(v: &Value) -> String {
    match v {
        Value::String(s) => Value::from(s.value().as_str())
            .decorated("", "")
            .to_string(),
        Value::Integer(i) => i.value().to_string(),
        Value::Float(f) => format!("{:?}", f.value()),
        Value::Boolean(b) => b.value().to_string(),
        Value::Datetime(d) => d.value().to_string(),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(canon_value).collect();
            format!("[{}]", items.join(", "))
        }
        Value::InlineTable(t) => canon_pairs(t.iter().map(|(k, v)| (k, canon_value(v)))),
    }
}

fn canon_pairs<'a>(pairs: impl Iterator<Item = (&'a str, String)>) -> String {
    let mut pairs: Vec<(&str, String)> = pairs.collect();
    pairs.sort();
    let inner: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{k:?} = {v}"))
        .collect();
    format!("{{ {} }}", inner.join(", "))
}

/// An item's meaning as text; `None` for an absent one.
pub fn canon(item: Option<&Item>) -> Option<String> {
    match item? {
        Item::None => None,
        Item::Value(v) => Some(canon_value(v)),
        Item::Table(t) => Some(canon_pairs(
            t.iter().filter_map(|(k, i)| canon(Some(i)).map(|c| (k, c))),
        )),
        Item::ArrayOfTables(a) => {
            let items: Vec<String> = a
                .iter()
                .filter_map(|t| canon(Some(&Item::Table(t.clone()))))
                .collect();
            Some(format!("[{}]", items.join(", ")))
        }
    }
}

fn present(item: Option<&Item>) -> Option<&Item> {
    item.filter(|i| !i.is_none())
}

/// Merges the fields of `secondary` into `out`, which starts as a copy of `primary`.
#[allow(clippy::too_many_arguments)]
pub fn merge_tables(
    base: Option<&Table>,
    primary: &Table,
    secondary: &Table,
    stamps: (&Stamp, &Stamp),
    rules: &Rules,
    prefix: &str,
    out: &mut Table,
    losses: &mut Vec<Loss>,
) {
    let mut keys: Vec<&str> = primary.iter().map(|(k, _)| k).collect();
    keys.extend(
        secondary
            .iter()
            .map(|(k, _)| k)
            .filter(|k| !primary.contains_key(k)),
    );
    for key in keys.iter().copied() {
        let field = if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        };
        let b = present(base.and_then(|t| t.get(key)));
        let p = present(primary.get(key));
        let s = present(secondary.get(key));
        let (cb, cp, cs) = (canon(b), canon(p), canon(s));
        if cp == cs {
            continue;
        }
        // A forced field follows its side even where only the other side changed it.
        if let Some(pick) = rules.forced.get(&field) {
            if *pick == Pick::Secondary {
                put(out, key, s);
            }
            continue;
        }
        if cs == cb {
            continue;
        }
        if cp == cb {
            put(out, key, s);
            continue;
        }
        if rules.clocks.contains(&field.as_str()) {
            if time_of(s).cmp(&time_of(p)).then_with(|| cs.cmp(&cp)) == Ordering::Greater {
                put(out, key, s);
            }
            continue;
        }
        if let (Some(Item::Table(pt)), Some(Item::Table(st))) = (p, s)
            && matches!(b, None | Some(Item::Table(_)))
            && let Some(Item::Table(ot)) = out.get_mut(key)
        {
            let bt = b.and_then(Item::as_table);
            merge_tables(bt, pt, st, stamps, rules, &field, ot, losses);
            continue;
        }
        if let (Some(pe), Some(se), Some(be)) = (elements(p), elements(s), elements(b)) {
            merge_lists(out, key, p, s, &pe, &se, &be);
            continue;
        }
        let (vp, vs) = (
            cp.as_deref().unwrap_or(ABSENT),
            cs.as_deref().unwrap_or(ABSENT),
        );
        let primary_kept = stamps.0.cmp_values(vp, stamps.1, vs) == Ordering::Greater;
        if !primary_kept {
            put(out, key, s);
        }
        let (kept, set_aside) = if primary_kept { (cp, cs) } else { (cs, cp) };
        losses.push(Loss {
            field,
            kept,
            set_aside,
            primary_kept,
        });
    }
    if keys.len() > 1 {
        order_keys(base, primary, secondary, out);
    }
}

/// The time a clock field holds, if it holds one.
fn time_of(item: Option<&Item>) -> Option<Timestamp> {
    let v = item?.as_value()?;
    let text = v
        .as_datetime()
        .map(|d| d.to_string())
        .or_else(|| v.as_str().map(str::to_owned))?;
    Timestamp::parse_rfc3339(&text)
}

/// One element of a list, as written on its side.
#[derive(Clone, Debug)]
enum Element {
    Value(Value),
    Table(Table),
}

/// A list's elements with their meanings, or `None` when the item is not a list. An absent
/// item is the empty list.
fn elements(item: Option<&Item>) -> Option<Vec<(String, Element)>> {
    let mut out: Vec<(String, Element)> = Vec::new();
    let mut push = |c: String, e: Element| {
        if !out.iter().any(|(k, _)| *k == c) {
            out.push((c, e));
        }
    };
    match item {
        None => {}
        Some(Item::Value(Value::Array(a))) => {
            for v in a.iter() {
                push(canon_value(v), Element::Value(v.clone()));
            }
        }
        Some(Item::ArrayOfTables(a)) => {
            for t in a.iter() {
                let c = canon(Some(&Item::Table(t.clone()))).unwrap_or_default();
                push(c, Element::Table(t.clone()));
            }
        }
        Some(_) => return None,
    }
    Some(out)
}

/// Writes the ordered-set merge of a list changed on both sides: the base's elements that
/// neither side removed, in the base's order, then the elements either side added. The added
/// runs are ordered the same whichever side is primary (the longer run first, then the
/// greater), which also makes merging the result with either side again change nothing.
fn merge_lists(
    out: &mut Table,
    key: &str,
    p: Option<&Item>,
    s: Option<&Item>,
    pe: &[(String, Element)],
    se: &[(String, Element)],
    be: &[(String, Element)],
) {
    let has = |list: &[(String, Element)], c: &str| list.iter().any(|(k, _)| k == c);
    let mut merged: Vec<&(String, Element)> = Vec::new();
    for (c, _) in be {
        if let Some(e) = pe.iter().find(|(k, _)| k == c).filter(|_| has(se, c)) {
            merged.push(e);
        }
    }
    let ap: Vec<&(String, Element)> = pe.iter().filter(|(c, _)| !has(be, c)).collect();
    let as_: Vec<&(String, Element)> = se.iter().filter(|(c, _)| !has(be, c)).collect();
    let joined =
        |l: &[&(String, Element)]| -> Vec<String> { l.iter().map(|(c, _)| c.clone()).collect() };
    let p_first = (ap.len(), joined(&ap)) >= (as_.len(), joined(&as_));
    let (first, second) = if p_first { (ap, as_) } else { (as_, ap) };
    for e in first.into_iter().chain(second) {
        if !merged.iter().any(|m| m.0 == e.0) {
            merged.push(e);
        }
    }
    let same_as = |list: &[(String, Element)]| {
        list.len() == merged.len() && list.iter().zip(&merged).all(|(a, b)| a.0 == b.0)
    };
    if same_as(pe) {
        return;
    }
    if same_as(se) {
        put(out, key, s);
        return;
    }
    if merged.is_empty() {
        out.remove(key);
        return;
    }
    let tables = merged.iter().any(|(_, e)| matches!(e, Element::Table(_)))
        || matches!(p, Some(Item::ArrayOfTables(_)));
    let item = if tables {
        let mut a = ArrayOfTables::new();
        for (_, e) in &merged {
            a.push(match e {
                Element::Table(t) => t.clone(),
                Element::Value(v) => match v.as_inline_table() {
                    Some(it) => it.clone().into_table(),
                    None => Table::new(),
                },
            });
        }
        Item::ArrayOfTables(a)
    } else {
        let mut a = Array::new();
        for (_, e) in &merged {
            if let Element::Value(v) = e {
                a.push(v.clone().decorated("", ""));
            }
        }
        a.fmt();
        let mut v = Value::Array(a);
        if let Some(existing) = p.and_then(Item::as_value) {
            *v.decor_mut() = existing.decor().clone();
        }
        Item::Value(v)
    };
    put(out, key, Some(&item));
}

/// Orders the plain fields of `out` by the three-way merge of the three key orders, so that a
/// field added by the other side lands where that side put it, the same whichever side is
/// primary. A field the key-order merge dropped (both sides rearranged one place) goes after
/// the field before it on its own side. Subtables keep their places.
fn order_keys(base: Option<&Table>, primary: &Table, secondary: &Table, out: &mut Table) {
    let keys = |t: &Table| -> Vec<String> { t.iter().map(|(k, _)| k.to_owned()).collect() };
    let seq = |k: &[String]| -> String { k.iter().map(|k| format!("{k}\n")).collect() };
    let (kp, ks) = (keys(primary), keys(secondary));
    let merged = text::merge3(
        &base.map(|b| seq(&keys(b))).unwrap_or_default(),
        &seq(&kp),
        &seq(&ks),
        &text::greater,
    )
    .text;
    let mut order: Vec<String> = Vec::new();
    for k in merged.lines() {
        if !order.iter().any(|o| o == k) {
            order.push(k.to_owned());
        }
    }
    for side in [&kp, &ks] {
        for (i, k) in side.iter().enumerate() {
            if order.contains(k) {
                continue;
            }
            let at = side[..i]
                .iter()
                .rev()
                .find_map(|before| order.iter().position(|o| o == before))
                .map_or(0, |p| p + 1);
            order.insert(at, k.clone());
        }
    }
    let of = |k: &toml_edit::Key| {
        order
            .iter()
            .position(|o| o == k.get())
            .unwrap_or(usize::MAX)
    };
    out.sort_values_by(|k1, _, k2, _| of(k1).cmp(&of(k2)));
}

/// Sets `key` in `out` to `item` (`None` removes it), keeping the formatting around an
/// existing value and moving tables from the other document to where they belong in this one.
fn put(out: &mut Table, key: &str, item: Option<&Item>) {
    let Some(item) = item else {
        out.remove(key);
        return;
    };
    let mut item = item.clone();
    match &mut item {
        Item::Value(v) => {
            if let Some(existing) = out.get(key).and_then(Item::as_value) {
                *v.decor_mut() = existing.decor().clone();
            }
        }
        Item::Table(t) => unposition(t),
        Item::ArrayOfTables(a) => {
            for t in a.iter_mut() {
                unposition(t);
            }
        }
        Item::None => {}
    }
    match out.get_mut(key) {
        Some(slot) => *slot = item,
        None => {
            out.insert(key, item);
        }
    }
}

/// Clears a table's position from its own document, so it renders after the tables before it.
fn unposition(t: &mut Table) {
    t.set_position(None);
    for (_, item) in t.iter_mut() {
        match item {
            Item::Table(inner) => unposition(inner),
            Item::ArrayOfTables(a) => {
                for inner in a.iter_mut() {
                    unposition(inner);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml_edit::DocumentMut;

    fn doc(s: &str) -> DocumentMut {
        s.parse().unwrap()
    }

    fn stamp(t: &str) -> Stamp {
        Stamp {
            wall: Timestamp::parse_rfc3339(t),
            agent: None,
        }
    }

    /// Merges with `p` as primary (stamped later than `s`).
    fn run(base: &str, p: &str, s: &str, rules: &Rules) -> (String, Vec<Loss>) {
        let (b, p, s) = (doc(base), doc(p), doc(s));
        let mut out = p.clone();
        let mut losses = Vec::new();
        merge_tables(
            Some(b.as_table()),
            p.as_table(),
            s.as_table(),
            (
                &stamp("2026-11-21T11:00:00Z"),
                &stamp("2026-11-21T10:00:00Z"),
            ),
            rules,
            "",
            out.as_table_mut(),
            &mut losses,
        );
        (out.to_string(), losses)
    }

    #[test]
    fn fields_changed_on_one_side_each_both_apply() {
        let (out, losses) = run(
            "a = 1 # note\nb = \"x\"\n",
            "a = 2 # note\nb = \"x\"\n",
            "a = 1\nb = \"y\"\nc = true\n",
            &Rules::default(),
        );
        assert_eq!(out, "a = 2 # note\nb = \"y\"\nc = true\n");
        assert!(losses.is_empty());
    }

    #[test]
    fn a_scalar_changed_on_both_goes_to_the_later_edit() {
        let (out, losses) = run("a = 1\n", "a = 2\n", "a = 3\n", &Rules::default());
        assert_eq!(out, "a = 2\n");
        assert_eq!(
            losses,
            vec![Loss {
                field: "a".into(),
                kept: Some("2".into()),
                set_aside: Some("3".into()),
                primary_kept: true
            }]
        );
    }

    #[test]
    fn lists_merge_as_ordered_sets() {
        let (out, losses) = run(
            "l = [\"a\", \"b\", \"c\"]\n",
            "l = [\"a\", \"c\", \"p\"]\n",
            "l = [\"b\", \"c\", \"s\"]\n",
            &Rules::default(),
        );
        // The additions: the longer run first, then the greater (the same from both sides).
        assert_eq!(out, "l = [\"c\", \"s\", \"p\"]\n");
        assert!(losses.is_empty());
        // Absent is the empty list.
        let (out, _) = run("", "l = [\"p\"]\n", "l = [\"s\"]\n", &Rules::default());
        assert_eq!(out, "l = [\"s\", \"p\"]\n");
    }

    #[test]
    fn arrays_of_tables_take_the_union() {
        let base = "x = 1\n\n[[p]]\nby = \"a\"\n";
        let (out, _) = run(
            base,
            "x = 1\n\n[[p]]\nby = \"a\"\n\n[[p]]\nby = \"b\" # hand\n",
            "x = 1\n\n[[p]]\nby = \"a\"\n\n[[p]]\nby = \"c\"\n",
            &Rules::default(),
        );
        assert_eq!(
            out,
            "x = 1\n\n[[p]]\nby = \"a\"\n\n[[p]]\nby = \"c\"\n\n[[p]]\nby = \"b\" # hand\n"
        );
    }

    #[test]
    fn clocks_take_the_later_time_and_forced_fields_their_side() {
        let rules = Rules {
            clocks: vec!["updated"],
            forced: [("who".to_owned(), Pick::Secondary)].into(),
        };
        let (out, losses) = run(
            "updated = 2026-01-01T00:00:00Z\nwho = \"a\"\n",
            "updated = 2026-01-03T00:00:00Z\nwho = \"p\"\n",
            "updated = 2026-01-02T00:00:00Z\nwho = \"s\"\n",
            &rules,
        );
        assert_eq!(out, "updated = 2026-01-03T00:00:00Z\nwho = \"s\"\n");
        assert!(losses.is_empty());
    }

    #[test]
    fn nested_tables_merge_by_field() {
        let (out, losses) = run(
            "[d]\no = \"a\"\nr = \"x\"\n",
            "[d]\no = \"b\"\nr = \"x\"\n",
            "[d]\no = \"a\"\nr = \"y\"\n",
            &Rules::default(),
        );
        assert_eq!(out, "[d]\no = \"b\"\nr = \"y\"\n");
        assert!(losses.is_empty());
    }

    #[test]
    fn formatting_does_not_count_as_a_change() {
        assert_eq!(
            canon(Some(&Item::Value("'a'".parse().unwrap()))),
            canon(Some(&Item::Value("\"a\"".parse().unwrap())))
        );
        let (out, losses) = run("a = \"x\"\n", "a = 'x'\n", "a = \"y\"\n", &Rules::default());
        assert_eq!(out, "a = \"y\"\n");
        assert!(losses.is_empty());
    }
}
