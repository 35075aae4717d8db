#!/usr/bin/env python3
"""Check demo/notices.jsonl (demo WTO TBT/SPS notifications).

Usage: python3 scripts/check-demo-notices.py [PATH] [--today YYYY-MM-DD]

Checks that every line is a JSON object of type "notice", that every symbol
follows the WTO grammar in canonical case, that required keys are present,
that dates are real calendar dates, that enumerations hold known values and
that every follow-up (Add./Rev./Corr./Suppl.) has its original in the file.
Prints counts; exits 1 on any error. Python 3 standard library only.
"""
import datetime as dt
import json
import os
import re
import sys
from collections import Counter

SYMBOL_RE = re.compile(
    r"^G/(TBT|SPS)/N/([A-Z]{2,4})/(\d{1,5})((?:/(?:Add|Rev|Corr|Suppl)\.\d{1,3})*)$")
REQUIRED = ["type", "symbols", "distributionDate", "agency", "titleZh", "titleEn",
            "descriptionZh", "descriptionEn", "productsText", "hsCodes", "objectives", "keywords"]
DATE_KEYS = ["distributionDate", "commentDeadline", "proposedAdoptionDate",
             "proposedEntryIntoForceDate"]
ALLOWED_KEYS = set(REQUIRED) | set(DATE_KEYS) | {
    "kind", "commentDeadlineText", "proposedAdoptionDateText",
    "proposedEntryIntoForceDateText", "articles", "icsCodes", "documents",
    "addendumReasons", "regionsAffected"}
KINDS = {"EMERGENCY", "RECOGNITION_OF_EQUIVALENCE"}
ARTICLES = {"2.9.2", "2.10.1", "5.6.2", "5.7.1", "3.2", "7.2", "other"}
TBT_OBJ = {"CONSUMER_PROTECTION", "HUMAN_HEALTH_SAFETY", "ANIMAL_PLANT_HEALTH",
           "ENVIRONMENT", "QUALITY_REQUIREMENTS", "LABELLING", "HARMONIZATION",
           "REDUCING_TRADE_BARRIERS", "COST_SAVING", "NATIONAL_SECURITY", "OTHER"}
SPS_OBJ = {"FOOD_SAFETY", "ANIMAL_HEALTH", "PLANT_PROTECTION",
           "PROTECT_HUMANS_FROM_PESTS", "PROTECT_TERRITORY_FROM_PESTS"}
REASONS = {"COMMENT_PERIOD_CHANGED", "MEASURE_ADOPTED", "MEASURE_PUBLISHED",
           "ENTERED_INTO_FORCE", "WITHDRAWN", "CONTENT_CHANGED",
           "INTERPRETIVE_GUIDANCE", "OTHER"}
