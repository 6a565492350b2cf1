/*!
Writing many objects as one pack, as `git fast-import` and `git index-pack` do: a bulk write
(an import of 100,000 tasks) put 100,000 loose objects in the object database, one file, one
directory lookup and one `rename()` each, and every later cold read opened them one by one.

[`PackWriter`] streams each object, deflated, into a temporary file under `objects/pack/`
(`tmp_pack_*`, the prefix `git prune` cleans up after a crash), then writes the header's
object count, the trailing checksum and a version 2 `.idx`, and moves them into place: a
`.keep` first, then the `.pack`, then the `.idx` (git and gix see a pack only once its index
exists, so a kill at any instant leaves either no pack or a whole one). The `.keep` protects
the pack, whose objects are unreachable until the branch moves, from a concurrent
`git repack -a -d` (as `git index-pack --keep` does for a fetch); [`Written::release`] removes
it once the branch has moved (or the move lost its race). No deltas: the objects are records
of a few hundred bytes, each deflated on its own.
*/

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::objs::Kind;
use gix::zlib::stream::deflate::{Compress, FlushCompress};
use gix::zlib::{Compression, Status};

use super::{Error, Result};

/// A pack being written: the objects so far, in a temporary file.
pub(super) struct PackWriter {
    dir: PathBuf,
    hash: gix::hash::Kind,
    tmp: PathBuf,
    out: Option<BufWriter<File>>,
    /// Each object once: its ID, where its entry starts and the CRC-32 of the entry.
    entries: Vec<(ObjectId, u64, u32)>,
    seen: gix::hashtable::HashSet<ObjectId>,
    offset: u64,
    compress: Compress,
    deflated: Vec<u8>,
    /// Set once the temporary file became the pack: it is no longer ours to remove.
    placed: bool,
}

/// A pack moved into place, still marked `.keep` until [`Written::release`].
#[derive(Debug)]
pub(super) struct Written {
    keep: Option<PathBuf>,
}

impl Written {
    /// Lets `git gc` treat the pack like any other (repack it, prune what stays unreachable).
    /// A `.keep` that cannot be removed only keeps the pack out of repacks: not an error.
    pub(super) fn release(self) {
        if let Some(keep) = self.keep {
            let _ = std::fs::remove_file(keep);
        }
    }
}

/// The 12-byte header of a version 2 pack of `count` objects.
fn header(count: u32) -> [u8; 12] {
    let mut h = [0u8; 12];
    h[..4].copy_from_slice(b"PACK");
    h[4..8].copy_from_slice(&2u32.to_be_bytes());
    h[8..].copy_from_slice(&count.to_be_bytes());
    h
}

fn io_error(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let action = action.into();
    move |source| Error::Io { action, source }
}

impl PackWriter {
    /// Starts a pack in `objects_dir/pack`.
    pub(super) fn new(objects_dir: &Path, hash: gix::hash::Kind) -> Result<PackWriter> {
        let dir = objects_dir.join("pack");
        std::fs::create_dir_all(&dir).map_err(io_error(format!("create {}", dir.display())))?;
        let tmp = dir.join(format!(
            "tmp_pack_{}_{:016x}",
            std::process::id(),
            fastrand::u64(..)
        ));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(&tmp)
            .map_err(io_error(format!("create {}", tmp.display())))?;
        let mut writer = PackWriter {
            dir,
            hash,
            tmp,
            out: Some(BufWriter::with_capacity(256 * 1024, file)),
            entries: Vec::new(),
            seen: Default::default(),
            offset: 0,
            // Level 1, as git and gix write loose objects: the records are small and the
            // import's time is spent here.
            compress: Compress::new(Compression::BEST_SPEED),
            deflated: Vec::new(),
            placed: false,
        };
        // The count is not known yet: a placeholder, rewritten by `finish`.
        if let Some(out) = writer.out.as_mut() {
            out.write_all(&header(0))
                .map_err(io_error(format!("write {}", writer.tmp.display())))?;
        }
        writer.offset = 12;
        Ok(writer)
    }

