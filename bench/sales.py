#!/usr/bin/env python3
"""sales.py — the 销售表现考核表 (templates/sales.rubric) scored the way a careful
script would do it without Rubric: json + fractions for exact arithmetic, the
same validation of types and ranges, bands, weights, grade and outputs, one
short NDJSON result per record (record, ok, total, grade, section scores,
outputs, errors).  A baseline for `make bench`; it implements only this form.
"""
import json
import sys
from fractions import Fraction as F

COMPLETION = [(F(12, 10), 20), (F(11, 10), 18), (1, 16), (F(9, 10), 12), (F(8, 10), 8), (F(6, 10), 4)]
GROWTH = [(F(2, 10), 10), (F(1, 10), 8), (0, 6), (F(-1, 10), 3)]
ATTENDANCE = [(1, 10), (F(95, 100), 8), (F(9, 10), 6), (F(8, 10), 3)]
GRADES = [(90, "excellent"), (75, "good"), (60, "pass")]
BONUS = {"excellent": F(12, 10), "good": 1, "pass": F(6, 10), "fail": 0}
RATINGS = ["initiative", "teamwork", "sharing", "product_knowledge", "communication"]
KNOWN = set(["name", "month", "monthly_sales", "plan", "last_year", "attended", "workdays",
             "excellent_before", "fail_before"] + RATINGS)


def band(x, arms, default):
    return next((p for t, p in arms if x >= t), default)


def score(rec):
    errors = [{"path": k, "code": "unknown"} for k in rec if k not in KNOWN]

    def num(k, lo=None, hi=None, integer=False, optional=False, default=None):
        v = rec.get(k)
        if v is None:
            if default is not None:
                return default
            if not optional:
                errors.append({"path": k, "code": "missing"})
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and v != int(v)):
            errors.append({"path": k, "code": "type"})
            return None
        v = F(str(v))
        if (lo is not None and v < lo) or (hi is not None and v > hi) or (lo is None and hi is None and v <= 0):
            errors.append({"path": k, "code": "range"})
        return v

    ms, plan = num("monthly_sales", 0), num("plan")
    ly = num("last_year", optional=True)
    att, wd = num("attended", 0, integer=True), num("workdays", 1, 31, True)
    r = {k: num(k, 1, 10, True) for k in RATINGS}
    eb, fb = num("excellent_before", 0, None, True, default=0), num("fail_before", 0, None, True, default=0)
    if att is not None and wd is not None and att > wd:
        errors.append({"path": "", "code": "check"})
    if errors:
        return {"ok": False, "errors": errors}
    perf_full, perf = 20, band(ms / plan, COMPLETION, 0)
    if ly is not None:
        perf_full, perf = 30, perf + band((ms - ly) / ly, GROWTH, 0)
    att_s = band(att / wd, ATTENDANCE, 0) + r["initiative"]
    collab = r["teamwork"] + r["sharing"]
    skills = r["product_knowledge"] + r["communication"]
    total = 100 * (F(4, 10) * perf / perf_full + F(2, 10) * (att_s + collab + skills) / 20)
    total = F(int(total * 100 + F(1, 2)), 100)
    grade = band(total, GRADES, "fail")
    erun = eb + 1 if grade == "excellent" else 0
    frun = fb + 1 if grade == "fail" else 0
    return {"ok": True, "total": float(total), "grade": grade,
            "sections": {"performance": perf, "attitude": int(att_s), "collaboration": int(collab), "skills": int(skills)},
            "outputs": {"bonus": float(3000 * BONUS[grade]), "excellent_months": int(erun),
                        "fail_months": int(frun), "promotion": erun >= 3}}


def main():
    out = sys.stdout
    for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
        try:
            rec = json.loads(line)
            r = score(rec) if isinstance(rec, dict) else {"ok": False, "errors": [{"code": "syntax"}]}
        except ValueError:
            r = {"ok": False, "errors": [{"code": "syntax"}]}
        r["record"] = n
        out.write(json.dumps(r, ensure_ascii=False) + "\n")


main()
