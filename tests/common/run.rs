//! Running the built `schemac` binary on a scratch schema directory, as a
//! user would (cleared `DATABASE_URL`, `NO_COLOR`, no stdin).

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// A scratch directory holding one schema file, removed on drop.
pub struct SchemaDir(pub PathBuf);

impl SchemaDir {
    pub fn new(tag: &str, sql: &str) -> SchemaDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "schemac_history_{tag}_{}_{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(dir.join("schema")).expect("scratch dir");
        std::fs::write(dir.join("schema").join("schema.sql"), sql).expect("schema file");
        SchemaDir(dir)
    }

    pub fn schema(&self) -> String {
        self.0.join("schema").display().to_string()
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for SchemaDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn command(dir: &SchemaDir, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_schemac"));
    command
        .args(args)
        .current_dir(&dir.0)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

pub fn schemac(dir: &SchemaDir, args: &[&str]) -> Output {
    command(dir, args)
        .output()
        .expect("the schemac binary runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
