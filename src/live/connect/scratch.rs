//! Test support: scratch folders in the temporary directory, each removed
//! with its contents when its value is dropped, so no test leaves files
//! behind and no two tests share one.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static SCRATCH: AtomicUsize = AtomicUsize::new(0);

/// A folder in the temporary directory, removed with its contents when
/// the value is dropped.
pub(super) struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(super) fn scratch_dir() -> Scratch {
    let dir = std::env::temp_dir().join(format!(
        "schemac-connect-test-{}-{}",
        std::process::id(),
        SCRATCH.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    Scratch(dir)
}
