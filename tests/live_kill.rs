//! Kill test (issue 11, item 8): `kill -9` of `schemac apply` at random
//! points of a plan with concurrent index builds, `NOT VALID` +
//! `VALIDATE` constraints and a batched backfill, then the next `apply`
//! must converge: `plan --db` empty, no INVALID index, no NOT VALID
//! constraint, every row intact, and a consistent history
//! (`schemac.apply_runs` / `schemac.apply_history`: no run left
//! `running`, the last run `done`, a step left `running` only in a run
//! marked `interrupted`, every step row belonging to a run).
//!
//! Each trial builds the current schema with rows in a fresh database,
//! then kills applies of the desired schema at random times (up to
//! [`KILLS_PER_TRIAL`] times, each delay drawn in `[0, d]` where `d` is the
//! duration of an uninterrupted apply measured first), and finally lets
//! one apply finish. The default run is [`DEFAULT_TRIALS`] trials; more:
//!
//! ```sh
//! SCHEMAC_KILL_TRIALS=50 cargo test --release --test live_kill -- --nocapture
//! ```
//!
//! (`SCHEMAC_KILL_SEED=N` repeats the kill times of an earlier run; the
//! seed is printed.)

mod common;

use common::run::{command, schemac, stderr, SchemaDir};
use common::TestDb;
use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};
use std::time::{Duration, Instant};

const DEFAULT_TRIALS: u64 = 3;
const KILLS_PER_TRIAL: usize = 2;
const ROWS: usize = 30_000;

const FROM: &str = "
CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.orders (
    id bigint PRIMARY KEY,
    account_id bigint,
    total numeric(12,2),
    note text
);
";

/// Concurrent index builds (two), a foreign key and a CHECK (NOT VALID,
/// then VALIDATE), SET NOT NULL through a validated CHECK, and a new
/// column with a volatile default (added nullable, backfilled in batches,
/// then made NOT NULL).
const TO: &str = "
CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.orders (
    id bigint PRIMARY KEY,
    account_id bigint REFERENCES public.accounts (id),
    total numeric(12,2) CHECK (total >= 0),
    note text NOT NULL,
    token uuid NOT NULL DEFAULT gen_random_uuid()
);
CREATE INDEX orders_account_id_idx ON public.orders (account_id);
CREATE INDEX orders_total_idx ON public.orders (total);
CREATE UNIQUE INDEX orders_note_key ON public.orders (note);
";

fn seed_sql() -> String {
    format!(
        "INSERT INTO public.accounts SELECT g, 'a' || g FROM generate_series(1, 500) AS g;
         INSERT INTO public.orders
           SELECT g, 1 + g % 500, (g % 1000) / 10.0, 'note ' || g
           FROM generate_series(1, {ROWS}) AS g;"
    )
}

/// A digest of every row of the current schema's columns.
const DIGEST: &str = "SELECT (SELECT count(*) || ':' || md5(string_agg(id || ',' || name, ';' ORDER BY id)) FROM public.accounts)
  || ' ' || (SELECT count(*) || ':' || md5(string_agg(id || ',' || coalesce(account_id::text, '-') || ',' || coalesce(total::text, '-') || ',' || coalesce(note, '-'), ';' ORDER BY id)) FROM public.orders)";

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
}

struct Trial<'a> {
    db: TestDb,
    dir: &'a SchemaDir,
}

