"""Unit tests of the corpus harness's pure parts: `python3 corpus/test_corpus.py`."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402


class NormaliseBlock(unittest.TestCase):
    def test_column_order_is_ignored(self):
        a = ["CREATE TABLE public.t (", "    id integer NOT NULL,", "    b text", ");"]
        b = ["CREATE TABLE public.t (", "    b text,", "    id integer NOT NULL", ");"]
        self.assertEqual(corpus.normalise_block(a), corpus.normalise_block(b))

    def test_column_types_still_differ(self):
        a = ["CREATE TABLE public.t (", "    id integer NOT NULL", ");"]
        b = ["CREATE TABLE public.t (", "    id bigint NOT NULL", ");"]
        self.assertNotEqual(corpus.normalise_block(a), corpus.normalise_block(b))

    def test_partition_clause_is_kept(self):
        a = ["CREATE TABLE public.t (", "    id integer", ")", "PARTITION BY RANGE (id);"]
        self.assertEqual(corpus.normalise_block(a)[-1], "PARTITION BY RANGE (id);")

    def test_grant_order_is_ignored_but_grants_still_differ(self):
        a = ["GRANT ALL ON TABLE s.t TO ingest;", "GRANT SELECT ON TABLE s.t TO reader;"]
        b = list(reversed(a))
        self.assertEqual(corpus.normalise_block(a), corpus.normalise_block(b))
        c = ["GRANT ALL ON TABLE s.t TO ingest;", "GRANT ALL ON TABLE s.t TO reader;"]
        self.assertNotEqual(corpus.normalise_block(a), corpus.normalise_block(c))

    def test_other_statements_are_untouched(self):
        a = ["CREATE VIEW public.v AS", " SELECT 1;"]
        self.assertEqual(corpus.normalise_block(a), a)


class FirstLine(unittest.TestCase):
    def test_miette_error_after_notes(self):
        text = ("skipped-statement\n\n  ☞ SET skipped\n  ╭─[f.sql:1:1]\n"
                "syntax-error\n\n  × expected: ADD, found:\n  │ DROP\n   ╭─[f.sql:9:1]\n"
                "syntax-error\n\n  × other\n")
        self.assertEqual(corpus.first_line(text),
                         "syntax-error: expected: ADD, found: DROP [2 errors]")

    def test_psql_error(self):
        text = "psql:/x/001.sql:12: NOTICE:  hi\npsql:/x/001.sql:40: ERROR:  type \"geometry\" does not exist\n"
        self.assertEqual(corpus.first_line(text), 'ERROR:  type "geometry" does not exist')

    def test_empty(self):
        self.assertEqual(corpus.first_line("\n \n"), "(no output)")


class CauseKey(unittest.TestCase):
    def test_names_and_numbers_are_blurred(self):
        a = corpus.cause_key('apply exit 1: undeclared: table "a" at 12')
        b = corpus.cause_key('apply exit 1: undeclared: table "bb" at 345')
        self.assertEqual(a, b)

    def test_dump_differences_group_by_object_kind(self):
        a = corpus.cause_key("(b) pg_dump differs from the newer version built fresh: missing 3 "
                             "(first: CREATE FUNCTION f(a text) RETURNS text); unexpected 1 "
                             "(first: CREATE INDEX i ON t (a))")
        self.assertEqual(a, "(b) pg_dump differs: missing CREATE FUNCTION; unexpected CREATE INDEX")

    def test_error_count_does_not_split_a_cause(self):
        self.assertEqual(corpus.cause_key("apply exit 1: data-statement: INSERT"),
                         corpus.cause_key("apply exit 1: data-statement: INSERT [64 errors]"))

    def test_different_causes_stay_apart(self):
        self.assertNotEqual(corpus.cause_key("apply exit 1: syntax-error: x"),
                            corpus.cause_key("apply exit 1: read-error: x"))


class Exceptions(unittest.TestCase):
    def test_matching_blocks_are_left_out_and_counted(self):
        path = Path(__file__).resolve().parent / "exceptions.toml"
        ex = corpus.Exceptions(path)
        kept = ex.filter("schemac", "p", ["CREATE SCHEMA schemac;", "CREATE SCHEMA app;"])
        self.assertEqual(kept, ["CREATE SCHEMA app;"])
        self.assertEqual(ex.stale(), [])
        # the same block is kept for migra: the exception names schemac only
        ex2 = corpus.Exceptions(path)
        self.assertEqual(ex2.filter("migra", "p", ["CREATE SCHEMA schemac;"]),
                         ["CREATE SCHEMA schemac;"])
        self.assertEqual(len(ex2.stale()), 1)


class ShadowOutcome(unittest.TestCase):
    PLAN = "-- step 1: create table t\nCREATE TABLE t (a int);\n"

    def test_same_plan_is_identical(self):
        self.assertEqual(corpus.shadow_outcome((0, self.PLAN, "w"), (0, self.PLAN, "x")),
                         ("identical", None))

    def test_different_plans_give_a_unified_diff(self):
        outcome, detail = corpus.shadow_outcome(
            (0, self.PLAN, ""), (0, self.PLAN.replace("int", "bigint"), ""))
        self.assertEqual(outcome, "differing")
        self.assertIn("--- proportional", detail)
        self.assertIn("-CREATE TABLE t (a int);", detail)
        self.assertIn("+CREATE TABLE t (a bigint);", detail)

    def test_long_diff_is_cut(self):
        a = "".join(f"line {i}\n" for i in range(100))
        b = "".join(f"other {i}\n" for i in range(100))
        _, detail = corpus.shadow_outcome((0, a, ""), (0, b, ""), diff_lines=10)
        self.assertEqual(len(detail.splitlines()), 11)
        self.assertTrue(detail.endswith("more diff lines)"))

    def test_the_same_failure_is_both_failed(self):
        err = "Error: shadow-build\n  × relation \"x\" does not exist\n"
        self.assertEqual(corpus.shadow_outcome((1, "", err), (1, "", err))[0], "both failed")

    def test_one_failure_or_two_different_ones_are_errors(self):
        err = "Error: shadow-build\n  × relation \"x\" does not exist\n"
        outcome, detail = corpus.shadow_outcome((0, self.PLAN, ""), (1, "", err))
        self.assertEqual(outcome, "errored")
        self.assertIn("proportional exit 0: ok; full exit 1:", detail)
        self.assertEqual(corpus.shadow_outcome((1, "", err), (1, "", "Error: other\n"))[0],
                         "errored")

    def test_timing_lines_are_split_off(self):
        err = ("warning\ntiming: normalise (shadow)               301.8 ms\n"
               "timing: shadow: connect                    8.8 ms\n"
               "timing: lint                               1.7 ms\n")
        kept, stages = corpus.split_timings(err)
        self.assertEqual(kept, "warning\n")
        self.assertEqual(stages, {"normalise (shadow)": 301.8, "shadow: connect": 8.8})


if __name__ == "__main__":
    unittest.main()