HS_RE = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{8}|\d{10})$")
ICS_RE = re.compile(r"^\d{2}(\.\d{3}(\.\d{2})?)?$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def parse_date(value):
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise ValueError("not YYYY-MM-DD")
    return dt.date.fromisoformat(value)


def base_symbol(symbol):
    m = SYMBOL_RE.match(symbol)
    return "G/%s/N/%s/%s" % (m.group(1), m.group(2), m.group(3))


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "demo", "notices.jsonl")
    today = dt.date.today()
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--today":
            today = dt.date.fromisoformat(args.pop(0))
        else:
            path = a

    errors = []
    records = []
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()

    for no, line in enumerate(lines, 1):
        def err(msg):
            errors.append("line %d: %s" % (no, msg))
        if not line.strip():
            err("blank line")
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            err("invalid JSON: %s" % e)
            continue
        if not isinstance(rec, dict):
            err("not a JSON object")
            continue
        for k in REQUIRED:
            if k not in rec or rec[k] in (None, "", []):
                err("missing required key %r" % k)
        for k in rec:
            if k not in ALLOWED_KEYS:
                err("unknown key %r" % k)
        if rec.get("type") != "notice":
            err('type must be "notice"')

        syms = rec.get("symbols")
        areas = set()
        if not isinstance(syms, list) or not all(isinstance(s, str) for s in syms):
            err("symbols must be an array of strings")
            syms = []
        for s in syms:
            m = SYMBOL_RE.match(s)
            if not m:
                err("bad symbol %r" % s)
            else:
                areas.add(m.group(1))
        if len(areas) > 1:
            err("symbols mix TBT and SPS")
        area = areas.pop() if len(areas) == 1 else None

        dates = {}
        for k in DATE_KEYS:
            if k in rec:
                try:
                    dates[k] = parse_date(rec[k])
                except ValueError as e:
                    err("%s %r: %s" % (k, rec[k], e))
        d0 = dates.get("distributionDate")
        if d0 and not dt.date(1995, 1, 1) <= d0 <= dt.date(2030, 12, 31):
            err("distributionDate out of range")
        if d0 and "commentDeadline" in dates and dates["commentDeadline"] < d0:
            err("commentDeadline before distributionDate")

        kind = rec.get("kind")
        if kind is not None:
            if kind not in KINDS:
                err("unknown kind %r" % kind)
            if area != "SPS":
                err("kind is only for SPS notices")
        for a in rec.get("articles", []):
            if a not in ARTICLES:
                err("unknown article %r" % a)
        allowed_obj = SPS_OBJ if area == "SPS" else TBT_OBJ
        for o in rec.get("objectives", []):
            if o not in allowed_obj:
                err("objective %r not valid for %s" % (o, area))
        for h in rec.get("hsCodes", []):
            if not isinstance(h, str) or not HS_RE.match(h):
                err("bad HS code %r" % (h,))
        for c in rec.get("icsCodes", []):
            if not isinstance(c, str) or not ICS_RE.match(c):
                err("bad ICS code %r" % (c,))
        reasons = rec.get("addendumReasons")
        if reasons is not None:
            if not any(re.search(r"/Add\.\d+$", s) for s in syms):
                err("addendumReasons on a notice that is not an addendum")
            for r in reasons:
                if r not in REASONS:
                    err("unknown addendum reason %r" % r)
        if "regionsAffected" in rec and area != "SPS":
            err("regionsAffected is only for SPS notices")
        for d in rec.get("documents", []):
            for k in ("title", "url", "language", "pages"):
                if k not in d:
                    err("document without %r" % k)
            if not str(d.get("url", "")).startswith("https://"):
                err("document url must be https")
        for k in ("titleZh", "descriptionZh"):
            if k in rec and not CJK_RE.search(rec[k]):
                err("%s has no Chinese text" % k)
        if isinstance(rec.get("keywords"), list) and not all(isinstance(k, str) for k in rec["keywords"]):
            err("keywords must be strings")
        records.append((no, rec, area, dates))

    # symbol uniqueness and chains
    seen = {}
    for no, rec, _, _ in records:
        for s in rec.get("symbols", []):
            if s in seen:
                errors.append("line %d: symbol %s already on line %d" % (no, s, seen[s]))
            seen[s] = no
    valid = [s for s in seen if SYMBOL_RE.match(s)]
    originals = {s for s in valid if base_symbol(s) == s}
    chains = Counter()
    dates_by_line = {no: d for no, _, _, d in records}
    for s in valid:
        b = base_symbol(s)
        if b != s:
            chains[b] += 1
            if b not in originals:
                errors.append("line %d: follow-up %s has no original %s" % (seen[s], s, b))
            else:
                d_follow = dates_by_line.get(seen[s], {}).get("distributionDate")
                d_orig = dates_by_line.get(seen[b], {}).get("distributionDate")
                if d_follow and d_orig and d_follow < d_orig:
                    errors.append("line %d: %s distributed before its original" % (seen[s], s))

    # counts
    area_count = Counter(a for _, _, a, _ in records)
    members = Counter()
    for _, rec, _, _ in records:
        for s in rec.get("symbols", []):
            m = SYMBOL_RE.match(s)
            if m:
                members[m.group(2)] += 1
    years = Counter(d["distributionDate"].year for _, _, _, d in records if "distributionDate" in d)
    open_now = [rec["symbols"][0] for _, rec, _, d in records
                if "commentDeadline" in d and d["commentDeadline"] >= today]
    joint = sum(1 for _, rec, _, _ in records if len(rec.get("symbols", [])) > 1)
    kinds = Counter(rec["kind"] for _, rec, _, _ in records if "kind" in rec)

    print("file: %s" % os.path.normpath(path))
    print("lines: %d  (TBT %d, SPS %d)" % (len(records), area_count["TBT"], area_count["SPS"]))
    print("symbols: %d, joint notifications: %d, originals with follow-ups: %d"
          % (len(seen), joint, len(chains)))
    print("chains: " + ", ".join("%s(+%d)" % (b, n) for b, n in sorted(chains.items())))
    print("members (%d): %s" % (len(members), ", ".join("%s %d" % kv for kv in sorted(members.items()))))
    print("years: " + ", ".join("%d: %d" % kv for kv in sorted(years.items())))
    print("kinds: %s" % (dict(kinds) or "none"))
    print("open for comment on %s: %d %s" % (today, len(open_now), open_now))
    if errors:
        print("\n%d error(s):" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