    /// Adds an object (once, however often it is given) and returns its ID. Fails as gix's
    /// object writers do, so a tree editor can write through it.
    pub(super) fn put(
        &mut self,
        kind: Kind,
        data: &[u8],
    ) -> std::result::Result<ObjectId, gix::Error> {
        let id = gix::objs::compute_hash(self.hash, kind, data)?;
        if !self.seen.insert(id) {
            return Ok(id);
        }
        let entry_header = entry_header(kind, data.len() as u64);
        self.deflate(data)?;
        let mut crc = crc32fast::Hasher::new();
        crc.update(&entry_header);
        crc.update(&self.deflated);
        let at = self.offset;
        let out = self
            .out
            .as_mut()
            .ok_or_else(|| gix::Error::from_error(std::io::Error::other("the pack is finished")))?;
        out.write_all(&entry_header)
            .and_then(|()| out.write_all(&self.deflated))
            .map_err(gix::Error::from_error)?;
        self.offset += (entry_header.len() + self.deflated.len()) as u64;
        self.entries.push((id, at, crc.finalize()));
        Ok(id)
    }

    /// Deflates `data` into `self.deflated` as one zlib stream.
    fn deflate(&mut self, mut data: &[u8]) -> std::result::Result<(), gix::Error> {
        self.compress.reset();
        self.deflated.clear();
        loop {
            let start = self.deflated.len();
            self.deflated.resize(start + data.len() / 2 + 64, 0);
            let (total_in, total_out) = (self.compress.total_in(), self.compress.total_out());
            let status =
                self.compress
                    .compress(data, &mut self.deflated[start..], FlushCompress::Finish)?;
            let produced = (self.compress.total_out() - total_out) as usize;
            let consumed = (self.compress.total_in() - total_in) as usize;
            self.deflated.truncate(start + produced);
            data = &data[consumed..];
            if status == Status::StreamEnd {
                return Ok(());
            }
        }
    }

    /// Completes the pack and its index and moves them into place under their checksum's
    /// name, `.keep` first and `.idx` last; `None` (and nothing left behind) when no object
    /// was added.
    pub(super) fn finish(mut self) -> Result<Option<Written>> {
        if self.entries.is_empty() {
            return Ok(None);
        }
        let tmp = self.tmp.clone();
        let out = self.out.take().ok_or_else(|| Error::Io {
            action: format!("finish {}", tmp.display()),
            source: std::io::Error::other("the pack was already finished"),
        })?;
        let mut file = out.into_inner().map_err(|e| Error::Io {
            action: format!("write {}", tmp.display()),
            source: e.into_error(),
        })?;
        let count = u32::try_from(self.entries.len()).map_err(|_| Error::Io {
            action: format!("write {}", tmp.display()),
            source: std::io::Error::other("more objects than a pack can hold"),
        })?;
        let checksum = seal(&mut file, count, self.hash)
            .map_err(io_error(format!("complete {}", tmp.display())))?;
        let index = self.index(checksum)?;
        let name = format!("pack-{checksum}");
        let tmp_idx = self.dir.join(format!(
            "tmp_idx_{}_{:016x}",
            std::process::id(),
            fastrand::u64(..)
        ));
        let keep = self.dir.join(format!("{name}.keep"));
        let pack = self.dir.join(format!("{name}.pack"));
        let idx = self.dir.join(format!("{name}.idx"));
        if idx.exists() {
            // The same bytes are already in place (a pack is named by its checksum): an
            // earlier attempt of this write on the same tip, which lost its race. It is kept
            // again until this attempt's move.
            drop(file);
            let action = format!("write {}", keep.display());
            return std::fs::write(&keep, format!("git-coord {}\n", std::process::id()))
                .map(|()| Some(Written { keep: Some(keep) }))
                .map_err(io_error(action));
        }
        let mut moved_pack = false;
        let placed = (|| -> std::io::Result<()> {
            std::fs::write(&tmp_idx, &index)?;
            read_only(&file)?;
            read_only(&File::open(&tmp_idx)?)?;
            std::fs::write(&keep, format!("git-coord {}\n", std::process::id()))?;
            std::fs::rename(&tmp, &pack)?;
            moved_pack = true;
            std::fs::rename(&tmp_idx, &idx)
        })();
        drop(file);
        if let Err(source) = placed {
            // What this call put in place goes: a pack without its index is only garbage.
            let _ = std::fs::remove_file(&tmp_idx);
            let _ = std::fs::remove_file(&keep);
            if moved_pack {
                let _ = std::fs::remove_file(&pack);
            }
            return Err(Error::Io {
                action: format!("move the new pack {name} into {}", self.dir.display()),
                source,
            });
        }
        self.placed = true;
        Ok(Some(Written { keep: Some(keep) }))
    }

