/*!
The staged change (`check --staged`, the pre-commit hook): which paths of the index differ
from `HEAD`, read at git's own speed.

Decoding a 100,000-entry index into entries (what gix's `index::File` does) allocates and
copies every path and costs more than the whole of `git diff --cached`. Only the directories
the index's cache-tree (the `TREE` extension) no longer vouches for can hold a staged change,
so this reads the index file twice, streaming, without keeping it: the first pass walks the
entries only to remember where each directory's run of entries starts and to reach the
extensions; the second reads back just the runs of the directories that changed. `HEAD` is
walked once, below the changed directories only.

The reader handles index versions 2, 3 and 4 (path-compressed). Anything it does not know
(a split index's `link`, a sparse index's directory entries, an unknown version, a malformed
file) answers [`Scan::Unsupported`], and the caller decodes the index with gix instead, which
reports a real error properly.
*/

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::{Context, Result, Store};

/// A file in the index or a tree: its path, object and mode.
pub(super) type FileEntry = (Vec<u8>, ObjectId, u32);

/// What the streaming reader made of the index.
pub(super) enum Scan {
    /// The entries that may differ from `HEAD`: the index's, in index order, and `HEAD`'s
    /// files, both outside the directories the cache-tree vouches for.
    Read {
        staged: Vec<FileEntry>,
        head: Vec<FileEntry>,
    },
    /// Left to gix (see the module doc).
    Unsupported,
}

impl Store {
    /// Paths whose staged content differs from `HEAD` (added, modified, deleted or with a
    /// changed mode), sorted: what `git diff --cached --name-only` lists, for `check --staged`.
    pub fn staged_paths(&self) -> Result<Vec<String>> {
        let path = self.repo.index_path();
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(super::Error::Io {
                    action: format!("read the index {}", path.display()),
                    source: e,
                });
            }
        };
        let (staged, head) = match self.scan_index(file)? {
            Scan::Read { staged, head } => (staged, head),
            Scan::Unsupported => return self.staged_paths_decoded(),
        };
        Ok(differing(&staged, &head))
    }

    /// The streaming read of the module doc: `Unsupported` for what it leaves to gix; an
    /// error only for a failing `HEAD` tree read.
    fn scan_index(&self, file: File) -> Result<Scan> {
        let Ok(len) = file.metadata().map(|m| m.len()) else {
            return Ok(Scan::Unsupported);
        };
        let mut reader = Reader::new(file);
        let Some(index) = first_pass(&mut reader, len, self.repo.object_hash()) else {
            return Ok(Scan::Unsupported);
        };
        let head_tree = self.head_tree_id();
        let mut clean: Vec<Vec<u8>> = Vec::new();
        let mut head: Vec<FileEntry> = Vec::new();
        if let Some(tree) = head_tree {
            self.head_outside_clean(
                index.cache.as_ref(),
                tree,
                &mut Vec::new(),
                &mut clean,
                &mut head,
            )?;
        }
        clean.sort();
        if clean.first().is_some_and(Vec::is_empty) {
            // The whole index is HEAD's tree: nothing is staged.
            return Ok(Scan::Read {
                staged: Vec::new(),
                head: Vec::new(),
            });
        }
        let mut staged: Vec<FileEntry> = Vec::new();
        let mut dir = Vec::new();
        for run in &index.runs {
            dir.clear();
            dir.extend_from_slice(&index.names[run.dir.clone()]);
            if !dir.is_empty() {
                dir.push(b'/');
            }
            if !dir.is_empty() && covering(&clean, &dir).is_some() {
                continue;
            }
            let prev = index.names[run.prev.clone()].to_vec();
            if !second_pass(&mut reader, &index, run, prev, &mut staged) {
                return Ok(Scan::Unsupported);
            }
        }
        Ok(Scan::Read { staged, head })
    }

    /// Walks `tree` (at `prefix`) against the cache-tree node `cache`: a directory whose node
    /// is valid and names the same tree is clean (pushed as `dir/`, or `""` for the root) and
    /// not read; the files of every other directory are collected, in git's path order.
    pub(super) fn head_outside_clean(
        &self,
        cache: Option<&gix::index::extension::Tree>,
        tree: ObjectId,
        prefix: &mut Vec<u8>,
        clean: &mut Vec<Vec<u8>>,
        out: &mut Vec<FileEntry>,
    ) -> Result<()> {
        if let Some(cache) = cache
            && cache.num_entries.is_some()
            && cache.id == tree
        {
            clean.push(prefix.clone());
            return Ok(());
        }
        let t = self
            .repo
            .find_tree(tree)
            .context(|| format!("read tree {tree}"))?;
        let decoded = t.decode().context(|| format!("decode tree {tree}"))?;
        let at = prefix.len();
        for e in &decoded.entries {
            prefix.truncate(at);
            prefix.extend_from_slice(e.filename);
            if e.mode.is_tree() {
                // gix sorts a node's children by name.
                let child = cache.and_then(|c| {
                    c.children
                        .binary_search_by(|k| k.name.as_slice().cmp(e.filename.as_bytes()))
                        .ok()
                        .map(|i| &c.children[i])
                });
                prefix.push(b'/');
                self.head_outside_clean(child, e.oid.to_owned(), prefix, clean, out)?;
            } else {
                out.push((prefix.clone(), e.oid.to_owned(), e.mode.value() as u32));
            }
        }
        prefix.truncate(at);
        Ok(())
    }
}

