//! Inputs of the fuzz harness: a seed corpus (every `.schema` and `.sql`
//! file under `tests/` and `examples/`) and a deterministic mutation of it
//! per execution number, so any execution is reproduced from `(seed,
//! number)` alone.
//!
//! Invariant: [`input`] is a pure function of the corpus, the seed and the
//! execution number; every input is valid UTF-8 of at most [`MAX_LEN`]
//! bytes (the size under which no input may take more than 1 s).

use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};
use schemac::source::Language;
use std::path::{Path, PathBuf};

/// Inputs never grow past this many bytes.
pub const MAX_LEN: usize = 100_000;

/// Seed files larger than this are cut (the mutations matter, not the
/// length; long files are covered by the pathological inputs).
const MAX_SEED_LEN: usize = 16_000;

/// Fragments the mutations insert: the openers, closers and quotes the
/// grammars nest, and keywords of both languages.
const DICTIONARY: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "$$",
    "$a$",
    "/*",
    "*/",
    "--",
    "//",
    "///",
    ";",
    ",",
    "::",
    ".",
    "\n",
    " ",
    "\t",
    "\\",
    "E'",
    "U&'",
    "\u{e9}",
    "\u{1f600}",
    "\u{0}",
    "99999999999999999999999",
    "-1",
    "0",
    "table ",
    "enum ",
    "view ",
    "index ",
    "policy ",
    "partition by range (",
    "partition of ",
    "check (",
    "references ",
    "was ",
    "default ",
    "primary key",
    "unique ",
    "not null",
    "generated always as identity",
    "CREATE TABLE ",
    "CREATE INDEX ",
    "ON ONLY ",
    "ALTER TABLE ",
    "ATTACH PARTITION ",
    "FOR VALUES FROM (",
    ") TO (",
    "FOR VALUES IN (",
    "WITH (MODULUS 2, REMAINDER 1)",
    "DEFAULT",
    "CREATE TYPE ",
    "AS ENUM (",
    "CREATE FUNCTION ",
    "RETURNS trigger LANGUAGE plpgsql AS $$",
    "COMMENT ON ",
    "CREATE POLICY ",
    "USING (",
    "WITH CHECK (",
    "SELECT ",
    "ARRAY[",
    "CASE WHEN ",
    " END",
    "CREATE VIEW ",
    "CREATE MATERIALIZED VIEW ",
    "CREATE SCHEMA ",
    "CREATE SEQUENCE ",
    "CREATE DOMAIN ",
    "CREATE TRIGGER ",
    "CREATE EXTENSION ",
    "SET search_path = ",
    "COPY t FROM stdin;\n",
    "\\.\n",
    "schemac:allow ",
    "schemac:was ",
    "int",
    "text",
    "numeric(12,2)",
    "varchar(10)",
    "timestamptz",
    "uuid",
    "jsonb",
    "int[]",
    "bigint",
];

/// One seed file.
#[derive(Debug, Clone)]
pub struct Seed {
    pub path: PathBuf,
    pub language: Language,
    pub text: String,
}

/// Every `.schema` and `.sql` file under `tests/` and `examples/` of the
/// crate root, sorted by path (so the corpus, and with it every input, is
/// the same from run to run).
pub fn corpus(root: &Path) -> Vec<Seed> {
    let mut paths = Vec::new();
    for dir in ["tests", "examples"] {
        collect(&root.join(dir), &mut paths);
    }
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let language = super::target::language_of(&path)?;
            let mut text = std::fs::read_to_string(&path).ok()?;
            if text.len() > MAX_SEED_LEN {
                let mut end = MAX_SEED_LEN;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.truncate(end);
            }
            Some(Seed {
                path,
                language,
                text,
            })
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if super::target::language_of(&path).is_some() {
            out.push(path);
        }
    }
}

/// A generated input: its language, text and what it was made from.
#[derive(Debug, Clone)]
pub struct Input {
    pub language: Language,
    pub text: String,
    pub origin: String,
}

/// The input of execution `number` under `seed`.
pub fn input(corpus: &[Seed], seed: u64, number: u64) -> Input {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&number.to_le_bytes());
    key[16..24].copy_from_slice(b"schemac!");
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &key);
    let base = &corpus[below(&mut rng, corpus.len())];
    let mut bytes = base.text.as_bytes().to_vec();
    // Occasionally read a file in the other language.
    let mut language = base.language;
    if below(&mut rng, 16) == 0 {
        language = match language {
            Language::Schema => Language::Sql,
            Language::Sql => Language::Schema,
        };
    }
    let n_mutations = 1 + below(&mut rng, 8);
    for _ in 0..n_mutations {
        mutate(&mut rng, corpus, &mut bytes);
    }
    bytes.truncate(MAX_LEN);
    Input {
        language,
        text: String::from_utf8_lossy(&bytes).into_owned(),
        origin: format!(
            "{} with {n_mutations} mutation(s)",
            base.path.file_name().map_or_else(
                || base.path.display().to_string(),
                |name| name.to_string_lossy().into_owned()
            )
        ),
    }
}

fn below(rng: &mut TestRng, bound: usize) -> usize {
    if bound == 0 {
        0
    } else {
        (rng.next_u64() % bound as u64) as usize
    }
}

/// A random position, biased towards the structure of the text: half the
/// time just after a byte that opens or closes something.
fn position(rng: &mut TestRng, bytes: &[u8]) -> usize {
    let at = below(rng, bytes.len() + 1);
    if below(rng, 2) == 0 {
        if let Some(offset) = bytes[at..]
            .iter()
            .position(|byte| b"({[;,\n'\"".contains(byte))
        {
            return at + offset + 1;
        }
    }
    at
}

fn mutate(rng: &mut TestRng, corpus: &[Seed], bytes: &mut Vec<u8>) {
    let at = position(rng, bytes);
    match below(rng, 9) {
        // Delete a short range.
        0 => {
            let len = 1 + below(rng, 16);
            let end = (at + len).min(bytes.len());
            bytes.drain(at..end);
        }
        // Insert a dictionary fragment.
        1 | 2 => {
            let word = DICTIONARY[below(rng, DICTIONARY.len())];
            bytes.splice(at..at, word.bytes());
        }
        // Replace one byte by a random ASCII one.
        3 => {
            if at < bytes.len() {
                bytes[at] = 0x20 + below(rng, 0x5f) as u8;
            }
        }
        // Duplicate a range.
        4 => {
            let len = 1 + below(rng, 64);
            let end = (at + len).min(bytes.len());
            let chunk = bytes[at..end].to_vec();
            bytes.splice(at..at, chunk);
        }
        // Repeat a fragment many times (deep nesting, long lines).
        5 => {
            let word = DICTIONARY[below(rng, DICTIONARY.len())];
            let times = 1 + below(rng, 2_000);
            let repeated = word.repeat(times);
            bytes.splice(at..at, repeated.bytes());
        }
        // Splice in a piece of another seed file.
        6 => {
            let other = corpus[below(rng, corpus.len())].text.as_bytes();
            let start = below(rng, other.len());
            let len = 1 + below(rng, 400);
            let end = (start + len).min(other.len());
            bytes.splice(at..at, other[start..end].iter().copied());
        }
        // Cut the text short.
        7 => bytes.truncate(at),
        // Swap two adjacent lines' worth of bytes.
        _ => {
            let len = 1 + below(rng, 40);
            let end = (at + 2 * len).min(bytes.len());
            if end >= at + 2 * len {
                bytes[at..end].rotate_left(len);
            }
        }
    }
}
