/*!
Derived caches under `.git/coord/` (the task index, the claims): one file per (kind, branch),
written atomically, and never trusted blindly.

A cache file is a postcard header, then the cached value. The header names the kind, the
branch, the commit the value was built from and the *schema fingerprint* of the value's type;
a load returns `None` on any mismatch or decode error, and the caller rebuilds from the
branch. The fingerprint is derived, not hand-bumped: a hash of the type's name, of this
file, and of the source text of every file that defines the type or a type inside it (each
cached type lists them with `include_str!` in [`Cached::SOURCES`]). Any edit to one of those
files, a field added, renamed, reordered or retyped, changes it, so an old cache is simply
rebuilt. Limits: a contained type defined in a file the list forgets, or in a dependency (its
serde shape changing with a version bump), is not covered; the pinned-encoding tests of each
cached type (fixture bytes checked in) are the second guard. Edits that change no shape (a
comment) also change the fingerprint, which costs one rebuild.
*/

use std::io::Write;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Store;

/// A value kept in a derived cache.
pub trait Cached: Serialize + DeserializeOwned {
    /// The file name stem (`tasks`, `claims`).
    const KIND: &'static str;
    /// The source text (`include_str!`) of every file defining this type or a type in it.
    const SOURCES: &'static [&'static str];
}

/// What a cache file says about itself, read before the value is decoded.
#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    schema: u64,
    kind: String,
    branch: String,
    commit: String,
}

