//! Reading a file the user's tools put in one of the plugin's places, without hanging: a
//! named pipe with no writer blocks `open` and `read` forever, and a device may never end, so
//! only regular files are read. The file is opened without blocking and checked on the open
//! descriptor (no race between a check and the open); a regular file then reads as usual.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Why a path that exists was not read: it is not a regular file.
pub const NOT_A_FILE: &str =
    "not a regular file (a named pipe, socket or device), so it is not read";

/// Opens `path` (following symbolic links) for reading when it is a regular file; any other
/// kind of file is an [`io::ErrorKind::InvalidInput`] error saying so.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        // As `std::fs::read` says it, so that callers tell a folder as before.
        return Err(io::Error::from_raw_os_error(libc::EISDIR));
    }
    if !meta.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, NOT_A_FILE));
    }
    Ok(file)
}

/// [`std::fs::read`] for regular files only (see [`open_regular`]).
pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = open_regular(path)?;
    let mut bytes = Vec::with_capacity(file.metadata().map_or(0, |m| m.len() as usize));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// [`std::fs::read_to_string`] for regular files only (see [`open_regular`]).
pub fn read_file_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read_file(path)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.utf8_error()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn regular_files_read_and_pipes_devices_and_folders_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, b"{\"x\":1}").unwrap();
        assert_eq!(read_file(&file).unwrap(), b"{\"x\":1}");
        assert_eq!(read_file_to_string(&file).unwrap(), "{\"x\":1}");
        // Through a link too.
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(read_file(&link).unwrap(), b"{\"x\":1}");
        // A pipe with no writer: refused, not waited on.
        let pipe = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .unwrap();
        assert!(made.success());
        let err = read_file(&pipe).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("named pipe"), "{err}");
        let err = read_file(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            read_file(dir.path()).unwrap_err().kind(),
            io::ErrorKind::IsADirectory
        );
        assert_eq!(
            read_file(&dir.path().join("none")).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }
}
