#!/usr/bin/env python3
"""The real-world corpus harness (issue 10, items 5 and 6).

Subcommands:
  fetch  extract every version listed in projects.toml from the git mirrors
         into the cache (corpus/.cache/sql/<project>/<NNN>.sql)
  run    for every consecutive pair (older, newer): build the older version,
         migrate it to the newer one with schemac (and, in the same run, with
         migra), then check the result; print the tables
  list   print the commits that touched a file in a mirror (oldest first),
         as a TOML list for projects.toml
  inspect  for every version: build it, `schemac inspect --db` it as .sql and
         as .schema, and check that `schemac plan --db --detailed-exitcode`
         on each output exits 0 (issue 10, item 4); print the table
  shadow-scope  for every pair: `schemac plan --db OLDER NEWER.sql --format sql`
         with the proportional shadow and with `--full-shadow` must print the
         same plan (issue 12, item 1); print the table

Invariants:
  * the files given to schemac and migra are the projects' files exactly as
    the project keeps them; a project's `load_filter` only changes how psql
    loads a version into the runner's own database;
  * every database the runner creates is named corpus_<pid>_<n> and dropped
    (WITH (FORCE)) when its pair is done, with schemac's kept shadow of it
    (schemac_shadow_corpus_<pid>_<n>); nothing else on the server is touched;
  * a pair whose older or newer version fails to load with psql is "not
    runnable" with the reason, never a schemac or migra failure;
  * a declared exception (exceptions.toml) that matched nothing in a full run
    is stale and fails the run.
"""

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = 0.95


# ---------------------------------------------------------------- projects


def load_projects(path):
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    projects = []
    for p in data["project"]:
        if "commits" in p:
            versions = [(c, p["path"]) for c in p["commits"]]
        else:
            versions = [(p["commit"], path) for path in p["paths"]]
        p["versions"] = versions
        projects.append(p)
    return projects


def mirror_dir(root, name):
    """A mirror is `<root>/<owner>+<name>/repo` (the search tool's fetch) or
    `<root>/<owner>+<name>` (a plain `git clone`)."""
    base = Path(root) / name
    return base / "repo" if (base / "repo").exists() else base


def cache_file(cache, project, index):
    return Path(cache) / "sql" / project["name"] / f"{index:03d}.sql"


def cmd_fetch(args):
    failed = 0
    for project in selected(args):
        repo = mirror_dir(args.mirror_root, project["mirror"])
        if not repo.exists():
            print(f"{project['name']}: no mirror at {repo} "
                  f"(git clone {project['repository']} {repo})", file=sys.stderr)
            failed += 1
            continue
        for i, (commit, path) in enumerate(project["versions"]):
            out = cache_file(args.cache, project, i)
            out.parent.mkdir(parents=True, exist_ok=True)
            res = subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"],
                                 capture_output=True)
            if res.returncode != 0:
                print(f"{project['name']}: {commit}:{path}: "
                      f"{res.stderr.decode(errors='replace').strip()}", file=sys.stderr)
                failed += 1
                continue
            out.write_bytes(res.stdout)
        print(f"{project['name']}: {len(project['versions'])} versions -> "
              f"{Path(args.cache) / 'sql' / project['name']}")
    return 1 if failed else 0


def cmd_list(args):
    repo = mirror_dir(args.mirror_root, args.mirror)
    out = subprocess.run(["git", "-C", str(repo), "log", "--format=%H", "--", args.path],
                         capture_output=True, text=True, check=True).stdout.split()
    if args.count:
        out = out[: args.count]
    print("commits = [")
    for c in reversed(out):
        print(f'  "{c}",')
    print("]")
    return 0


def selected(args):
    projects = load_projects(args.projects)
    if args.project:
        projects = [p for p in projects if p["name"] in args.project]
        if not projects:
            sys.exit(f"no project named {args.project} in {args.projects}")
    return projects


# ---------------------------------------------------------------- processes


