//! Atomic file writes: temp file in the same folder + rename.

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::UsageError;

/// Writes `path` through `write`; the file appears complete or not at all.
pub fn write_atomic<T>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&mut tempfile::NamedTempFile>) -> std::io::Result<T>,
) -> Result<T, UsageError> {
    let fail = |source: std::io::Error| UsageError::Output {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".ddss-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    let value = {
        let mut out = BufWriter::with_capacity(1 << 16, &mut tmp);
        let value = write(&mut out).map_err(fail)?;
        out.flush().map_err(fail)?;
        value
    };
    // tempfile creates 0600; reports are shared with the owner's group (the
    // data team) but not the world: they carry citizens' IDs and names.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o640))
            .map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

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
