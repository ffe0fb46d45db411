#!/usr/bin/python3
"""check.py — recomputes `rubric report` independently and compares every
number, in every format, to the digit.

Usage: check.py RUBRIC TEMPLATE RECORDS [--by FIELD]

The expected report is computed here from `rubric score`'s NDJSON alone,
with Python's exact fractions: totals and section scores as the results
print them, grade counts and shares of the valid records, means, medians of
the middle two, ranks shared on ties, groups in order of first appearance,
and the distribution rules read from the template's own text.  Then the
report is produced as JSON, Markdown, HTML and a workbook, and each is read
back (json, a Markdown table reader, html.parser, openpyxl) and compared.
Prints one line per format checked; exits 1 on the first difference.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from fractions import Fraction
from html.parser import HTMLParser

import openpyxl


def fail(msg):
    print("report check FAILED: " + msg)
    sys.exit(1)


def rnd(x, digits):
    """Half away from zero, as text with trailing zeros dropped."""
    q = abs(Fraction(x)) * 10 ** digits
    n = int(q + Fraction(1, 2))  # floor for positives
    neg = x < 0 and n != 0
    s = str(n).rjust(digits + 1, "0")
    whole, frac = (s[:-digits], s[-digits:]) if digits else (s, "")
    frac = frac.rstrip("0")
    return ("-" if neg else "") + whole + ("." + frac if frac else "")


def pct(share):
    return rnd(share * 100, 2) + "%"


def run(args, expect_status=None):
    p = subprocess.run(args, capture_output=True)
    if expect_status is not None and p.returncode != expect_status:
        fail("%s exited %d, expected %d\n%s" % (" ".join(args), p.returncode, expect_status, p.stderr.decode()))
    return p


def walk_sections(sections, out):
    for s in sections:
        out.append(s)
        walk_sections(s.get("sections", []), out)
    return out


def template_rules(path):
    """The distribution block of the template: (by field, [(text, ids, op, limit)])."""
    src = open(path, encoding="utf-8").read()
    m = re.search(r"distribution(?:\s+by\s+(\S+))?\s*\{([^}]*)\}", src)
    if not m:
        return None, []
    rules = []
    for line in m.group(2).splitlines():
        line = line.split("//")[0].strip()
        if not line:
            continue
        r = re.fullmatch(r"(.+?)\s*(<=|>=|<|>)\s*([0-9.]+)%", line)
        ids = [x.strip() for x in r.group(1).split("+")]
        rules.append((" + ".join(ids) + " " + r.group(2) + " " + r.group(3) + "%", ids, r.group(2),
                      Fraction(r.group(3)) / 100))
    return m.group(1), rules


def holds(op, share, limit):
    return {"<=": share <= limit, ">=": share >= limit, "<": share < limit, ">": share > limit}[op]


def stats(results, grades, section_names, digits):
    valid = [r for r in results if r["ok"]]
    totals = sorted(Fraction(str(r["total"])) for r in valid if "total" in r)
    st = {"records": len(results), "valid": len(valid), "invalid": len(results) - len(valid)}
    if totals:
        n = len(totals)
        median = totals[n // 2] if n % 2 else (totals[n // 2 - 1] + totals[n // 2]) / 2
        st["total"] = {"mean": rnd(sum(totals) / n, digits), "median": rnd(median, digits),
                       "min": rnd(totals[0], digits), "max": rnd(totals[-1], digits)}
    else:
        st["total"] = None
    counts = {g: 0 for g, _ in grades}
    for r in valid:
        if "grade" in r:
            counts[r["grade"]["id"]] += 1
    st["grades"] = [(g, label, counts[g], rnd(Fraction(counts[g], len(valid)) if valid else 0, 4),
                     pct(Fraction(counts[g], len(valid)) if valid else 0)) for g, label in grades]
    st["counts"] = counts
    secs = []
    for name in section_names:
        scores = [Fraction(str(s["score"])) for r in valid for s in walk_sections(r.get("sections", []), [])
                  if s["name"] == name and "score" in s]
        secs.append((name, rnd(sum(scores) / len(scores), digits) if scores else None, len(scores)))
    st["sections"] = secs
    return st


def expected(rubric, template, records, by):
    out = run([rubric, "score", template, records]).stdout.decode()
    results = [json.loads(line) for line in out.splitlines()]
    src = open(template, encoding="utf-8").read()
    m = re.search(r"^\s*precision\s+(\d+)", src, re.M)
    digits = int(m.group(1)) if m else 2
    # grades in the template's order, from its grade block
    gm = re.search(r"grade\s*\{([^}]*)\}", src)
    grades = re.findall(r":\s*(\w+)\s+\"([^\"]*)\"", gm.group(1)) if gm else []
    sections, points = [], {}
    for r in results:
        for s in walk_sections(r.get("sections", []), []):
            if s["name"] not in sections:
                sections.append(s["name"])
            points[s["name"]] = max(points.get(s["name"], Fraction(0)), Fraction(str(s["points"])))
    dist_by, rules = template_rules(template)
    group_field = by or dist_by
    exp = {"digits": digits, "all": stats(results, grades, sections, digits), "grades": grades,
           "sections": sections, "points": {k: rnd(v, digits) for k, v in points.items()}}

    def groups_of(field):
        order = []
        for r in results:
            v = r["fields"].get(field, "")
            if v not in order:
                order.append(v)
        return [(v, [r for r in results if r["fields"].get(field, "") == v]) for v in order]

    exp["groups"] = [(v, stats(rs, grades, sections, digits)) for v, rs in groups_of(group_field)] if group_field else []
    exp["rules"] = []
    for text, ids, op, limit in rules:
        for v, rs in (groups_of(dist_by) if dist_by else [(None, results)]):
            valid = [r for r in rs if r["ok"]]
            if not valid:
                exp["rules"].append((text, v, None, None, True))
                continue
            share = Fraction(sum(1 for r in valid if r.get("grade", {}).get("id") in ids), len(valid))
            exp["rules"].append((text, v, rnd(share, 4), pct(share), holds(op, share, limit)))
    ranked = sorted((r for r in results if r["ok"] and "total" in r),
                    key=lambda r: (-Fraction(str(r["total"])), r["record"]))
    ranking = []
    for i, r in enumerate(ranked):
        tie = i and Fraction(str(r["total"])) == Fraction(str(ranked[i - 1]["total"]))
        ranking.append((ranking[-1][0] if tie else i + 1, r["record"], rnd(Fraction(str(r["total"])), digits),
                        r["grade"]["id"] if "grade" in r else None))
    exp["ranking"] = ranking
    exp["warnings"] = [(r["record"], w["message"]) for r in results for w in r["warnings"]]
    exp["invalid"] = [(r["record"], [(e["path"], e["code"], e["message"]) for e in r["errors"]])
                      for r in results if not r["ok"]]
    exp["status"] = 1 if exp["all"]["invalid"] or not all(x[4] for x in exp["rules"]) else 0
    return exp


def num_text(v):
    """A JSON number as parsed with parse_float=str: its digits, as rnd writes them."""
    return None if v is None else rnd(Fraction(str(v)), 18)


def check_json(rep, exp):
    d = exp["digits"]

    def same(what, got, want):
        if got != want:
            fail("json %s: %r, expected %r" % (what, got, want))

    def check_stats(what, got, st):
        for k in ("records", "valid", "invalid"):
            same(what + "." + k, got[k], st[k])
        same(what + ".total", None if got["total"] is None else {k: num_text(v) for k, v in got["total"].items()},
             st["total"])
        same(what + ".grades", [(g["id"], g["label"], g["count"], num_text(g["share"])) for g in got["grades"]],
             [g[:4] for g in st["grades"]])
        same(what + ".sections", [(s["name"], num_text(s["mean"]), s["records"]) for s in got["sections"]],
             st["sections"])

    check_stats("batch", rep, exp["all"])
    same("section points", {s["name"]: num_text(s["points"]) for s in rep["sections"]}, exp["points"])
    same("groups", [g["value"] for g in rep["groups"]], [g[0] for g in exp["groups"]])
    for g, (v, st) in zip(rep["groups"], exp["groups"]):
        check_stats("group " + v, g, st)
    same("distribution", [(x["rule"], x["group"], num_text(x["share"]), x["ok"]) for x in rep["distribution"]],
         [(t, v, s, ok) for t, v, s, _, ok in exp["rules"]])
    same("ranking", [(x["rank"], x["record"], num_text(x["total"]), (x["grade"] or {}).get("id")) for x in rep["ranking"]],
         exp["ranking"])
    same("warnings", [(w["record"], w["message"]) for w in rep["warnings"]], exp["warnings"])
    same("invalid_records", [(x["record"], [(e["path"], e["code"], e["message"]) for e in x["errors"]])
                             for x in rep["invalid_records"]], exp["invalid"])
    same("ok", rep["ok"], exp["status"] == 0)
    _ = d


def md_tables(text):
    """{heading: [rows of cells]} for every table under a '## ' heading."""
    tables, head = {}, None
    for line in text.splitlines():
        if line.startswith("## "):
            head = line[3:].strip()
            tables[head] = []
        elif line.startswith("|") and head and not line.startswith("|---"):
            cells = [c.strip().replace("\\|", "|").replace("&lt;", "<") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            tables[head].append(cells)
    return tables


def stats_cells(st):
    t = st["total"] or {}
    return [str(st["records"]), str(st["valid"]), str(st["invalid"])] + \
           [t.get(k, "–") for k in ("mean", "median", "min", "max")]


def label_of(exp, gid):
    return dict(exp["grades"]).get(gid, "–")


def check_md(text, exp):
    t = md_tables(text)

    def same(what, got, want):
        if got != want:
            fail("md %s:\n  got      %r\n  expected %r" % (what, got, want))

    same("summary", t["Summary"][1:], [stats_cells(exp["all"])])
    same("grades", t.get("Grades", [[]])[1:], [[label, str(c), p] for _, label, c, _, p in exp["all"]["grades"]])
    same("sections", [r[1:] for r in t.get("Sections", [[]])[1:]],
         [[m or "–", exp["points"][n]] for n, m, _ in exp["all"]["sections"]])
    if exp["groups"]:
        same("groups", t["Groups"][1:], [[v or "(none)"] + stats_cells(st) + [str(g[2]) for g in st["grades"]]
                                         for v, st in exp["groups"]])
    if exp["rules"]:
        same("rules", t["Distribution rules"][1:],
             [[x[0], x[1] if x[1] is not None else "all", x[3] or "–", "✓" if x[4] else "✗ broken"]
              for x in exp["rules"]])
    same("ranking", [[r[0], r[1], r[3], r[4]] for r in t.get("Ranking", [[]])[1:]],
         [[str(a), str(b), c, label_of(exp, g)] for a, b, c, g in exp["ranking"]])
    for rec, msg in exp["warnings"]:
        if not re.search(r"^- #%d .*: %s$" % (rec, re.escape(msg)), text, re.M):
            fail("md: warning of record %d missing" % rec)
    for rec, errs in exp["invalid"]:
        for _, code, msg in errs:
            if "  - `%s` %s" % (code, msg) not in text:
                fail("md: error %s of record %d missing" % (code, rec))


class Cells(HTMLParser):
    """Rows of every <section id=…>: (tr attributes, [(td class, text)])."""

    def __init__(self):
        super().__init__()
        self.sections, self.section, self.row, self.cell = {}, None, None, None
        self.svg = {}
        self.items = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.section = a.get("id")
            self.sections[self.section] = []
        elif tag == "svg":
            self.svg[a.get("id")] = 0
            self.current_svg = a.get("id")
        elif tag == "rect" and getattr(self, "current_svg", None):
            self.svg[self.current_svg] += 1
        elif tag == "tr" and self.section:
            self.row = (a, [])
            self.sections[self.section].append(self.row)
        elif tag == "td" and self.row is not None:
            self.cell = [a.get("class"), ""]
            self.row[1].append(self.cell)

    def handle_endtag(self, tag):
        if tag == "td":
            self.cell = None
        elif tag == "svg":
            self.current_svg = None
        elif tag == "section":
            self.section = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data


def check_html(text, exp):
    p = Cells()
    p.feed(text)

    def rows(sec):
        return [(a, {c: t for c, t in cells}) for a, cells in p.sections.get(sec, []) if cells]

    def same(what, got, want):
        if got != want:
            fail("html %s:\n  got      %r\n  expected %r" % (what, got, want))

    keys = ("records", "valid", "invalid", "mean", "median", "min", "max")
    same("summary", [[c[k] for k in keys] for _, c in rows("summary")], [stats_cells(exp["all"])])
    same("grades", [(a["data-grade"], c["label"], c["count"], c["share"]) for a, c in rows("grades")],
         [(g, label, str(n), pc) for g, label, n, _, pc in exp["all"]["grades"]])
    same("sections", [(a["data-section"], c["mean"], c["points"]) for a, c in rows("sections")],
         [(n, m or "–", exp["points"][n]) for n, m, _ in exp["all"]["sections"]])
    if exp["groups"]:
        same("groups", [(a["data-group"], [c[k] for k in keys]) for a, c in rows("groups")],
             [(v, stats_cells(st)) for v, st in exp["groups"]])
        for (a, cells), (v, st) in zip([x for x in p.sections["groups"] if x[1]], exp["groups"]):
            same("group grade counts " + v, [t for c, t in cells if c and c.startswith("count grade-")],
                 [str(g[2]) for g in st["grades"]])
    same("rules", [(c["rule"], c["share"], a["data-ok"], c.get("ok", c.get("broken"))) for a, c in rows("distribution")],
         [(x[0], x[3] or "–", "true" if x[4] else "false", "✓" if x[4] else "✗ broken") for x in exp["rules"]])
    same("ranking", [(c["rank"], c["record"], c["total"], c["grade"]) for _, c in rows("ranking")],
         [(str(a), str(b), t, label_of(exp, g)) for a, b, t, g in exp["ranking"]])
    charts = (("chart-grades",) if exp["grades"] else ()) + (("chart-histogram",) if exp["all"]["total"] else ()) + \
        (("chart-sections",) if exp["sections"] else ()) + (("chart-groups",) if exp["groups"] and exp["grades"] else ())
    for chart in charts:
        if not p.svg.get(chart):
            fail("html: chart %s missing or empty" % chart)
    for rec, msg in exp["warnings"]:
        if msg.replace("<", "&lt;") not in text:
            fail("html: warning of record %d missing" % rec)
    for rec, errs in exp["invalid"]:
        if 'data-record="%d"' % rec not in text:
            fail("html: invalid record %d missing" % rec)


def xlsx_num(v):
    return None if v is None else rnd(Fraction(repr(v)) if isinstance(v, float) else Fraction(v), 18)


def check_xlsx(path, exp):
    wb = openpyxl.load_workbook(path)
    summary, results, rules = wb.worksheets
    rows = [list(r) for r in summary.iter_rows(values_only=True)]

    def same(what, got, want):
        if got != want:
            fail("xlsx %s:\n  got      %r\n  expected %r" % (what, got, want))

    def find(header):
        for i, r in enumerate(rows):
            if r[0] == header:
                return i
        fail("xlsx: no table headed %r" % header)

    def cells(r, n):
        return [("–" if v is None else (xlsx_num(v) if isinstance(v, (int, float)) else v)) for v in r[:n]]

    i = find("Records")
    same("summary", cells(rows[i + 1], 7), stats_cells(exp["all"]))
    i = find("Grade") if exp["grades"] else 0
    same("grades", [cells(r, 3) for r in rows[i + 1:i + 1 + len(exp["grades"])]],
         [[label, str(c), s] for _, label, c, s, _ in exp["all"]["grades"]])
    i = find("Section") if exp["sections"] else 0
    same("sections", [cells(r, 3)[1:] for r in rows[i + 1:i + 1 + len(exp["sections"])]],
         [[m or "–", exp["points"][n]] for n, m, _ in exp["all"]["sections"]])
    res = [list(r) for r in results.iter_rows(values_only=True)]
    head = res[0]
    rank_col, total_col = head.index("Rank"), head.index("Total")
    got_rank = sorted((r[rank_col], r[0], xlsx_num(r[total_col])) for r in res[1:] if r[rank_col] is not None)
    same("ranking", got_rank, sorted((a, b, t) for a, b, t, _ in exp["ranking"]))
    rr = [list(r) for r in rules.iter_rows(values_only=True)][1:]
    same("rules", [(r[0], xlsx_num(r[2]) if r[2] is not None else None, r[3]) for r in rr],
         [(x[0], x[2], "✓" if x[4] else "✗ broken") for x in exp["rules"]])


def main():
    rubric, template, records = sys.argv[1:4]
    by = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--by" else None
    exp = expected(rubric, template, records, by)
    extra = ["--by", by] if by else []
    base = [rubric, "--lang", "en", "report"] + extra
    rep = json.loads(run(base + ["--format", "json", template, records], exp["status"]).stdout, parse_float=str)
    check_json(rep, exp)
    check_md(run(base + ["--format", "md", template, records], exp["status"]).stdout.decode(), exp)
    check_html(run(base + ["--format", "html", template, records], exp["status"]).stdout.decode(), exp)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.xlsx")
        run(base + ["-o", out, template, records], exp["status"])
        check_xlsx(out, exp)
    broken = sum(1 for x in exp["rules"] if not x[4])
    print("report %s %s: json, md, html and xlsx agree with the independent computation "
          "(%d records, %d invalid, %d rules checked, %d broken, exit %d)"
          % (os.path.basename(template), os.path.basename(records), exp["all"]["records"], exp["all"]["invalid"],
             len(exp["rules"]), broken, exp["status"]))


main()
