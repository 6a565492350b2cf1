//! The dependency rules of DESIGN §9, checked on the source: modules of `src/` import each
//! other in one direction only (no cycles between files), `ops` never imports `report` (views
//! are built on operations, not the reverse), and `commands` never reaches past `ops` into
//! `store`. A reference is a `crate::`, `super::` or `self::` path outside `#[cfg(test)]`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Every `.rs` file under `src/`, keyed by its module path (`ops/adr/madr` → ["ops","adr","madr"]).
fn modules(root: &Path) -> BTreeMap<Module, PathBuf> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src/") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .expect("under src/")
                .with_extension("");
            let mut parts: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            out.insert(parts, path);
        }
    }
    out
}

/// The longest prefix of `path` that is a file module.
fn resolve(files: &BTreeMap<Module, PathBuf>, path: &[String]) -> Option<Module> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| files.contains_key(p))
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The file modules that `text` (the source of `here`) refers to.
fn references(files: &BTreeMap<Module, PathBuf>, here: &Module, text: &str) -> BTreeSet<Module> {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = BTreeSet::new();
    for anchor in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(found) = text[from..].find(anchor) {
            let start = from + found;
            from = start + anchor.len();
            if text[..start].chars().next_back().is_some_and(is_ident) {
                continue;
            }
            // Read `a::b::{c, d::e}` (one level of braces).
            let rest = &text[from..];
            let mut base: Vec<String> = Vec::new();
            let mut cursor = rest;
            loop {
                let name: String = cursor.chars().take_while(|c| is_ident(*c)).collect();
                if name.is_empty() {
                    break;
                }
                cursor = &cursor[name.len()..];
                base.push(name);
                match cursor.strip_prefix("::") {
                    Some(next) => cursor = next,
                    None => break,
                }
            }
            let mut prefix: Module = match anchor {
                "crate::" => Vec::new(),
                "self::" => here.clone(),
                _ => {
                    let mut up = here[..here.len().saturating_sub(1)].to_vec();
                    while base.first().is_some_and(|b| b == "super") {
                        base.remove(0);
                        up.pop();
                    }
                    up
                }
            };
            prefix.extend(base);
            let mut targets = vec![prefix.clone()];
            if let Some(group) = cursor.strip_prefix('{') {
                let group = group.split('}').next().unwrap_or_default();
                for item in group.split(',') {
                    let mut path = prefix.clone();
                    path.extend(
                        item.trim()
                            .split("::")
                            .filter(|s| !s.is_empty() && *s != "self" && *s != "*")
                            .map(str::to_owned),
                    );
                    targets.push(path);
                }
            }
            for target in targets {
                if let Some(t) = resolve(files, &target) {
                    let nested = t.starts_with(here) || here.starts_with(&t);
                    if !nested {
                        out.insert(t);
                    }
                }
            }
        }
    }
    out
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = modules(&root);
    files
        .iter()
        .map(|(module, path)| {
            let text = std::fs::read_to_string(path).expect("read source file");
            (module.clone(), references(&files, module, &text))
        })
        .collect()
}

fn name(m: &Module) -> String {
    m.join("/")
}

/// Strongly connected components of more than one module (Tarjan, iterative enough for src/).
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on: BTreeSet<&'a Module>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on.insert(v);
        let edges = s.edges;
        for w in edges.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                component.push(name(w));
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

/// Every `from → to` edge where `from` is under `layer` and `to` is under `forbidden`.
fn crossings(
    edges: &BTreeMap<Module, BTreeSet<Module>>,
    layer: &str,
    forbidden: &str,
) -> Vec<String> {
    edges
        .iter()
        .filter(|(from, _)| from.first().is_some_and(|f| f == layer))
        .flat_map(|(from, tos)| {
            tos.iter()
                .filter(|to| to.first().is_some_and(|t| t == forbidden))
                .map(move |to| format!("{} → {}", name(from), name(to)))
        })
        .collect()
}

#[test]
fn no_import_cycles_between_modules() {
    let found = cycles(&graph());
    assert!(
        found.is_empty(),
        "modules that import each other in a circle: {found:#?}"
    );
}

#[test]
fn ops_never_imports_report() {
    let found = crossings(&graph(), "ops", "report");
    assert!(found.is_empty(), "ops/ reaches up into report/: {found:#?}");
}

#[test]
fn commands_never_import_store() {
    let found = crossings(&graph(), "commands", "store");
    assert!(
        found.is_empty(),
        "commands/ reaches past ops/ into store/: {found:#?}"
    );
}

#[test]
fn nothing_below_commands_imports_the_cli_layer() {
    let edges = graph();
    let mut found = Vec::new();
    for layer in ["ops", "model", "store", "graph", "ownership", "report"] {
        for upper in ["commands", "cli", "context"] {
            found.extend(crossings(&edges, layer, upper));
        }
    }
    assert!(
        found.is_empty(),
        "a lower layer imports the CLI layer: {found:#?}"
    );
}

/// The checker itself: a planted cycle, a planted `ops → report` edge and a `{…}` group are
/// all seen (so the tests above can fail).
#[test]
fn the_checker_sees_planted_violations() {
    let files: BTreeMap<Module, PathBuf> = [
        vec!["ops".to_owned()],
        vec!["ops".to_owned(), "a".to_owned()],
        vec!["ops".to_owned(), "b".to_owned()],
        vec!["report".to_owned()],
    ]
    .into_iter()
    .map(|m| (m, PathBuf::new()))
    .collect();
    let a = vec!["ops".to_owned(), "a".to_owned()];
    let b = vec!["ops".to_owned(), "b".to_owned()];
    let mut edges = BTreeMap::new();
    edges.insert(
        a.clone(),
        references(
            &files,
            &a,
            "use super::{b::X, c};\nfn f() { crate::report::x() }",
        ),
    );
    edges.insert(b.clone(), references(&files, &b, "use crate::ops::a::Y;"));
    edges.insert(
        vec!["ops".to_owned()],
        references(&files, &["ops".to_owned()].to_vec(), "pub mod a;"),
    );
    edges.insert(vec!["report".to_owned()], BTreeSet::new());
    assert_eq!(cycles(&edges), vec![vec!["ops/a", "ops/b"]]);
    assert_eq!(crossings(&edges, "ops", "report"), vec!["ops/a → report"]);
    // Test code does not count.
    let in_tests = references(&files, &a, "#[cfg(test)]\nmod t { use crate::report::x; }");
    assert!(in_tests.is_empty());
}
