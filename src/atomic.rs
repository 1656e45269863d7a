//! Atomic file writes: temp file in the same folder + rename.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::UsageError;

/// Writes `path` through `write`; the file appears complete or not at all.
pub fn write_atomic<T>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<NamedTempFile>) -> std::io::Result<T>,
) -> Result<T, UsageError> {
    let mut file = AtomicFile::create(path)?;
    let value = write(file.writer()).map_err(|e| file.error(e))?;
    file.commit()?;
    Ok(value)
}

/// Removes the temp files an interrupted run left in `dir` (`.ddss-….tmp`,
/// `.ddss-rows-….tmp`): a run killed mid-write leaves its temp file, never a
/// half-written report, and the next run clears it. Returns how many.
pub fn remove_stale_temp_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(".ddss-") && name.ends_with(".tmp")
        })
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// A temp file (`<prefix>….tmp`) in the folder of `path`, created if
/// needed: on the same file system, so a rename can put it in place.
pub fn temp_file_beside(path: &Path, prefix: &str) -> std::io::Result<NamedTempFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    tempfile::Builder::new()
        .prefix(prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
}

/// A file being written in the background of its final path: it appears
/// there, complete, on [`AtomicFile::commit`], and is removed if dropped
/// before. For writers that fill several files at once (the generator
/// streams six exports side by side).
pub struct AtomicFile {
    path: PathBuf,
    out: BufWriter<NamedTempFile>,
}

impl AtomicFile {
    /// A temp file in the folder of `path` (created if needed).
    pub fn create(path: &Path) -> Result<Self, UsageError> {
        let fail = |source: std::io::Error| UsageError::Output {
            path: path.to_path_buf(),
            source,
        };
        let tmp = temp_file_beside(path, ".ddss-").map_err(fail)?;
        Ok(Self {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 16, tmp),
        })
    }

    pub fn writer(&mut self) -> &mut BufWriter<NamedTempFile> {
        &mut self.out
    }

    /// `source` as an error about this file.
    pub fn error(&self, source: std::io::Error) -> UsageError {
        UsageError::Output {
            path: self.path.clone(),
            source,
        }
    }

    /// Flushes, syncs and renames the temp file onto the final path.
    pub fn commit(self) -> Result<(), UsageError> {
        let path = self.path;
        let fail = |source: std::io::Error| UsageError::Output {
            path: path.clone(),
            source,
        };
        let tmp = self.out.into_inner().map_err(|e| fail(e.into_error()))?;
        // tempfile creates 0600; reports are shared with the owner's group
        // (the data team) but not the world: they carry citizens' IDs and names.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o640))
                .map_err(fail)?;
        }
        tmp.as_file().sync_all().map_err(fail)?;
        tmp.persist(&path).map_err(|e| fail(e.error))?;
        Ok(())
    }
}

/// The size of the file at `path` and its SHA-256 (lower-case hex), read
/// in blocks.
pub fn file_sha256(path: &Path) -> std::io::Result<(u64, String)> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((bytes, format!("{:x}", hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        write_atomic(&path, |w| w.write_all(b"old")).unwrap();
        let err = write_atomic(&path, |w| {
            w.write_all(b"partial")?;
            Err::<(), _>(std::io::Error::other("killed"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temp file left behind");
    }
}