class Env:
    """How the runner reaches the server, psql, pg_dump, schemac and migra."""

    def __init__(self, args):
        self.args = args
        self.env = dict(os.environ)
        self.env.setdefault("PGHOST", "/var/run/postgresql")
        self.env.setdefault("PGUSER", "postgres")
        self.env["NO_COLOR"] = "1"
        self.env["PGOPTIONS"] = "-c client_min_messages=warning"
        self.counter = 0
        self.pair = "none"
        self.created = []

    def log(self, project, what, text):
        """Keeps each tool's output under .cache/logs/<project>/<pair>.<what>.log."""
        path = Path(self.args.cache) / "logs" / project["name"] / f"{self.pair}.{what}.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def url(self, db):
        return self.args.url.format(db=db)

    def run(self, argv, timeout=None, input_path=None):
        try:
            stdin = open(input_path, "rb") if input_path else subprocess.DEVNULL
            res = subprocess.run(argv, env=self.env, capture_output=True,
                                 timeout=timeout or self.args.timeout, stdin=stdin)
            return res.returncode, res.stdout.decode(errors="replace"), \
                res.stderr.decode(errors="replace")
        except subprocess.TimeoutExpired:
            return 124, "", f"timed out after {timeout or self.args.timeout} s: {argv[0]}"

    def psql(self, db, *extra, timeout=None):
        return self.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, *extra],
                        timeout=timeout)

    def new_db(self, template=None):
        self.counter += 1
        name = f"corpus_{os.getpid()}_{self.counter}"
        sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        rc, _, err = self.psql("postgres", "-c", sql)
        if rc != 0:
            raise RuntimeError(f"cannot create a database on the server: {err.strip()}")
        self.created.append(name)
        return name

    def drop_db(self, name):
        if name and name in self.created:
            self.psql("postgres", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            # `plan --db` and `apply` keep an empty shadow of their target,
            # schemac_shadow_<target>, for the next runs: it goes with it
            self.psql("postgres", "-c",
                      f'DROP DATABASE IF EXISTS "{kept_shadow_name(name)}" WITH (FORCE)')
            self.created.remove(name)

    def exists(self, name):
        rc, out, _ = self.psql("postgres", "-At", "-c",
                               f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
        return rc == 0 and out.strip() == "1"


def kept_shadow_name(db):
    """schemac's kept shadow of the database db (the runner's names are short
    enough never to be hashed: src/live/shadow.rs, kept_name)."""
    name = f"schemac_shadow_{db}"
    assert len(name) <= 63, name
    return name


def first_line(text, limit=220):
    """The first error of a tool's output, on one line."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return "(no output)"
    # miette: "code" / "× message" / "│ continued"; notes (☞) and warnings (⚠) come first
    errors = [i for i, ln in enumerate(lines) if ln.startswith("×")]
    if errors:
        i = errors[0]
        msg = lines[i].lstrip("× ")
        for ln in lines[i + 1:]:
            if not ln.startswith("│") or ln.startswith("│ ─") or len(msg) > limit:
                break
            msg += " " + ln.lstrip("│ ")
        code = lines[i - 1] if i > 0 and re.match(r"^[\w:-]+$", lines[i - 1]) else "error"
        more = f" [{len(errors)} errors]" if len(errors) > 1 else ""
        return f"{code}: {msg}"[:limit] + more
    line = lines[0]
    # miette prints "Error: code" / "  × message"; psql prints "psql:file:line: ERROR: ..."
    if len(lines) > 1 and (re.match(r"^(Error|error)(:|\[)|^[\w:-]+$", line)
                           or line.endswith(":")):
        line = f"{line}: {lines[1].lstrip('×│ ')}"
    for ln in lines:
        if "ERROR:" in ln:
            line = ln[ln.index("ERROR:"):]
            break
    return line[:limit]


# ---------------------------------------------------------------- loading


def load_text(project, path):
    text = Path(path).read_text(errors="replace")
    if project.get("load_filter") == "strip-database-switch":
        keep = []
        for ln in text.splitlines():
            s = ln.strip()
            if re.match(r"(?i)^(DROP|CREATE)\s+DATABASE\b", s) or s.startswith("\\c"):
                continue
            keep.append(ln)
        text = "\n".join(keep) + "\n"
    elif project.get("load_filter"):
        sys.exit(f"{project['name']}: unknown load_filter {project['load_filter']!r}")
    return text


CONCURRENT_CATALOG = re.compile(
    r'tuple concurrently updated|duplicate key value violates unique constraint "pg_(authid|auth_members|db_role_setting)')


def build_fresh(env, project, index):
    """A fresh database holding version `index`; returns (db, None) or (None, reason)."""
    src = cache_file(env.args.cache, project, index)
    if not src.exists():
        return None, f"version {index} is not in the cache (run corpus/fetch.sh)"
    load = Path(env.args.cache) / "load" / project["name"] / f"{index:03d}.sql"
    load.parent.mkdir(parents=True, exist_ok=True)
    # Written whole, then renamed: runs in parallel (run and inspect) load
    # the same versions, and psql must never read a half-written file.
    partial = load.with_name(f"{load.name}.{os.getpid()}.tmp")
    partial.write_text(load_text(project, src))
    os.replace(partial, load)
    db = env.new_db()
    # One transaction is much faster for scripts with many INSERTs; a script
    # that cannot run in one (CREATE INDEX CONCURRENTLY, ...) loads plainly.
    rc, out, err = env.psql(db, "-1", "-f", str(load), timeout=env.args.timeout)
    for attempt in range(3):
        # Cluster-wide statements (CREATE ROLE, ALTER ROLE ... SET, GRANT
        # role) of two runs loading at once collide on the shared catalogs;
        # the load is retried, it says nothing about the version.
        if rc == 0 or not CONCURRENT_CATALOG.search(err):
            break
        env.drop_db(db)
        time.sleep(1 + attempt * 2)
        db = env.new_db()
        rc, out, err = env.psql(db, "-1", "-f", str(load), timeout=env.args.timeout)
    if rc != 0 and "cannot run inside a transaction block" in err:
        env.drop_db(db)
        db = env.new_db()
        rc, out, err = env.psql(db, "-f", str(load), timeout=env.args.timeout)
    if rc != 0:
        env.drop_db(db)
        return None, f"psql cannot load version {index}: {first_line(err or out)}"
    return db, None


# ---------------------------------------------------------------- checks


def dump_blocks(env, db):
    """pg_dump --schema-only as a sorted list of normalised TOC entries."""
    rc, out, err = env.run(["pg_dump", "--schema-only", "-d", db])
    if rc != 0:
        raise RuntimeError(f"pg_dump failed: {first_line(err)}")
    blocks, cur = [], []
    for ln in out.splitlines():
        if ln.startswith("-- Name:") or ln.startswith("-- Data for Name:"):
            if cur:
                blocks.append(cur)
            cur = []
            continue
        if ln.startswith("--") or ln.startswith("\\restrict") or ln.startswith("\\unrestrict") \
                or not ln.strip():
            continue
        # Session settings pg_dump prints lazily before the first entry that
        # needs them, so they land in whichever entry comes first.
        if re.match(r"^SET default_(tablespace|table_access_method) = ", ln):
            continue
        cur.append(ln.rstrip())
    if cur:
        blocks.append(cur)
    return sorted("\n".join(normalise_block(b)) for b in blocks)


def normalise_block(lines):
    """CREATE TABLE column order aside: the column lines are sorted. An ACL
    entry (GRANT / REVOKE lines only) is sorted too: pg_dump prints an
    object's grants in the order of its grant history, which a migrated
    database and a fresh build need not share."""
    if lines and all(ln.startswith(("GRANT ", "REVOKE ")) for ln in lines):
        return sorted(lines)
    if not lines or not re.match(r"^CREATE (UNLOGGED |FOREIGN )?TABLE .*\($", lines[0]):
        return lines
    end = next((i for i, ln in enumerate(lines) if ln.startswith(")")), None)
    if end is None:
        return lines
    cols = sorted(ln.rstrip(",") for ln in lines[1:end])
    return [lines[0], *cols, *lines[end:]]


def row_counts(env, db):
    sql = ("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
           "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
           "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'schemac') "
           "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1")
    rc, out, err = env.psql(db, "-At", "-c", sql)
    if rc != 0:
        raise RuntimeError(f"cannot list tables: {first_line(err)}")
    tables = out.split()
    if not tables:
        return {}
    query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables)
    rc, out, err = env.psql(db, "-At", "-F", "\t", "-c", query)
    if rc != 0:
        raise RuntimeError(f"cannot count rows: {first_line(err)}")
    return {ln.split("\t")[0]: int(ln.split("\t")[1]) for ln in out.splitlines() if "\t" in ln}


class Exceptions:
    """Declared differences: a normalised dump block that matches `block` is
    left out of check (b) for the named tool (and project, when given)."""

    def __init__(self, path):
        with open(path, "rb") as fh:
            self.items = tomllib.load(fh).get("exception", [])
        for item in self.items:
            if not item.get("reason", "").strip():
                sys.exit(f"{path}: exception {item.get('block')!r} has no reason")
            item["re"] = re.compile(item["block"], re.S)
            item["hits"] = 0

    def filter(self, tool, project, blocks):
        kept = []
        for b in blocks:
            hit = False
            for item in self.items:
                if item["tool"] in (tool, "*") and item.get("project", project) == project \
                        and item["re"].search(b):
                    item["hits"] += 1
                    hit = True
            if not hit:
                kept.append(b)
        return kept

    def stale(self):
        return [i for i in self.items if i["hits"] == 0]


def compare(env, exceptions, tool, project, migrated_db, fresh_blocks, old_counts):
    """Checks (b) and (c); returns None or the reason."""
    got = exceptions.filter(tool, project["name"], dump_blocks(env, migrated_db))
    want = exceptions.filter(tool, project["name"], fresh_blocks)
    if got != want:
        missing = [b for b in want if b not in got]
        extra = [b for b in got if b not in want]
        env.log(project, f"{tool}-dumpdiff",
                "".join(f"--- missing (in the fresh build only)\n{b}\n" for b in missing)
                + "".join(f"+++ unexpected (in the migrated database only)\n{b}\n"
                          for b in extra))
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} (first: {missing[0].splitlines()[0][:120]})")
        if extra:
            parts.append(f"unexpected {len(extra)} (first: {extra[0].splitlines()[0][:120]})")
        return "(b) pg_dump differs from the newer version built fresh: " + "; ".join(parts)
    counts = row_counts(env, migrated_db)
    lost = [f"{t}: {n} -> {counts[t]}" for t, n in old_counts.items()
            if t in counts and counts[t] != n]
    if lost:
        return f"(c) row counts changed in {len(lost)} table(s): {lost[0]}"
    return None


# ---------------------------------------------------------------- tools


def run_schemac(env, exceptions, project, old_db, new_file, fresh_blocks, old_counts):
    db = env.new_db(template=old_db)
    try:
        binary = env.args.schemac
        rc, out, err = env.run([binary, "apply", "--db", env.url(db), "--yes",
                                "--allow-hazards", "all", str(new_file)])
        env.log(project, "schemac-apply", out + err)
        if rc != 0:
            return f"apply exit {rc}: {first_line(err or out)}"
        rc, out, err = env.run([binary, "plan", "--db", env.url(db), "--detailed-exitcode",
                                str(new_file)])
        env.log(project, "schemac-plan", out + err)
        if rc != 0:
            return f"(a) plan --detailed-exitcode exit {rc} after apply: {first_line(err or out)}"
        return compare(env, exceptions, "schemac", project, db, fresh_blocks, old_counts)
    finally:
        env.drop_db(db)


def run_migra(env, exceptions, project, old_db, new_db, fresh_blocks, old_counts):
    db = env.new_db(template=old_db)
    try:
        migra = env.args.migra
        rc, out, err = env.run([migra, "--unsafe", env.url(db), env.url(new_db)])
        if rc not in (0, 2):
            return f"migra exit {rc}: {first_line(err.splitlines()[-1] if err.strip() else out)}"
        script = Path(env.args.cache) / f"migra-{os.getpid()}.sql"
        script.write_text(out)
        env.log(project, "migra.sql", out + err)
        rc, o, e = env.psql(db, "-1", "-f", str(script))
        if rc != 0:
            return f"migra's script fails: {first_line(e or o)}"
        rc, out, err = env.run([migra, "--unsafe", env.url(db), env.url(new_db)])
        if rc != 0:
            return f"(a) migra again is not empty (exit {rc}): {first_line(out or err)}"
        return compare(env, exceptions, "migra", project, db, fresh_blocks, old_counts)
    finally:
        env.drop_db(db)


# ---------------------------------------------------------------- run


def cmd_run(args):
    env = Env(args)
    exceptions = Exceptions(args.exceptions)
    results = []
    started = time.time()
    tag = ("-".join(args.project) if args.project else "all") + \
        (f"-from{args.start}" if args.start else "")
    out = Path(args.cache) / f"results-{tag}.json"

    def record(result):
        # written after every pair, so an interrupted run keeps what it measured
        results.append(result)
        out.write_text(json.dumps(results, indent=1))

    try:
        for project in selected(args):
            run_project(env, exceptions, project, record)
    finally:
        for db in list(env.created):
            env.drop_db(db)
    print_tables(results, args.no_migra)
    print(f"\n{len(results)} pairs in {time.time() - started:.0f} s; details in {out}")
    full = not args.project and not args.limit and not args.start
    stale = exceptions.stale() if full else []
    for item in stale:
        print(f"STALE exception (matched nothing): {item['block']!r} -- {item['reason']}")
    runnable = [r for r in results if r["runnable"]]
    passed = [r for r in runnable if r["schemac"] is None]
    share = len(passed) / len(runnable) if runnable else 0.0
    print(f"schemac: {len(passed)}/{len(runnable)} runnable pairs pass ({share:.1%}); "
          f"target {TARGET:.0%}")
    if args.report_only:
        return 0
    return 1 if share < TARGET or stale else 0


def run_project(env, exceptions, project, record):
    versions = project["versions"]
    limit = env.args.limit or len(versions)
    start = env.args.start
    old_db, old_err = build_fresh(env, project, start)
    try:
        for i in range(start + 1, min(len(versions), start + limit + 1)):
            env.pair = f"{i - 1:03d}-{i:03d}"
            new_db, new_err = build_fresh(env, project, i)
            r = {"project": project["name"], "pair": f"{i - 1:03d}->{i:03d}",
                 "older": versions[i - 1][0][:10] + ":" + versions[i - 1][1],
                 "newer": versions[i][0][:10] + ":" + versions[i][1],
                 "runnable": old_err is None and new_err is None,
                 "reason": old_err or new_err, "schemac": None, "migra": None}
            if r["runnable"]:
                new_file = cache_file(env.args.cache, project, i)
                fresh = dump_blocks(env, new_db)
                counts = row_counts(env, old_db)
                r["schemac"] = guarded(run_schemac, env, exceptions, project, old_db,
                                       new_file, fresh, counts)
                if not env.args.no_migra:
                    r["migra"] = guarded(run_migra, env, exceptions, project, old_db,
                                         new_db, fresh, counts)
            status = "not runnable" if not r["runnable"] else \
                f"schemac {'ok' if r['schemac'] is None else 'FAIL'}" + \
                ("" if env.args.no_migra else f", migra {'ok' if r['migra'] is None else 'FAIL'}")
            print(f"{project['name']} {r['pair']}: {status}", flush=True)
            record(r)
            env.drop_db(old_db)
            old_db, old_err = new_db, new_err
    finally:
        env.drop_db(old_db)


# ---------------------------------------------------------------- shadow-scope


SHADOW_RUNS = (("proportional", []), ("full", ["--full-shadow"]))
SHADOW_OUTCOMES = ("identical", "differing", "both failed", "errored")


def shadow_outcome(prop, full, diff_lines=40):
    """Compares two `plan --format sql` runs, each (exit code, stdout, stderr):
    returns (outcome, detail). identical: both exit 0 with the same stdout;
    both failed: the same exit code, stdout and first error line, not 0;
    differing: both exit 0, stdouts differ (detail: the first lines of a
    unified diff); errored: anything else (detail: each run's first line)."""
    (prc, pout, perr), (frc, fout, ferr) = prop, full
    if prc == frc and pout == fout:
        if prc == 0:
            return "identical", None
        pline, fline = first_line(perr or pout), first_line(ferr or fout)
        if pline == fline:
            # a plan with error findings (lint) is printed whole and exits 1
            lines = len(pout.splitlines())
            printed = f"the same plan printed ({lines} lines)" if lines else "no plan printed"
            return "both failed", f"both exit {prc}, {printed}: {pline}"
    if prc == frc == 0:
        diff = list(difflib.unified_diff(pout.splitlines(), fout.splitlines(),
                                         "proportional", "full", lineterm=""))
        more = [f"... ({len(diff) - diff_lines} more diff lines)"] \
            if len(diff) > diff_lines else []
        return "differing", "\n".join(diff[:diff_lines] + more)
    detail = (f"proportional exit {prc}: {first_line(perr or pout) if prc else 'ok'}; "
              f"full exit {frc}: {first_line(ferr or fout) if frc else 'ok'}")
    return "errored", detail


def split_timings(err):
    """stderr without the `timing: <stage> <ms> ms` lines of SCHEMAC_TIMINGS=1,
    and the milliseconds of the shadow's stages (name -> ms)."""
    kept, stages = [], {}
    for ln in err.splitlines(keepends=True):
        m = re.match(r"^timing: (.*?)\s+([\d.]+) ms$", ln.rstrip("\n"))
        if m:
            if "shadow" in m.group(1):
                stages[m.group(1)] = stages.get(m.group(1), 0.0) + float(m.group(2))
        else:
            kept.append(ln)
    return "".join(kept), stages


def shadow_compare(env, project, old_db, new_file):
    """Plans new_file against old_db with the proportional and the full shadow;
    returns (outcome, detail, shadow ms of each run)."""
    runs, shadow_ms = [], {}
    for name, flags in SHADOW_RUNS:
        rc, out, err = env.run([env.args.schemac, "plan", "--db", env.url(old_db),
                                "--format", "sql", *flags, str(new_file)])
        env.log(project, f"shadow-{name}",
                f"# exit {rc}\n# --- stdout\n{out}# --- stderr\n{err}")
        err, stages = split_timings(err)
        shadow_ms[name] = round(stages.get("normalise (shadow)", 0.0))
        runs.append((rc, out, err))
    outcome, detail = shadow_outcome(*runs)
    if outcome == "differing":
        env.log(project, "shadow-diff", detail + "\n")
    # schemac keeps a shadow of the target (schemac_shadow_<db>) only for a
    # schema without statements kept as written (DO blocks, ...), the same
    # condition under which the proportional shadow builds less than the
    # whole schema; without it both runs build the full schema.
    scoped = env.exists(kept_shadow_name(old_db))
    return outcome, detail, shadow_ms, scoped


def cmd_shadow_scope(args):
    """Issue 12, item 1 over the corpus: for every runnable pair, `schemac plan
    --db OLDER NEWER.sql --format sql` with the proportional shadow (default)
    and with `--full-shadow` must print the same plan."""
    if args.report_only:
        results, seen = [], set()
        for path in sorted(Path(args.cache).glob("shadow-scope-*.json")):
            for r in json.loads(path.read_text()):
                if (r["project"], r["pair"]) not in seen:
                    seen.add((r["project"], r["pair"]))
                    results.append(r)
        results.sort(key=lambda r: (r["project"], r["pair"]))
        print_shadow_tables(results)
        return 0
    env = Env(args)
    # stage timings on stderr (split off before comparing): how long each
    # shadow took, recorded per pair
    env.env["SCHEMAC_TIMINGS"] = "1"
    results = []
    started = time.time()
    tag = ("-".join(args.project) if args.project else "all") + \
        (f"-from{args.start}" if args.start else "")
    out = Path(args.cache) / f"shadow-scope-{tag}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        for project in selected(args):
            versions = project["versions"]
            limit = args.limit or len(versions)
            old_db, old_err = build_fresh(env, project, args.start)
            try:
                for i in range(args.start + 1, min(len(versions), args.start + limit + 1)):
                    env.pair = f"{i - 1:03d}-{i:03d}"
                    # The newer version is loaded too, only so that "runnable"
                    # means what it means in `run` (it is the next pair's older).
                    new_db, new_err = build_fresh(env, project, i)
                    r = {"project": project["name"], "pair": f"{i - 1:03d}->{i:03d}",
                         "older": versions[i - 1][0][:10] + ":" + versions[i - 1][1],
                         "newer": versions[i][0][:10] + ":" + versions[i][1],
                         "runnable": old_err is None and new_err is None,
                         "reason": old_err or new_err, "outcome": None, "detail": None}
                    t0 = time.time()
                    if r["runnable"]:
                        r["outcome"], r["detail"], r["shadow_ms"], r["scoped"] = shadow_compare(
                            env, project, old_db, cache_file(args.cache, project, i))
                    r["seconds"] = round(time.time() - t0, 1)
                    ms = r.get("shadow_ms")
                    shadows = (f", shadow {ms['proportional']} / {ms['full']} ms"
                               + (", scoped" if r["scoped"] else ", full schema in both")) \
                        if ms else ""
                    print(f"{project['name']} {r['pair']}: "
                          f"{r['outcome'] or 'not runnable'} ({r['seconds']} s{shadows})",
                          flush=True)
                    results.append(r)
                    out.write_text(json.dumps(results, indent=1))
                    env.drop_db(old_db)
                    old_db, old_err = new_db, new_err
            finally:
                env.drop_db(old_db)
    finally:
        for db in list(env.created):
            env.drop_db(db)
    print_shadow_tables(results)
    print(f"\n{len(results)} pairs in {time.time() - started:.0f} s; details in {out}")
    return 0 if all(r["outcome"] in (None, "identical", "both failed") for r in results) else 1


def print_shadow_tables(results):
    print("\n| project | pairs | compared | scoped | identical | differing | both failed "
          "| errored | not runnable |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    names = list(dict.fromkeys(r["project"] for r in results))
    for name, rs in [(n, [r for r in results if r["project"] == n]) for n in names] + \
            [("total", results)]:
        run = [r for r in rs if r["runnable"]]
        counts = [sum(r["outcome"] == o for r in run) for o in SHADOW_OUTCOMES]
        scoped = sum(1 for r in run if r.get("scoped"))
        print(f"| {name} | {len(rs)} | {len(run)} | {scoped} | " + " | ".join(map(str, counts))
              + f" | {len(rs) - len(run)} |")
    for outcome in ("differing", "errored", "both failed"):
        items = [r for r in results if r["outcome"] == outcome]
        if items:
            print(f"\n{outcome.capitalize()} ({len(items)}):")
        for r in items:
            print(f"- {r['project']} {r['pair']} ({r['older']} -> {r['newer']})")
            for ln in (r["detail"] or "").splitlines():
                print(f"      {ln}")
    skipped = [r for r in results if not r["runnable"]]
    if skipped:
        print(f"\nNot runnable ({len(skipped)}):")
        for r in skipped:
            print(f"- {r['project']} {r['pair']}: {r['reason']}")


# ---------------------------------------------------------------- inspect


INSPECT_FORMATS = ("sql", "schema")


def inspect_round_trip(env, project, db, fmt):
    """None when `inspect --format fmt` of db plans empty against db, else why not."""
    binary = env.args.schemac
    rc, out, err = env.run([binary, "inspect", "--db", env.url(db), "--format", fmt])
    env.log(project, f"inspect.{fmt}", out + err)
    if rc != 0:
        return f"inspect exit {rc}: {first_line(err or out)}"
    path = Path(env.args.cache) / "inspect" / project["name"] / f"{env.pair}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out)
    rc, out, err = env.run([binary, "plan", "--db", env.url(db), "--detailed-exitcode",
                            str(path)])
    env.log(project, f"inspect-plan.{fmt}", out + err)
    if rc != 0:
        return f"plan --detailed-exitcode exit {rc}: {first_line(err or out)}"
    return None


def cmd_inspect(args):
    env = Env(args)
    results = []
    started = time.time()
    tag = ("-".join(args.project) if args.project else "all") + \
        (f"-from{args.start}" if args.start else "")
    out = Path(args.cache) / f"inspect-{tag}.json"
    try:
        for project in selected(args):
            versions = project["versions"]
            end = min(len(versions), args.start + (args.limit or len(versions)))
            for i in range(args.start, end):
                env.pair = f"{i:03d}"
                r = {"project": project["name"], "version": f"{i:03d}",
                     "source": versions[i][0][:10] + ":" + versions[i][1]}
                db, reason = build_fresh(env, project, i)
                r["loadable"] = db is not None
                r["reason"] = reason
                if db is not None:
                    try:
                        for fmt in INSPECT_FORMATS:
                            r[fmt] = guarded(inspect_round_trip, env, project, db, fmt)
                    finally:
                        env.drop_db(db)
                status = "not loadable" if db is None else ", ".join(
                    f"{fmt} {'ok' if r[fmt] is None else 'FAIL'}" for fmt in INSPECT_FORMATS)
                print(f"{project['name']} {r['version']}: {status}", flush=True)
                results.append(r)
                out.write_text(json.dumps(results, indent=1))
    finally:
        for db in list(env.created):
            env.drop_db(db)
    print("\n| project | versions | loadable | .sql round trip | .schema round trip |")
    print("|---|---:|---:|---:|---:|")
    totals = [0, 0, 0, 0]
    for name in sorted({r["project"] for r in results}):
        rows = [r for r in results if r["project"] == name]
        loadable = [r for r in rows if r["loadable"]]
        counts = [len(rows), len(loadable)] + \
            [sum(1 for r in loadable if r[fmt] is None) for fmt in INSPECT_FORMATS]
        totals = [a + b for a, b in zip(totals, counts)]
        print(f"| {name} | " + " | ".join(map(str, counts)) + " |")
    print("| total | " + " | ".join(map(str, totals)) + " |")
    failures = {}
    for r in results:
        for fmt in INSPECT_FORMATS:
            if r.get("loadable") and r.get(fmt):
                failures.setdefault(f"{fmt}: {cause_key(r[fmt])}", []).append(
                    f"{r['project']} {r['version']}")
    if failures:
        print("\nFailures by cause (count, format, cause, versions):")
        for key, where in sorted(failures.items(), key=lambda kv: -len(kv[1])):
            print(f"- {len(where):3d} {key}\n      {', '.join(where[:10])}"
                  f"{', ...' if len(where) > 10 else ''}")
    print(f"\n{len(results)} versions in {time.time() - started:.0f} s; details in {out}")
    return 0 if totals[1] and totals[2] == totals[3] == totals[1] else 1


def guarded(fn, *args):
    try:
        return fn(*args)
    except RuntimeError as err:
        return f"harness: {err}"


def cause_key(reason):
    """Group failures by the first line with names, numbers and quotes blurred."""
    if reason.startswith("(b)"):
        # "(b) ... missing N (first: CREATE FUNCTION ...)": the kinds of the first entries
        kinds = re.findall(r"(missing|unexpected) \d+ \(first: ((?:[A-Z]+ ){1,3})", reason)
        return "(b) pg_dump differs: " + "; ".join(f"{w} {k.strip()}" for w, k in kinds)
    key = re.sub(r" \[\d+ errors\]$", "", reason)
    key = re.sub(r'"[^"]*"|`[^`]*`|\'[^\']*\'', "_", key)
    key = re.sub(r"\b\d+\b", "N", key)
    key = re.sub(r"/\S+\.sql(:\d+)*(:)?", "FILE", key)
    return key[:160]


def cmd_report(args):
    """Merges the results of runs made project by project (in parallel)."""
    results = []
    seen = set()
    for path in sorted(Path(args.cache).glob("results-*.json")):
        for r in json.loads(path.read_text()):
            if (r["project"], r["pair"]) not in seen:  # split runs may overlap
                seen.add((r["project"], r["pair"]))
                results.append(r)
    results.sort(key=lambda r: (r["project"], r["pair"]))
    print_tables(results, False)
    listed = {p["name"]: len(p["versions"]) - 1 for p in load_projects(args.projects)}
    print(f"\nmeasured {len(results)} of the {sum(listed.values())} listed pairs")
    for name, n in listed.items():
        done = {r["pair"] for r in results if r["project"] == name}
        todo = [f"{i - 1:03d}->{i:03d}" for i in range(1, n + 1)
                if f"{i - 1:03d}->{i:03d}" not in done]
        if todo:
            print(f"  {name}: {len(todo)} not measured ({', '.join(todo[:8])}"
                  f"{', ...' if len(todo) > 8 else ''})")
    return 0


def print_tables(results, no_migra):
    print("\n| project | pairs | runnable | schemac passed | migra passed |")
    print("|---|---:|---:|---:|---:|")
    names = list(dict.fromkeys(r["project"] for r in results))
    rows = [(n, [r for r in results if r["project"] == n]) for n in names]
    rows.append(("total", results))
    for name, rs in rows:
        run = [r for r in rs if r["runnable"]]
        migra = "-" if no_migra else str(sum(r["migra"] is None for r in run))
        print(f"| {name} | {len(rs)} | {len(run)} | {sum(r['schemac'] is None for r in run)} "
              f"| {migra} |")
    run = [r for r in results if r["runnable"]]
    if run and not no_migra:
        sc = sum(r["schemac"] is None for r in run)
        mg = sum(r["migra"] is None for r in run)
        ahead = "ahead of" if sc > mg else "level with" if sc == mg else "behind"
        print(f"\nOn the same {len(run)} runnable pairs schemac passes {sc}, migra {mg}: "
              f"schemac is {ahead} migra.")
    groups = {}
    for r in results:
        fails = [("not runnable", r["reason"])] if not r["runnable"] else []
        fails += [(tool, r[tool]) for tool in ("schemac", "migra") if r["runnable"] and r[tool]]
        for tool, reason in fails:
            groups.setdefault((tool, cause_key(reason)), []).append((r, reason))
    if not groups:
        return
    print("\nFailures by first cause (count, tool, cause, pairs, first example):")
    for (tool, key), items in sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]))):
        pairs = ", ".join(f"{r['project']} {r['pair']}" for r, _ in items[:6])
        more = f" (+{len(items) - 6})" if len(items) > 6 else ""
        print(f"- {len(items):3d} {tool}: {key}\n      pairs: {pairs}{more}\n"
              f"      e.g. {items[0][1][:300]}")