impl Trial<'_> {
    fn new(dir: &SchemaDir) -> Trial<'_> {
        let db = TestDb::create();
        db.run_sql(FROM).expect("current schema");
        db.run_sql(&seed_sql()).expect("rows");
        db.run_sql("ANALYZE").expect("analyze");
        Trial { db, dir }
    }

    fn apply_args(&self) -> Vec<String> {
        vec![
            "apply".into(),
            "--db".into(),
            self.db.url().into(),
            "--yes".into(),
            "--allow-hazards".into(),
            "all".into(),
            "--no-shadow".into(),
            self.dir.schema(),
        ]
    }

    fn digest(&self) -> String {
        self.db.query(DIGEST).expect("digest").concat()
    }

    /// Starts an apply and kills it (SIGKILL) after `delay`; returns
    /// whether it had already exited by then.
    fn kill_after(&self, delay: Duration) -> bool {
        let args = self.apply_args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = command(self.dir, &args).spawn().expect("schemac runs");
        let started = Instant::now();
        while started.elapsed() < delay {
            if let Ok(Some(_)) = child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let finished = matches!(child.try_wait(), Ok(Some(_)));
        let _ = child.kill();
        let _ = child.wait();
        finished
    }

    /// Waits until the killed client's server sessions have ended (a
    /// backend finishes its statement before it notices the closed
    /// socket), so the next apply does not meet its locks.
    fn wait_for_orphans(&self) {
        let started = Instant::now();
        loop {
            let left = self
                .db
                .query(
                    "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND pid <> pg_backend_pid()
                       AND backend_type = 'client backend'",
                )
                .expect("pg_stat_activity");
            if left.first().map(String::as_str) == Some("0") {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the killed apply's sessions did not end"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn apply_to_completion(&self) -> (Duration, String) {
        let args = self.apply_args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let started = Instant::now();
        let output = schemac(self.dir, &args);
        let elapsed = started.elapsed();
        let err = stderr(&output);
        assert!(
            output.status.success(),
            "the apply after the kill failed ({}):\n{err}",
            output.status
        );
        (elapsed, err)
    }

    /// Everything that must hold once an apply finished.
    fn check_converged(&self, digest_before: &str, what: &str) {
        let schema = self.dir.schema();
        let output = schemac(
            self.dir,
            &[
                "plan",
                "--db",
                self.db.url(),
                "--no-shadow",
                "--detailed-exitcode",
                &schema,
            ],
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "{what}: plan --db is not empty:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(&output)
        );
        let left = self
            .db
            .query(
                "SELECT 'INVALID index ' || indexrelid::regclass FROM pg_index
                   WHERE NOT (indisvalid AND indisready)
                 UNION ALL
                 SELECT 'NOT VALID constraint ' || conname FROM pg_constraint
                   WHERE NOT convalidated
                 UNION ALL
                 SELECT 'helper constraint ' || conname FROM pg_constraint
                   WHERE conrelid = 'public.orders'::regclass AND contype = 'c'
                     AND conname <> 'orders_total_check'",
            )
            .expect("catalog");
        assert!(left.is_empty(), "{what}: left behind: {left:?}");
        assert_eq!(self.digest(), digest_before, "{what}: rows changed");
        let nulls = self
            .db
            .query("SELECT count(*) FROM public.orders WHERE token IS NULL")
            .expect("tokens");
        assert_eq!(nulls, vec!["0".to_string()], "{what}: backfill incomplete");
        let history = self
            .db
            .query(
                "SELECT 'run left running: ' || run_id FROM schemac.apply_runs WHERE status = 'running'
                 UNION ALL
                 -- A run killed after its last step is marked interrupted by
                 -- the next apply, which then has nothing to do and adds no run.
                 SELECT 'last run is ' || status FROM schemac.apply_runs
                   WHERE run_id = (SELECT max(run_id) FROM schemac.apply_runs)
                     AND status NOT IN ('done', 'interrupted')
                 UNION ALL
                 SELECT 'step ' || h.step_index || ' running in a run that is ' || coalesce(r.status, 'missing')
                   FROM schemac.apply_history h LEFT JOIN schemac.apply_runs r USING (run_id)
                   WHERE h.outcome = 'running' AND r.status IS DISTINCT FROM 'interrupted'
                 UNION ALL
                 SELECT 'step of no run: ' || h.step_index FROM schemac.apply_history h
                   WHERE NOT EXISTS (SELECT FROM schemac.apply_runs r WHERE r.run_id = h.run_id)",
            )
            .expect("history");
        assert!(
            history.is_empty(),
            "{what}: history inconsistent: {history:?}"
        );
    }
}

#[test]
fn an_apply_killed_at_random_points_converges_on_the_next_run() {
    let trials = env_number("SCHEMAC_KILL_TRIALS").unwrap_or(DEFAULT_TRIALS);
    let seed = env_number("SCHEMAC_KILL_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    });
    common::note(&format!("kill test: seed {seed}, {trials} trial(s)"));
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &key);
    let dir = SchemaDir::new("kill_random", TO);

    // An uninterrupted apply: the scale of the kill delays, and the
    // property on its own.
    let baseline = Trial::new(&dir);
    let digest = baseline.digest();
    let (full, err) = baseline.apply_to_completion();
    assert!(err.contains("the database matches the schema"), "{err}");
    baseline.check_converged(&digest, "uninterrupted apply");
    drop(baseline);
    common::note(&format!("kill test: an uninterrupted apply takes {full:?}"));

    let (mut kills, mut landed) = (0, 0);
    for trial_idx in 0..trials {
        let trial = Trial::new(&dir);
        let digest = trial.digest();
        let mut delays = Vec::new();
        for _ in 0..KILLS_PER_TRIAL {
            let millis = rng.next_u64() % (full.as_millis() as u64).max(1);
            let delay = Duration::from_millis(millis);
            let finished = trial.kill_after(delay);
            kills += 1;
            if !finished {
                landed += 1;
            }
            delays.push(format!(
                "{millis} ms{}",
                if finished { " (had finished)" } else { "" }
            ));
            trial.wait_for_orphans();
        }
        let what = format!(
            "trial {trial_idx} (seed {seed}, killed after {})",
            delays.join(", ")
        );
        trial.apply_to_completion();
        trial.check_converged(&digest, &what);
        common::note(&format!("kill test: {what}: converged"));
    }
    common::note(&format!(
        "kill test: {kills} kill(s), {landed} while apply was running; every trial converged"
    ));
}
