/*!
The staged change (`check --staged`, the pre-commit hook): which paths of the index differ
from `HEAD`, read at git's own speed.

Decoding a 100,000-entry index into entries (what gix's `index::File` does) allocates and
copies every path and costs more than the whole of `git diff --cached`. Only the directories
the index's cache-tree (the `TREE` extension) no longer vouches for can hold a staged change,
so this reads the index file twice, streaming, without keeping it: the first pass walks the
entries only to note where each directory's run of entries starts and to reach the
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
        // The second pass reads runs here and there: in small reads.
        reader.chunk = SMALL_READ;
        for run in &index.runs {
            let dir = &index.names[run.dir.clone()];
            if !dir.is_empty() && covering(&clean, dir).is_some() {
                continue;
            }
            if !second_pass(&mut reader, &index, run, &clean, &mut staged) {
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
    /// Consecutive entries in one directory, in index order.
    runs: Vec<Run>,
    /// The bytes `Run::dir` and `Run::prev` point into.
    names: Vec<u8>,
    /// The `TREE` extension; `None` when the index has none.
    cache: Option<gix::index::extension::Tree>,
}

/// A run of consecutive index entries in one directory (not below it).
struct Run {
    /// The directory with its trailing `/` (empty at the root), in `Index::names`.
    dir: Range<usize>,
    /// The path of the entry before the run (version 4 encodes each path against the one
    /// before; empty for the other versions), in `Index::names`.
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

/// One entry as parsed, at the start of the reader's window until it is consumed.
struct Entry {
    /// Its path in the window (versions 2 and 3; version 4 builds it in the caller's buffer).
    path: Range<usize>,
    mode: u32,
    /// Only an intent to add (`git add -N`).
    intent_to_add: bool,
    /// Its size on disk.
    len: usize,
}

/// Parses the entry at the reader's position; for version 4, builds its path in `path`, which
/// holds the previous entry's on entry. `None` on anything malformed or unsupported.
fn entry(reader: &mut Reader, version: u32, hash_len: usize, path: &mut Vec<u8>) -> Option<Entry> {
    let available = reader.ensure(FIXED_MAX + NAME_MASK as usize + 8).ok()?;
    let fixed = STAT + hash_len + 2;
    // Every entry ends in at least two more bytes (a NUL and padding, or a version 4
    // strip length and a NUL), and the file in a checksum.
    if available < fixed + 2 {
        return None;
    }
    let b = reader.bytes();
    let mode = u32::from_be_bytes(b[MODE_AT..MODE_AT + 4].try_into().ok()?);
    if mode & MODE_TYPE == MODE_DIR {
        return None;
    }
    let flags = u16::from_be_bytes(b[STAT + hash_len..fixed].try_into().ok()?);
    let mut at = fixed;
    let mut intent_to_add = false;
    if flags & FLAG_EXTENDED != 0 {
        if version < 3 {
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
        path.extend_from_slice(&reader.bytes()[at..end]);
        return Some(Entry {
            path: 0..0,
            mode,
            intent_to_add,
            len: end + 1,
        });
    }
    let name_len = usize::from(flags & NAME_MASK);
    let end = if name_len < NAME_MASK as usize {
        let end = at + name_len;
        // At least one NUL pads every path.
        if b.get(end) != Some(&0) {
            return None;
        }
        end
    } else {
        reader.find_nul(at)?
    };
    // Versions 2 and 3 pad each entry with 1 to 8 NULs to a multiple of 8 bytes.
    let len = (end + 8) & !7;
    if reader.ensure(len).ok()? < len {
        return None;
    }
    Some(Entry {
        path: at..end,
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

/// Whether `path` is a file directly in `dir` (`dir/`, or empty for the root). Called for
/// every entry of the index, so it reads eight bytes at a time, in line, without a branch
/// per byte: a byte loop and `memcmp` calls cost as much as reading the file.
fn directly_in(path: &[u8], dir: &[u8]) -> bool {
    let n = dir.len();
    if path.len() <= n {
        return false;
    }
    // The directory part; the last word overlaps the one before it.
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            if word(path, i) != word(dir, i) {
                return false;
            }
            i += 8;
        }
        if word(path, n - 8) != word(dir, n - 8) {
            return false;
        }
    } else if !path[..n].iter().zip(dir).all(|(a, b)| a == b) {
        return false;
    }
    // No `/` in the name, read backwards from its end a word at a time; the first word
    // read may reach into the directory part, whose bytes are masked out.
    if path.len() < 8 {
        return !path[n..].contains(&b'/');
    }
    let mut end = path.len();
    let mut left = path.len() - n;
    loop {
        let take = left.min(8);
        let mask = HIGHS << (8 * (8 - take));
        if zero_bytes(word(path, end - 8) ^ SLASHES) & mask != 0 {
            return false;
        }
        if left <= 8 {
            return true;
        }
        left -= 8;
        end -= 8;
        if end < 8 {
            return !path[n..end].contains(&b'/');
        }
    }
}

const HIGHS: u64 = 0x8080_8080_8080_8080;
const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const SLASHES: u64 = 0x2f2f_2f2f_2f2f_2f2f;

/// The eight bytes of `bytes` at `at` as a little-endian word (0 past the end, which callers
/// never ask for).
#[inline]
fn word(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..at + 8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map_or(0, u64::from_le_bytes)
}

/// The high bit of each byte of `v` that is zero (exact, with no carry between bytes: Hacker's
/// Delight 6-1).
#[inline]
fn zero_bytes(v: u64) -> u64 {
    !(((v & LOWS).wrapping_add(LOWS)) | v | LOWS)
}

/// Walks every entry from the start of the file, noting where each directory's run of
/// entries starts, then reads the extensions. `None` for what is left to gix.
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
    let entries = u32::from_be_bytes(b[8..12].try_into().ok()?);
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
    // Version 4 only: the path of the entry just read, and of the one before.
    let mut path: Vec<u8> = Vec::new();
    let mut prev: Vec<u8> = Vec::new();
    // The current run's directory, `dir/`.
    let mut dir: Vec<u8> = Vec::new();
    for _ in 0..entries {
        let offset = reader.offset();
        if version == 4 {
            prev.clear();
            prev.extend_from_slice(&path);
        }
        let e = entry(reader, version, hash_len, &mut path)?;
        let this = if version == 4 {
            &path[..]
        } else {
            &reader.bytes()[e.path.clone()]
        };
        match index.runs.last_mut() {
            Some(run) if directly_in(this, &dir) => run.entries += 1,
            _ => {
                dir.clear();
                if let Some(slash) = this.rfind_byte(b'/') {
                    dir.extend_from_slice(&this[..=slash]);
                }
                let start = index.names.len();
                index.names.extend_from_slice(&dir);
                let dir_at = start..index.names.len();
                index.names.extend_from_slice(&prev);
                index.runs.push(Run {
                    dir: dir_at.clone(),
                    prev: dir_at.end..index.names.len(),
                    offset,
                    entries: 1,
                });
            }
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

/// Reads the entries of `run` outside the clean directories into `out`. False on anything
/// malformed.
fn second_pass(
    reader: &mut Reader,
    index: &Index,
    run: &Run,
    clean: &[Vec<u8>],
    out: &mut Vec<FileEntry>,
) -> bool {
    if reader.offset() != run.offset && reader.seek(run.offset).is_err() {
        return false;
    }
    let mut path = index.names[run.prev.clone()].to_vec();
    for _ in 0..run.entries {
        let Some(e) = entry(reader, index.version, index.hash_len, &mut path) else {
            return false;
        };
        let b = reader.bytes();
        let this = if index.version == 4 {
            &path[..]
        } else {
            &b[e.path.clone()]
        };
        // `git diff --cached` leaves an intent to add out, and so does the next commit. A
        // run's entries are all in one directory, so none is in a clean one: checked anyway,
        // as HEAD's side leaves the clean directories out.
        if !e.intent_to_add && covering(clean, this).is_none() {
            let Ok(id) = ObjectId::try_from(&b[STAT..STAT + index.hash_len]) else {
                return false;
            };
            out.push((this.to_vec(), id, e.mode));
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
    /// How much one read asks for at least: the whole window while walking the file, less
    /// when jumping from run to run.
    chunk: usize,
}

/// The window's usual size.
const WINDOW: usize = 256 * 1024;
/// What the second pass reads at a time.
const SMALL_READ: usize = 16 * 1024;

impl Reader {
    fn new(file: File) -> Reader {
        Reader {
            file,
            buf: vec![0; WINDOW],
            start: 0,
            end: 0,
            read_to: 0,
            chunk: WINDOW,
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
    #[inline]
    fn ensure(&mut self, n: usize) -> std::io::Result<usize> {
        if self.end - self.start >= n {
            return Ok(self.end - self.start);
        }
        self.refill(n)
    }

    fn refill(&mut self, n: usize) -> std::io::Result<usize> {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.buf.len() < n {
            self.buf.resize(n.max(WINDOW), 0);
        }
        while self.end < n {
            let want = (n - self.end).max(self.chunk);
            let to = self.buf.len().min(self.end + want);
            let got = self.file.read(&mut self.buf[self.end..to])?;
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
    use super::{Scan, directly_in, varint};
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

    /// `git diff --cached --name-only -z`, as strings.
    fn git_says(dir: &Path) -> Vec<String> {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args(["diff", "--cached", "--name-only", "--no-renames", "-z"])
            .output()
            .expect("run git diff");
        let mut paths: Vec<String> = out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        paths.sort();
        paths
    }

    /// The streaming reader, gix's decoding and git agree on each index version, through
    /// rounds of random changes to a tree of a few hundred files (blocks of entries start
    /// inside, at the edge of and across changed directories); the reader leaves a split
    /// index to gix.
    #[test]
    fn the_streaming_reader_agrees_with_gix_and_git() {
        let mut rng = fastrand::Rng::with_seed(16);
        for (setup, streams) in [
            (&["update-index", "--index-version", "2"][..], true),
            (&["update-index", "--skip-worktree", "a/1.txt"][..], true),
            (&["update-index", "--index-version", "4"][..], true),
            (&["update-index", "--split-index"][..], false),
        ] {
            let tmp = tempfile::tempdir().expect("temp dir");
            let dir = tmp.path();
            git(dir, &["init", "-q", "-b", "main"]);
            let mut files = vec!["top.txt".to_owned(), "a/1.txt".to_owned()];
            for d in 0..40 {
                let n = rng.usize(1..9);
                files.extend((0..n).map(|f| format!("m{d:02}/{f}.txt")));
                if d % 7 == 0 {
                    files.push(format!("m{d:02}/deep/x.txt"));
                }
            }
            for f in &files {
                write(dir, f, "v1\n");
            }
            git(dir, &["add", "-A"]);
            git(dir, &["commit", "-q", "-m", "files"]);
            git(dir, setup);
            assert_eq!(both_ways(dir), (streams, Vec::new()), "{setup:?}");
            for round in 0..4 {
                for _ in 0..rng.usize(1..6) {
                    let f = &files[rng.usize(..files.len())];
                    match rng.u8(..3) {
                        0 => write(dir, f, &format!("v{round}\n")),
                        1 => write(dir, &format!("{f}.new{round}"), "new\n"),
                        _ => {
                            let _ = std::fs::remove_file(dir.join(f));
                        }
                    }
                }
                git(dir, &["add", "-A", "--", ".", ":!a/1.txt"]);
                let (streamed, paths) = both_ways(dir);
                assert_eq!(streamed, streams, "{setup:?}");
                assert_eq!(paths, git_says(dir), "{setup:?} round {round}");
                if round == 2 {
                    git(dir, &["commit", "-q", "-m", "round"]);
                    assert_eq!(both_ways(dir), (streams, Vec::new()), "{setup:?}");
                }
            }
        }
    }

    #[test]
    fn a_file_directly_in_a_directory() {
        assert!(directly_in(b"top.txt", b""));
        assert!(!directly_in(b"a/top.txt", b""));
        assert!(directly_in(b"src/lib.rs", b"src/"));
        assert!(!directly_in(b"src/ops/mod.rs", b"src/"));
        assert!(!directly_in(b"srd/lib.rs", b"src/"));
        assert!(!directly_in(b"src", b"src/"));
        // Against the obvious definition, for every length around the word size and bytes
        // near a slash (`.` and `0` differ from it in one bit), directories sharing the
        // path's prefix or not.
        let naive = |path: &[u8], dir: &[u8]| {
            path.len() > dir.len() && path.starts_with(dir) && !path[dir.len()..].contains(&b'/')
        };
        let mut rng = fastrand::Rng::with_seed(7);
        let alphabet = [b'a', b'/', b'.', b'0', 0xaf, 0xff, 0x00];
        for _ in 0..200_000 {
            let path: Vec<u8> = (0..rng.usize(0..40))
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            let dir: Vec<u8> = if rng.bool() && !path.is_empty() {
                let mut d = path[..rng.usize(..path.len())].to_vec();
                d.push(b'/');
                d
            } else {
                (0..rng.usize(0..20))
                    .map(|_| alphabet[rng.usize(..3)])
                    .chain([b'/'])
                    .collect()
            };
            let dir = if rng.u8(..8) == 0 { Vec::new() } else { dir };
            assert_eq!(
                directly_in(&path, &dir),
                naive(&path, &dir),
                "{path:?} in {dir:?}"
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
