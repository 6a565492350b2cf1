"""The one plan every tool in bench/compare is measured on.

N tasks, each depending on ~1.5 earlier tasks (so the graph is acyclic by construction), a
tenth with no dependencies (the ready set), a fixed seed: the same plan, byte for byte, on
every machine and for every tool. It is written in three shapes:

- git-coord's JSON lines (`git coord import --from json FILE`), the fields of
  `git coord export --json` that a plan needs: id, title, priority, estimate_hours,
  expertise, depends_on;
- Taskwarrior's `task import` JSON array, with `depends` naming UUIDs;
- Beads' JSONL (`.beads/issues.jsonl`, read by `br sync --import-only`), dependencies of type
  `blocks`.

Standard library only. Run as a script to write the files:
    python3 bench/workload.py 10000 /tmp/out    # plan10000.{coord.jsonl,tw.json,beads.jsonl}
"""

import json
import random
import sys
import uuid
from pathlib import Path

SEED = 16
READY_SHARE = 0.1
# Tasks with dependencies have one or two: 0.9 * (1 + P2) ≈ 1.5 dependencies per task.
P_TWO_DEPS = 0.67
EXPERTISE = ("backend", "frontend", "infra")
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
# A fixed creation time, so Taskwarrior's and Beads' files are reproducible too.
CREATED = "2026-11-01T09:00:00Z"
TW_CREATED = "20261101T090000Z"


class Task:
    __slots__ = ("index", "id", "uuid", "title", "priority", "hours", "expertise", "deps")

    def __init__(self, index, tid, tuuid, priority, hours, expertise, deps):
        self.index = index
        self.id = tid
        self.uuid = tuuid
        self.title = f"Task {index}"
        self.priority = priority
        self.hours = hours
        self.expertise = expertise
        self.deps = deps


def plan(n, seed=SEED):
    """The plan of n tasks: a list of Task, dependencies pointing to earlier indices only."""
    rng = random.Random(seed * 1_000_003 + n)
    tasks = []
    ids = set()
    for i in range(n):
        while True:
            tid = "t-" + "".join(rng.choice(ALPHABET) for _ in range(8))
            if tid not in ids:
                ids.add(tid)
                break
        tuuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        priority = rng.randrange(4)
        hours = round(rng.uniform(0.5, 8.0), 1)
        expertise = rng.choice(EXPERTISE)
        deps = []
        if i > 0 and rng.random() >= READY_SHARE:
            k = 2 if (i > 1 and rng.random() < P_TWO_DEPS) else 1
            deps = sorted(rng.sample(range(i), k))
        tasks.append(Task(i, tid, tuuid, priority, hours, expertise, deps))
    return tasks


def coord_lines(tasks):
    """git-coord's `import --from json` input, one object per line."""
    for t in tasks:
        yield json.dumps(
            {
                "id": t.id,
                "title": t.title,
                "priority": t.priority,
                "estimate_hours": t.hours,
                "expertise": [t.expertise],
                "depends_on": [tasks[d].id for d in t.deps],
            }
        )


TW_PRIORITY = {0: "H", 1: "M", 2: "L"}


def taskwarrior_array(tasks):
    """Taskwarrior's `task import` input: one JSON array, dependencies by UUID."""
    out = []
    for t in tasks:
        o = {
            "uuid": t.uuid,
            "description": t.title,
            "status": "pending",
            "entry": TW_CREATED,
            "modified": TW_CREATED,
            "tags": [t.expertise],
        }
        if t.priority in TW_PRIORITY:
            o["priority"] = TW_PRIORITY[t.priority]
        if t.deps:
            o["depends"] = [tasks[d].uuid for d in t.deps]
        out.append(o)
    return out


def beads_id(t):
    return f"bn-{t.id[2:]}"


def beads_lines(tasks):
    """Beads' issues.jsonl: dependencies of type `blocks` on the issue that waits."""
    for t in tasks:
        yield json.dumps(
            {
                "id": beads_id(t),
                "title": t.title,
                "description": "",
                "status": "open",
                "priority": t.priority,
                "issue_type": "task",
                "estimated_minutes": int(t.hours * 60),
                "labels": [t.expertise],
                "created_at": CREATED,
                "updated_at": CREATED,
                "dependencies": [
                    {
                        "issue_id": beads_id(t),
                        "depends_on_id": beads_id(tasks[d]),
                        "type": "blocks",
                        "created_at": CREATED,
                        "created_by": "bench",
                    }
                    for d in t.deps
                ],
            }
        )


def write_all(n, out_dir, seed=SEED):
    """Writes the three files for a plan of n tasks; returns (tasks, {shape: path})."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks = plan(n, seed)
    paths = {
        "coord": out_dir / f"plan{n}.coord.jsonl",
        "taskwarrior": out_dir / f"plan{n}.tw.json",
        "beads": out_dir / f"plan{n}.beads.jsonl",
    }
    paths["coord"].write_text("".join(line + "\n" for line in coord_lines(tasks)))
    paths["taskwarrior"].write_text(json.dumps(taskwarrior_array(tasks)) + "\n")
    paths["beads"].write_text("".join(line + "\n" for line in beads_lines(tasks)))
    return tasks, paths


def main(argv):
    if len(argv) != 3 or not argv[1].isdigit():
        print("usage: workload.py N OUT_DIR", file=sys.stderr)
        return 2
    tasks, paths = write_all(int(argv[1]), argv[2])
    ready = sum(1 for t in tasks if not t.deps)
    edges = sum(len(t.deps) for t in tasks)
    per = edges / len(tasks)
    print(f"{len(tasks)} tasks, {edges} dependencies ({per:.2f}/task), {ready} ready")
    for shape, p in paths.items():
        print(f"{shape}: {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