    /// The version 2 index of the pack whose checksum is `checksum`: a fan-out table, the
    /// sorted IDs, their entries' CRC-32s and offsets (64-bit ones in a table of their own
    /// past 2 GiB), the pack's checksum, and the index's own.
    fn index(&mut self, checksum: ObjectId) -> Result<Vec<u8>> {
        self.entries.sort_unstable_by_key(|e| e.0);
        let len = self.hash.len_in_bytes();
        let mut out = Vec::with_capacity(8 + 1024 + self.entries.len() * (len + 8) + 2 * len);
        out.extend_from_slice(b"\xfftOc");
        out.extend_from_slice(&2u32.to_be_bytes());
        let mut fanout = [0u32; 256];
        for (id, _, _) in &self.entries {
            fanout[usize::from(id.as_bytes()[0])] += 1;
        }
        let mut running = 0u32;
        for n in fanout {
            running += n;
            out.extend_from_slice(&running.to_be_bytes());
        }
        for (id, _, _) in &self.entries {
            out.extend_from_slice(id.as_bytes());
        }
        for (_, _, crc) in &self.entries {
            out.extend_from_slice(&crc.to_be_bytes());
        }
        let mut large = Vec::new();
        for &(_, offset, _) in &self.entries {
            match u32::try_from(offset) {
                Ok(small) if small < 0x8000_0000 => out.extend_from_slice(&small.to_be_bytes()),
                _ => {
                    let at = 0x8000_0000 | large.len() as u32;
                    out.extend_from_slice(&at.to_be_bytes());
                    large.push(offset);
                }
            }
        }
        for offset in large {
            out.extend_from_slice(&offset.to_be_bytes());
        }
        out.extend_from_slice(checksum.as_bytes());
        let mut hasher = gix::hash::hasher(self.hash);
        hasher.update(&out);
        let own = hasher.try_finalize().map_err(|source| Error::Git {
            action: "hash the pack index".to_owned(),
            source,
        })?;
        out.extend_from_slice(own.as_bytes());
        Ok(out)
    }
}