# ---------------------------------------------------------------- main


def main():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--projects", default=str(HERE / "projects.toml"))
    common.add_argument("--cache", default=os.environ.get("CORPUS_CACHE", str(HERE / ".cache")))
    common.add_argument("--mirror-root",
                        default=os.environ.get("CORPUS_MIRROR_ROOT", "/work/.mirror"))
    common.add_argument("--project", action="append", help="only this project (repeatable)")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("fetch", parents=[common], help="extract the versions into the cache")
    sub.add_parser("report", parents=[common],
                   help="print the tables of every results-*.json in the cache")
    ls = sub.add_parser("list", parents=[common], help="print a file's commits as a TOML list")
    ls.add_argument("mirror")
    ls.add_argument("path")
    ls.add_argument("count", type=int, nargs="?")
    run = sub.add_parser("run", parents=[common], help="run every pair")
    run.add_argument("--schemac", default=os.environ.get(
        "SCHEMAC", str(HERE.parent / "target" / "release" / "schemac")))
    run.add_argument("--migra", default=os.environ.get(
        "MIGRA", str(HERE / ".cache" / "venv" / "bin" / "migra")))
    run.add_argument("--url", default=os.environ.get("CORPUS_URL", "postgresql:///{db}"),
                     help="connection URL given to schemac and migra; {db} is the database "
                          "(default postgresql:///{db}: server, user and socket from the libpq "
                          "environment, PGHOST/PGUSER defaulting to /var/run/postgresql and "
                          "postgres)")
    run.add_argument("--exceptions", default=str(HERE / "exceptions.toml"))
    run.add_argument("--timeout", type=int, default=600, help="seconds per command")
    run.add_argument("--limit", type=int, default=0, help="at most this many pairs per project")
    run.add_argument("--from", dest="start", type=int, default=0,
                     help="start at pair N (N -> N+1), to split a project across processes")
    run.add_argument("--no-migra", action="store_true")
    run.add_argument("--report-only", action="store_true",
                     help="print the tables and exit 0 whatever the pass rate")
    ins = sub.add_parser("inspect", parents=[common],
                         help="inspect every version and plan its output against it")
    ins.add_argument("--schemac", default=os.environ.get(
        "SCHEMAC", str(HERE.parent / "target" / "release" / "schemac")))
    ins.add_argument("--url", default=os.environ.get("CORPUS_URL", "postgresql:///{db}"))
    ins.add_argument("--timeout", type=int, default=600, help="seconds per command")
    ins.add_argument("--limit", type=int, default=0, help="at most this many versions per project")
    ins.add_argument("--from", dest="start", type=int, default=0, help="start at version N")
    sh = sub.add_parser("shadow-scope", parents=[common],
                        help="plan every pair with the proportional and the full shadow")
    sh.add_argument("--schemac", default=os.environ.get(
        "SCHEMAC", str(HERE.parent / "target" / "release" / "schemac")))
    sh.add_argument("--url", default=os.environ.get("CORPUS_URL", "postgresql:///{db}"))
    sh.add_argument("--timeout", type=int, default=600, help="seconds per command")
    sh.add_argument("--limit", type=int, default=0, help="at most this many pairs per project")
    sh.add_argument("--from", dest="start", type=int, default=0,
                    help="start at pair N (N -> N+1), to split a project across processes")
    sh.add_argument("--report-only", action="store_true",
                    help="print the tables of every shadow-scope-*.json in the cache")
    args = ap.parse_args()
    if args.cmd == "shadow-scope" and not args.report_only \
            and not os.access(args.schemac, os.X_OK):
        sys.exit(f"not executable: {args.schemac} (see corpus/README.md)")
    if args.cmd == "run":
        for tool in [args.schemac] + ([] if args.no_migra else [args.migra]):
            if not os.access(tool, os.X_OK):
                sys.exit(f"not executable: {tool} (see corpus/README.md)")
    return {"fetch": cmd_fetch, "run": cmd_run, "list": cmd_list,
            "report": cmd_report, "inspect": cmd_inspect,
            "shadow-scope": cmd_shadow_scope}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