/// The paths where the two sorted lists differ (in one only, or with another object or mode),
/// sorted and each once.
pub(super) fn differing(staged: &[FileEntry], head: &[FileEntry]) -> Vec<String> {
    let (mut i, mut j) = (0, 0);
    let mut out: Vec<String> = Vec::new();
    let mut push = |p: &[u8]| {
        let p = p.to_str_lossy();
        if out.last().map(String::as_str) != Some(&*p) {
            out.push(p.into_owned());
        }
    };
    loop {
        match (staged.get(i), head.get(j)) {
            (Some(a), Some(b)) if a.0 == b.0 => {
                if a.1 != b.1 || a.2 != b.2 {
                    push(&a.0);
                }
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a.0 < b.0 => {
                push(&a.0);
                i += 1;
            }
            (Some(_), Some(b)) | (None, Some(b)) => {
                push(&b.0);
                j += 1;
            }
            (Some(a), None) => {
                push(&a.0);
                i += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// The clean directory prefix (`dir/`) that covers `path`, if any. `clean` is sorted, and
/// prefixes never nest (a clean directory's subdirectories are not listed).
pub(super) fn covering<'a>(clean: &'a [Vec<u8>], path: &[u8]) -> Option<&'a Vec<u8>> {
    let idx = clean.partition_point(|c| c.as_slice() <= path);
    idx.checked_sub(1)
        .map(|i| &clean[i])
        .filter(|c| path.starts_with(c))
}

/// What the first pass learnt about the index.
struct Index {
    version: u32,
    hash_len: usize,
    /// Consecutive entries with the same directory, in index order.
    runs: Vec<Run>,
    /// The bytes `Run::dir` and `Run::prev` point into.
    names: Vec<u8>,
    /// The `TREE` extension; `None` when the index has none.
    cache: Option<gix::index::extension::Tree>,
}

/// A run of consecutive index entries in one directory.
struct Run {
    /// The directory (no trailing `/`; empty at the root), in `Index::names`.
    dir: Range<usize>,
    /// The full path of the entry before the run (version 4 encodes paths against it), in
    /// `Index::names`; empty for the other versions.
    prev: Range<usize>,
    /// Where its first entry starts in the file.
    offset: u64,
    entries: u32,
}

/// The signature, versions and fixed sizes of the on-disk index (git's
/// `Documentation/gitformat-index.txt`).
const SIGNATURE: &[u8; 4] = b"DIRC";
const HEADER: usize = 12;
/// ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4 bytes each).
const STAT: usize = 40;
/// Where the mode is in an entry.
const MODE_AT: usize = 24;
const FLAG_EXTENDED: u16 = 0x4000;
/// In the extended flags: `git add -N`, an entry the next commit leaves out.
const FLAG_INTENT_TO_ADD: u16 = 0x2000;
const NAME_MASK: u16 = 0x0fff;
/// A sparse index's directory entry (`S_IFDIR`).
const MODE_DIR: u32 = 0o040000;
const MODE_TYPE: u32 = 0o170000;
/// The most an entry's fixed part takes (stat, the longest hash, flags, extended flags),
/// plus room for a version 4 path-strip length.
const FIXED_MAX: usize = STAT + 32 + 4 + 10;

/// One entry as read (its path is built in the caller's buffer): object, mode, whether it is
/// only an intent to add, and its size on disk.
struct Entry {
    id: ObjectId,
    mode: u32,
    intent_to_add: bool,
    len: usize,
}

/// Parses the entry at the reader's position into `path` (a version 4 path is built on the
/// previous one, which `path` holds on entry). `None` on anything malformed or unsupported.
fn entry(reader: &mut Reader, version: u32, hash_len: usize, path: &mut Vec<u8>) -> Option<Entry> {
    let available = reader.ensure(FIXED_MAX + NAME_MASK as usize + 8).ok()?;
    let fixed = STAT + hash_len + 2;
    if available < fixed {
        return None;
    }
    let b = reader.bytes();
    let mode = u32::from_be_bytes(b[MODE_AT..MODE_AT + 4].try_into().ok()?);
    if mode & MODE_TYPE == MODE_DIR {
        return None;
    }
    let id = ObjectId::try_from(&b[STAT..STAT + hash_len]).ok()?;
    let flags = u16::from_be_bytes(b[STAT + hash_len..fixed].try_into().ok()?);
    let mut at = fixed;
    let mut intent_to_add = false;
    if flags & FLAG_EXTENDED != 0 {
        if version < 3 || available < at + 2 {
            return None;
        }
        let extended = u16::from_be_bytes(b[at..at + 2].try_into().ok()?);
        intent_to_add = extended & FLAG_INTENT_TO_ADD != 0;
        at += 2;
    }
    if version == 4 {
        let (strip, used) = varint(b.get(at..)?)?;
        at += used;
        let keep = path.len().checked_sub(usize::try_from(strip).ok()?)?;
        path.truncate(keep);
        let end = reader.find_nul(at)?;
        let b = reader.bytes();
        path.extend_from_slice(&b[at..end]);
        return Some(Entry {
            id,
            mode,
            intent_to_add,
            len: end + 1,
        });
    }
    let name_len = usize::from(flags & NAME_MASK);
    let end = if name_len < NAME_MASK as usize {
        let end = at + name_len;
        // At least one NUL pads every path.
        if reader.bytes().get(end) != Some(&0) {
            return None;
        }
        end
    } else {
        reader.find_nul(at)?
    };
    path.clear();
    path.extend_from_slice(&reader.bytes()[at..end]);
    // Versions 2 and 3 pad each entry with 1 to 8 NULs to a multiple of 8 bytes.
    let len = (end + 8) & !7;
    if reader.ensure(len).ok()? < len {
        return None;
    }
    Some(Entry {
        id,
        mode,
        intent_to_add,
        len,
    })
}

/// git's variable-length integer (`varint.c`): 7 bits a byte, most significant first, each
/// continuation adding one. The value and the bytes it took.
fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut i = 0;
    let mut c = *b.first()?;
    let mut value = u64::from(c & 0x7f);
    while c & 0x80 != 0 {
        i += 1;
        c = *b.get(i)?;
        value = value
            .checked_add(1)?
            .checked_mul(128)?
            .checked_add(u64::from(c & 0x7f))?;
    }
    Some((value, i + 1))
}

/// Walks every entry from the start of the file, noting each directory run, then reads the
/// extensions. `None` for what is left to gix.
fn first_pass(reader: &mut Reader, len: u64, kind: gix::hash::Kind) -> Option<Index> {
    let hash_len = kind.len_in_bytes();
    if reader.ensure(HEADER).ok()? < HEADER {
        return None;
    }
    let b = reader.bytes();
    if &b[..4] != SIGNATURE {
        return None;
    }
    let version = u32::from_be_bytes(b[4..8].try_into().ok()?);
    let count = u32::from_be_bytes(b[8..12].try_into().ok()?);
    if !(2..=4).contains(&version) {
        return None;
    }
    reader.consume(HEADER);
    let mut index = Index {
        version,
        hash_len,
        runs: Vec::new(),
        names: Vec::new(),
        cache: None,
    };
    let mut path: Vec<u8> = Vec::new();
    let mut prev: Vec<u8> = Vec::new();
    for _ in 0..count {
        let offset = reader.offset();
        if version == 4 {
            prev.clear();
            prev.extend_from_slice(&path);
        }
        let e = entry(reader, version, hash_len, &mut path)?;
        let dir = match path.rfind_byte(b'/') {
            Some(i) => &path[..i],
            None => &[][..],
        };
        let same = index
            .runs
            .last()
            .is_some_and(|r| &index.names[r.dir.clone()] == dir);
        if same {
            if let Some(r) = index.runs.last_mut() {
                r.entries += 1;
            }
        } else {
            let start = index.names.len();
            index.names.extend_from_slice(dir);
            let dir = start..index.names.len();
            index.names.extend_from_slice(&prev);
            let prev = dir.end..index.names.len();
            index.runs.push(Run {
                dir,
                prev,
                offset,
                entries: 1,
            });
        }
        reader.consume(e.len);
    }
    // The extensions, up to the trailing checksum.
    let end = len.checked_sub(hash_len as u64)?;
    while reader.offset() < end {
        if end - reader.offset() < 8 || reader.ensure(8).ok()? < 8 {
            return None;
        }
        let b = reader.bytes();
        let signature: [u8; 4] = b[..4].try_into().ok()?;
        let size = u32::from_be_bytes(b[4..8].try_into().ok()?);
        reader.consume(8);
        if reader.offset() + u64::from(size) > end {
            return None;
        }
        match &signature {
            // A split index keeps entries in another file; a sparse one, directories; and an
            // extension whose name does not start with a capital letter must be understood
            // (gitformat-index), so gix, which knows more of them, has the last word.
            b"link" | b"sdir" => return None,
            s if !s[0].is_ascii_uppercase() => return None,
            b"TREE" => {
                let size = usize::try_from(size).ok()?;
                if reader.ensure(size).ok()? < size {
                    return None;
                }
                index.cache = Some(gix::index::extension::tree::decode(
                    &reader.bytes()[..size],
                    kind,
                    None,
                )?);
                reader.consume(size);
            }
            _ => reader.seek(reader.offset() + u64::from(size)).ok()?,
        }
    }
    Some(index)
}

/// Reads the entries of `run` into `out`. False on anything malformed.
fn second_pass(
    reader: &mut Reader,
    index: &Index,
    run: &Run,
    mut path: Vec<u8>,
    out: &mut Vec<FileEntry>,
) -> bool {
    if reader.offset() != run.offset && reader.seek(run.offset).is_err() {
        return false;
    }
    for _ in 0..run.entries {
        let Some(e) = entry(reader, index.version, index.hash_len, &mut path) else {
            return false;
        };
        // `git diff --cached` leaves an intent to add out, and so does the next commit.
        if !e.intent_to_add {
            out.push((path.clone(), e.id, e.mode));
        }
        reader.consume(e.len);
    }
    true
}

/// A forward reader over the index file with a window of bytes from its position: reading
/// into a reused buffer costs about what mapping the file does, where reading it whole into
/// fresh memory costs several times more (page faults).
struct Reader {
    file: File,
    buf: Vec<u8>,
    /// The window: `buf[start..end]` holds the file from `offset()` on.
    start: usize,
    end: usize,
    /// The file offset of `buf[end]` (how far the file was read).
    read_to: u64,
}

/// The window's usual size.
const WINDOW: usize = 256 * 1024;

impl Reader {
    fn new(file: File) -> Reader {
        Reader {
            file,
            buf: vec![0; WINDOW],
            start: 0,
            end: 0,
            read_to: 0,
        }
    }

    /// The file offset of the window's first byte.
    fn offset(&self) -> u64 {
        self.read_to - (self.end - self.start) as u64
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }

    /// Makes at least `n` bytes available unless the file ends first; the bytes available.
    fn ensure(&mut self, n: usize) -> std::io::Result<usize> {
        if self.end - self.start >= n {
            return Ok(self.end - self.start);
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.buf.len() < n {
            self.buf.resize(n.max(WINDOW), 0);
        }
        while self.end < n {
            let got = self.file.read(&mut self.buf[self.end..])?;
            if got == 0 {
                break;
            }
            self.end += got;
            self.read_to += got as u64;
        }
        Ok(self.end)
    }

    /// The window index of the first NUL at or after window index `from`, reading on as needed.
    fn find_nul(&mut self, from: usize) -> Option<usize> {
        let mut searched = from;
        loop {
            if let Some(i) = self.bytes().get(searched..)?.find_byte(0) {
                return Some(searched + i);
            }
            searched = self.end - self.start;
            let available = self.ensure(searched + WINDOW).ok()?;
            if available == searched {
                return None;
            }
        }
    }

    fn seek(&mut self, to: u64) -> std::io::Result<()> {
        // Within the window: move in it.
        if to >= self.offset() && to <= self.read_to {
            self.start += (to - self.offset()) as usize;
            return Ok(());
        }
        self.file.seek(SeekFrom::Start(to))?;
        self.start = 0;
        self.end = 0;
        self.read_to = to;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Scan, varint};
    use crate::store::Store;
    use std::path::Path;

    fn git(dir: &Path, args: &[&str]) {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    /// Whether the streaming reader read the index (rather than leaving it to gix), and the
    /// staged paths both ways, which must agree.
    fn both_ways(dir: &Path) -> (bool, Vec<String>) {
        let store = Store::discover(dir).expect("open");
        let file = std::fs::File::open(dir.join(".git/index")).expect("the index");
        let streamed = matches!(store.scan_index(file).expect("scan"), Scan::Read { .. });
        let fast = store.staged_paths().expect("staged paths");
        let decoded = store.staged_paths_decoded().expect("decoded");
        assert_eq!(fast, decoded);
        (streamed, fast)
    }

    /// The streaming reader and gix's decoding agree on each index version, and the reader
    /// leaves a split index to gix (the integration tests compare both with git itself).
    #[test]
    fn the_streaming_reader_agrees_with_gix() {
        for (setup, streams) in [
            (&["update-index", "--index-version", "2"][..], true),
            (&["update-index", "--skip-worktree", "a/1.txt"][..], true),
            (&["update-index", "--index-version", "4"][..], true),
            (&["update-index", "--split-index"][..], false),
        ] {
            let tmp = tempfile::tempdir().expect("temp dir");
            let dir = tmp.path();
            git(dir, &["init", "-q", "-b", "main"]);
            for d in ["a", "a/b", "c", "d"] {
                for f in 0..3 {
                    write(dir, &format!("{d}/{f}.txt"), "v1\n");
                }
            }
            write(dir, "top.txt", "v1\n");
            git(dir, &["add", "-A"]);
            git(dir, &["commit", "-q", "-m", "files"]);
            git(dir, setup);
            assert_eq!(both_ways(dir), (streams, Vec::new()), "{setup:?}");
            write(dir, "a/b/2.txt", "v2\n");
            write(dir, "c/new.txt", "v1\n");
            git(dir, &["add", "a", "c"]);
            git(dir, &["rm", "-q", "-r", "d"]);
            let want = ["a/b/2.txt", "c/new.txt", "d/0.txt", "d/1.txt", "d/2.txt"];
            assert_eq!(
                both_ways(dir),
                (streams, want.map(String::from).to_vec()),
                "{setup:?}"
            );
        }
    }

    #[test]
    fn varints_as_git_writes_them() {
        // git's varint.c: 0 → 00, 127 → 7f, 128 → 80 00, 16511 → ff 7f, 16512 → 80 80 00.
        assert_eq!(varint(&[0x00]), Some((0, 1)));
        assert_eq!(varint(&[0x7f]), Some((127, 1)));
        assert_eq!(varint(&[0x80, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0xff, 0x7f]), Some((16511, 2)));
        assert_eq!(varint(&[0x80, 0x80, 0x00]), Some((16512, 3)));
        assert_eq!(varint(&[0x80]), None);
        assert_eq!(varint(&[0xff; 12]), None);
    }
}