/// The schema fingerprint of `T` (FNV-1a, 64 bits; collisions only cost a failed decode,
/// which is also a miss).
pub fn fingerprint<T: Cached>() -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = [std::any::type_name::<T>(), include_str!("cache.rs")];
    for part in parts.iter().chain(T::SOURCES) {
        for &b in part.as_bytes().iter().chain(&[0xff]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

impl Store {
    /// The file of `kind` for this branch; the branch name is folded to a safe file name
    /// (the header keeps the real one, so two branches folding alike never share a value).
    fn cache_file(&self, kind: &str) -> std::path::PathBuf {
        let name: String = self
            .branch_short()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.cache_dir().join(format!("{kind}-{name}.bin"))
    }

    /// The cached `T` of this branch and the commit it was built from, whatever commit that
    /// is (for caches brought up to date incrementally); `None` when there is none or it does
    /// not match this type's schema.
    pub fn cache_load<T: Cached>(&self) -> Option<(String, T)> {
        self.cache_read::<T>(None)
    }

    /// The cached `T` of this branch built from `commit`, or `None`. The value is decoded
    /// only when the header matches.
    pub fn cache_load_at<T: Cached>(&self, commit: &str) -> Option<T> {
        self.cache_read::<T>(Some(commit)).map(|(_, value)| value)
    }

    fn cache_read<T: Cached>(&self, commit: Option<&str>) -> Option<(String, T)> {
        self.cache_open::<T>(commit)
            .map(|(commit, value, _)| (commit, value))
    }

    /// The cached `T` of this branch and the commit it was built from (only `commit`'s when
    /// given), with the reader of the bytes saved after it ([`Store::cache_save_with_tail`]).
    /// Only the header and the value are read; the tail is read on demand, range by range.
    pub fn cache_open<T: Cached>(&self, commit: Option<&str>) -> Option<(String, T, Tail)> {
        use std::os::unix::fs::FileExt;
        let file = std::fs::File::open(self.cache_file(T::KIND)).ok()?;
        // The header is a few dozen bytes (a branch name is shorter than 4 KB): one small read
        // finds it and the value's length.
        let mut head = vec![0u8; 4096];
        let n = read_at_most(&file, &mut head, 0).ok()?;
        head.truncate(n);
        let (header, rest) = postcard::take_from_bytes::<Header>(&head).ok()?;
        let fits = header.schema == fingerprint::<T>()
            && header.kind == T::KIND
            && header.branch == self.branch()
            && commit.is_none_or(|c| c == header.commit);
        if !fits {
            return None;
        }
        let len_bytes: [u8; 8] = rest.get(..8)?.try_into().ok()?;
        let len = usize::try_from(u64::from_le_bytes(len_bytes)).ok()?;
        let start = (head.len() - rest.len() + 8) as u64;
        let mut body = vec![0u8; len];
        file.read_exact_at(&mut body, start).ok()?;
        let value = postcard::from_bytes::<T>(&body).ok()?;
        let base = start + len as u64;
        Some((
            header.commit,
            value,
            Tail {
                source: Source::File { file, base },
            },
        ))
    }

    /// Saves `value`, built from `commit`, through a temporary file and a rename, so that a
    /// concurrent reader sees the old file or the new one, never half of one. A cache that
    /// cannot be written only costs speed: failures are ignored.
    pub fn cache_save<T: Cached>(&self, commit: &str, value: &T) {
        self.cache_save_with_tail(commit, value, &[]);
    }

    /// [`Store::cache_save`], followed by `tail`: bytes the value indexes into (offsets from
    /// the tail's start), which readers fetch range by range through [`Tail::read`] rather
    /// than decoding them all.
    pub fn cache_save_with_tail<T: Cached>(&self, commit: &str, value: &T, tail: &[u8]) {
        let header = Header {
            schema: fingerprint::<T>(),
            kind: T::KIND.to_owned(),
            branch: self.branch().to_owned(),
            commit: commit.to_owned(),
        };
        let Ok(head) = postcard::to_stdvec(&header) else {
            return;
        };
        let Ok(body) = postcard::to_stdvec(value) else {
            return;
        };
        let file = self.cache_file(T::KIND);
        let dir = self.cache_dir();
        if std::fs::create_dir_all(&dir).is_err() {
            return;
        }
        let tmp = dir.join(format!(
            ".{}-{}-{:x}.tmp",
            T::KIND,
            std::process::id(),
            fastrand::u64(..)
        ));
        // Written part by part: the tail can be tens of megabytes, not worth a copy.
        let written = std::fs::File::create(&tmp).and_then(|f| {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, f);
            out.write_all(&head)?;
            out.write_all(&(body.len() as u64).to_le_bytes())?;
            out.write_all(&body)?;
            out.write_all(tail)?;
            out.flush()
        });
        if written.is_err() || std::fs::rename(&tmp, &file).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// The bytes saved after a cached value, read range by range from the file that was opened
/// with the value (a rename replacing the file later does not change what this reads).
pub struct Tail {
    source: Source,
}

enum Source {
    File { file: std::fs::File, base: u64 },
    Memory(Vec<u8>),
}

impl Tail {
    /// A tail held in memory (when the cache file could not be written).
    pub fn from_bytes(bytes: Vec<u8>) -> Tail {
        Tail {
            source: Source::Memory(bytes),
        }
    }

    /// The `len` bytes at `offset` from the tail's start.
    pub fn read(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        match &self.source {
            Source::File { file, base } => {
                let mut buf = vec![0u8; len];
                file.read_exact_at(&mut buf, base + offset)?;
                Ok(buf)
            }
            Source::Memory(bytes) => usize::try_from(offset)
                .ok()
                .and_then(|start| bytes.get(start..start.checked_add(len)?))
                .map(<[u8]>::to_vec)
                .ok_or_else(|| std::io::ErrorKind::UnexpectedEof.into()),
        }
    }

    /// Every byte of the tail.
    pub fn read_all(&self) -> std::io::Result<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        match &self.source {
            Source::File { file, base } => {
                let mut file = file;
                file.seek(SeekFrom::Start(*base))?;
                let mut buf = Vec::new();
                file.read_to_end(&mut buf)?;
                Ok(buf)
            }
            Source::Memory(bytes) => Ok(bytes.clone()),
        }
    }
}

/// Reads what there is up to `buf.len()` bytes at `offset` (a short file is not an error).
fn read_at_most(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    use std::os::unix::fs::FileExt;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], offset + filled as u64)? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::{Cached, fingerprint};
    use crate::store::{Author, Edit, Store};

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct A {
        n: u32,
    }
    impl Cached for A {
        const KIND: &'static str = "a";
        const SOURCES: &'static [&'static str] = &["struct A { n: u32 }"];
    }
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct B {
        n: u32,
    }
    impl Cached for B {
        // Same kind and same encoding as A, but another shape by its sources.
        const KIND: &'static str = "a";
        const SOURCES: &'static [&'static str] = &["struct B { n: u32, m: u32 }"];
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = Store::init_repository(dir.path()).expect("init");
        let author = Author {
            name: "t".to_owned(),
            email: "t@example.com".to_owned(),
            time: 0,
        };
        store
            .create_branch(&author, "init", &[Edit::write("x", "1")])
            .expect("branch");
        (dir, store)
    }

    #[test]
    fn a_cache_is_read_back_only_for_its_commit_kind_and_schema() {
        let (_dir, store) = store();
        assert_eq!(store.cache_load::<A>(), None);
        store.cache_save("c1", &A { n: 7 });
        assert_eq!(store.cache_load::<A>(), Some(("c1".to_owned(), A { n: 7 })));
        assert_eq!(store.cache_load_at::<A>("c1"), Some(A { n: 7 }));
        assert_eq!(store.cache_load_at::<A>("c2"), None);
        // Another schema under the same kind decodes nothing, though the bytes would.
        assert_ne!(fingerprint::<A>(), fingerprint::<B>());
        assert_eq!(store.cache_load::<B>(), None);
        // A corrupt file is a miss, never an error.
        let file = store.cache_dir().join("a-coord.bin");
        std::fs::write(&file, b"\xff\xff\xff").expect("write");
        assert_eq!(store.cache_load::<A>(), None);
    }
}
