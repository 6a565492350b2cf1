//! The sync property of issue 13 (DESIGN §7): random operations on three clones, synced in a
//! random order, end — after every clone has synced twice more — with identical trees, and
//! every acknowledged write is in the merged state or in a conflict record, unless a clone
//! that had seen it wrote over it later.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use proptest::prelude::*;

use crate::common::remote::Remote;

const CLONES: [&str; 3] = ["alice", "bob", "carol"];

#[derive(Clone, Debug)]
enum Op {
    Add(usize),
    Retitle(usize, usize),
    Claim(usize, usize),
    Note(usize),
    Sync(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let clone = 0..CLONES.len();
    prop_oneof![
        1 => clone.clone().prop_map(Op::Add),
        3 => (clone.clone(), 0..4usize).prop_map(|(c, t)| Op::Retitle(c, t)),
        1 => (clone.clone(), 0..4usize).prop_map(|(c, t)| Op::Claim(c, t)),
        1 => clone.clone().prop_map(Op::Note),
        3 => clone.prop_map(Op::Sync),
    ]
}

/// One acknowledged title write: which task, which value, and what its clone had seen.
struct Retitle {
    task: String,
    title: String,
    /// Write IDs (indexes into the list of retitles) this clone knew when it wrote.
    saw: BTreeSet<usize>,
}

struct World {
    r: Remote,
    dirs: Vec<PathBuf>,
    /// Tasks every clone knows from the start (seeded, synced).
    tasks: Vec<String>,
    retitles: Vec<Retitle>,
    /// Per clone: the retitles it has seen (its own, and what syncs brought in).
    known: Vec<BTreeSet<usize>>,
    /// The retitles pushed to the remote so far.
    remote: BTreeSet<usize>,
    added: Vec<String>,
    notes: Vec<String>,
    claims: BTreeMap<String, BTreeSet<String>>,
    counter: usize,
}

impl World {
    fn new() -> World {
        let r = Remote::new();
        let a = r.clone_as(CLONES[0]);
        r.coord(&a, &["init"]).expect_code(0);
        let tasks: Vec<String> = (0..4).map(|i| r.add(&a, &format!("task {i}"))).collect();
        r.sync(&a);
        let mut dirs = vec![a];
        for agent in &CLONES[1..] {
            let d = r.clone_as(agent);
            r.sync(&d);
            dirs.push(d);
        }
        World {
            r,
            dirs,
            tasks,
            retitles: Vec::new(),
            known: vec![BTreeSet::new(); CLONES.len()],
            remote: BTreeSet::new(),
            added: Vec::new(),
            notes: Vec::new(),
            claims: BTreeMap::new(),
            counter: 0,
        }
    }

    fn sync(&mut self, c: usize) {
        self.r.sync(&self.dirs[c]);
        // A sync takes in what the remote has, then pushes what this clone has.
        let pulled: Vec<usize> = self.remote.iter().copied().collect();
        self.known[c].extend(pulled);
        let pushed: Vec<usize> = self.known[c].iter().copied().collect();
        self.remote.extend(pushed);
    }

    fn apply(&mut self, op: &Op) {
        self.counter += 1;
        let n = self.counter;
        match *op {
            Op::Add(c) => {
                let id = self.r.add(&self.dirs[c], &format!("added {n}"));
                self.added.push(id);
            }
            Op::Retitle(c, t) => {
                let task = self.tasks[t].clone();
                let title = format!("title {n} by {}", CLONES[c]);
                let run = self
                    .r
                    .coord(&self.dirs[c], &["task", "edit", &task, "--title", &title]);
                if run.code == 0 {
                    let id = self.retitles.len();
                    self.retitles.push(Retitle {
                        task,
                        title,
                        saw: self.known[c].clone(),
                    });
                    self.known[c].insert(id);
                }
            }
            Op::Claim(c, t) => {
                let task = self.tasks[t].clone();
                if self.r.coord(&self.dirs[c], &["claim", &task]).code == 0 {
                    self.claims
                        .entry(task)
                        .or_default()
                        .insert(CLONES[c].to_owned());
                }
            }
            Op::Note(c) => {
                let text = format!("note {n} by {}", CLONES[c]);
                self.r.coord(&self.dirs[c], &["note", &text]).expect_code(0);
                self.notes.push(text);
            }
            Op::Sync(c) => self.sync(c),
        }
    }

    /// Every clone syncs twice more, in order: all of them have everything.
    fn settle(&mut self) {
        for _ in 0..2 {
            for c in 0..CLONES.len() {
                self.sync(c);
            }
        }
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let trees: Vec<String> = self.dirs.iter().map(|d| self.r.tree(d, "coord")).collect();
        prop_assert!(
            trees.iter().all(|t| t == &trees[0]),
            "the clones did not converge: {trees:?}"
        );
        let a = &self.dirs[0];
        let files = self.r.files(a, "coord");
        let conflicts: String = files
            .iter()
            .filter(|f| f.starts_with("conflicts/"))
            .map(|f| self.r.git(a, &["show", &format!("coord:{f}")]))
            .collect();
        for id in &self.added {
            let shown = self.r.json(a, &["task", "show", id]);
            prop_assert_eq!(shown["id"].as_str(), Some(id.as_str()));
        }
        let pads: String = files
            .iter()
            .filter(|f| f.starts_with("scratchpads/"))
            .map(|f| self.r.git(a, &["show", &format!("coord:{f}")]))
            .collect();
        for note in &self.notes {
            prop_assert_eq!(
                pads.matches(note.as_str()).count(),
                1,
                "note {:?} in\n{}",
                note,
                pads
            );
        }
        for (i, w) in self.retitles.iter().enumerate() {
            let overwritten = self
                .retitles
                .iter()
                .any(|later| later.task == w.task && later.saw.contains(&i));
            if overwritten {
                continue;
            }
            let title = self.r.json(a, &["task", "show", &w.task])["title"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            prop_assert!(
                title == w.title || conflicts.contains(&w.title),
                "{:?} on {} is neither the title ({title:?}) nor in a conflict record",
                w.title,
                w.task
            );
        }
        for (task, claimants) in &self.claims {
            let shown = self.r.json(a, &["task", "show", task]);
            let holder = shown["assignee"].as_str().unwrap_or_default();
            prop_assert!(
                claimants.contains(holder),
                "{task} is held by {holder:?}, claimed by {claimants:?}"
            );
        }
        Ok(())
    }
}

proptest! {
    // Each case drives the real binary through three clones and a bare remote (~1-2 s).
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn three_clones_converge_and_keep_every_acknowledged_write(ops in prop::collection::vec(op(), 4..14)) {
        let mut world = World::new();
        for op in &ops {
            world.apply(op);
        }
        world.settle();
        world.check()?;
    }
}