impl Drop for PackWriter {
    /// An unfinished pack (an error, a plan given up) leaves no temporary file behind.
    fn drop(&mut self) {
        if !self.placed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The type-and-size header of a pack entry: the type in bits 4–6 of the first byte, the size
/// in 4 bits there, then 7 bits a byte, the high bit saying that another byte follows.
fn entry_header(kind: Kind, size: u64) -> Vec<u8> {
    let code: u8 = match kind {
        Kind::Commit => 1,
        Kind::Tree => 2,
        Kind::Blob => 3,
        Kind::Tag => 4,
    };
    let mut out = Vec::with_capacity(10);
    let mut byte = (code << 4) | (size & 0x0f) as u8;
    let mut rest = size >> 4;
    while rest != 0 {
        out.push(byte | 0x80);
        byte = (rest & 0x7f) as u8;
        rest >>= 7;
    }
    out.push(byte);
    out
}

/// Writes the real header over the placeholder, then appends the checksum of the whole file
/// (read back once: the header, written last, comes first in the hash).
fn seal(file: &mut File, count: u32, hash: gix::hash::Kind) -> std::io::Result<ObjectId> {
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&header(count))?;
    file.seek(SeekFrom::Start(0))?;
    let mut hasher = gix::hash::hasher(hash);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let checksum = hasher.try_finalize().map_err(std::io::Error::other)?;
    file.seek(SeekFrom::End(0))?;
    file.write_all(checksum.as_bytes())?;
    Ok(checksum)
}

/// Packs are read-only, as git leaves them.
fn read_only(file: &File) -> std::io::Result<()> {
    let mut permissions = file.metadata()?.permissions();
    permissions.set_readonly(true);
    file.set_permissions(permissions)
}

#[cfg(test)]
mod tests {
    use super::{PackWriter, entry_header};
    use gix::objs::Kind;

    fn git(dir: &std::path::Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn entry_headers_carry_type_and_size_in_seven_bit_groups() {
        assert_eq!(entry_header(Kind::Blob, 5), vec![0x35]);
        assert_eq!(entry_header(Kind::Tree, 16), vec![0xa0, 0x01]);
        assert_eq!(entry_header(Kind::Commit, 0x1234), vec![0x94, 0xa3, 0x02]);
    }

    #[test]
    fn git_reads_the_pack_and_its_index() {
        let dir = tempfile::tempdir().expect("temporary directory");
        git(dir.path(), &["init", "-q"]);
        let objects = dir.path().join(".git").join("objects");
        let mut pack = PackWriter::new(&objects, gix::hash::Kind::Sha1).expect("start");
        let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let ids: Vec<_> = [&b"one\n"[..], b"two\n", b"", &big, b"one\n"]
            .iter()
            .map(|data| pack.put(Kind::Blob, data).expect("put"))
            .collect();
        assert_eq!(ids[0], ids[4], "one object, whatever the number of puts");
        let written = pack.finish().expect("finish").expect("a pack");
        let packs: Vec<_> = std::fs::read_dir(objects.join("pack"))
            .expect("pack dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(packs.len(), 3, "{packs:?}");
        assert!(packs.iter().any(|p| p.ends_with(".keep")), "{packs:?}");
        written.release();
        let idx = std::fs::read_dir(objects.join("pack"))
            .expect("pack dir")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "idx"))
            .expect("an index");
        let verified = git(
            dir.path(),
            &["verify-pack", "-v", idx.to_str().expect("utf-8 path")],
        );
        assert!(verified.contains("non delta: 4 objects"), "{verified}");
        for (id, text) in [(ids[0], "one\n"), (ids[1], "two\n"), (ids[2], "")] {
            assert_eq!(
                git(dir.path(), &["cat-file", "blob", &id.to_string()]),
                text
            );
        }
        let size = git(dir.path(), &["cat-file", "-s", &ids[3].to_string()]);
        assert_eq!(size.trim(), big.len().to_string());
        let remaining: Vec<_> = std::fs::read_dir(objects.join("pack"))
            .expect("pack dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            remaining.len(),
            2,
            "no temporary file or .keep left: {remaining:?}"
        );
    }

    #[test]
    fn an_empty_or_abandoned_pack_leaves_nothing() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let objects = dir.path().join("objects");
        let pack = PackWriter::new(&objects, gix::hash::Kind::Sha1).expect("start");
        assert!(pack.finish().expect("finish").is_none());
        let mut pack = PackWriter::new(&objects, gix::hash::Kind::Sha1).expect("start");
        pack.put(Kind::Blob, b"x").expect("put");
        drop(pack);
        let left: Vec<_> = std::fs::read_dir(objects.join("pack"))
            .expect("pack dir")
            .flatten()
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
