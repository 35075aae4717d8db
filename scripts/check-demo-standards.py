#!/usr/bin/env python3
"""Check demo/standards.jsonl (demo standards catalogue, DOMAIN.md section 2).

Usage: python3 scripts/check-demo-standards.py [PATH] [--today YYYY-MM-DD]

Checks that every line is a JSON object of type "standard" with only the known
keys, that the required keys are present, that the number follows the Chinese
standard-number grammar (or an ISO/IEC/foreign form) and agrees with the level
and nature, that enumerations hold known values, that dates are real calendar
dates in a sensible order and agree with the status label on the reference day
(default 2026-11-22), that every `replaces` entry is well formed and, where
the replaced standard is itself a record, that it is shown as replaced or
withdrawn, and that unified social credit codes pass the GB 32100 check.
ICS codes are also checked against shared/data/reference/ics-ed7.csv when that
file is found beside the repository.
Prints counts; exits 1 on any error. Python 3 standard library only.
"""
import csv
import datetime as dt
import json
import os
import re
import sys
from collections import Counter, defaultdict

REFERENCE_DAY = dt.date(2026, 11, 22)

KEYS = ["type", "number", "titleZh", "titleEn", "level", "nature", "statusLabel",
        "issueDate", "implementationDate", "withdrawalDate", "replaces", "adoption",
        "icsCodes", "ccsCode", "committee", "committeeName", "department",
        "draftingOrganizations", "drafters"]
REQUIRED = ["type", "number", "titleZh", "level", "statusLabel"]
DATE_KEYS = ["issueDate", "implementationDate", "withdrawalDate"]
LEVELS = {"NATIONAL", "INDUSTRY", "LOCAL", "GROUP", "ENTERPRISE", "INTERNATIONAL", "FOREIGN"}
NATURES = {"MANDATORY", "RECOMMENDED", "GUIDANCE"}
STATUSES = {"现行", "即将实施", "废止", "被代替"}
SCOPES = {"WHOLE", "PARTIAL"}
DEGREES = {"IDT", "MOD", "NEQ"}

# Chinese numbers: code [/nature] sequence - year [/XGn-year] [/international double number]
CN_RE = re.compile(
    r"^(?P<prefix>T/[A-Z][A-Z0-9]*|Q/[A-Z][A-Z0-9]*"
    r"|(?P<code>DB\d{2,6}|[A-Z]{1,4}(?:/(?![TZ] )[A-Z]{1,3})?)(?P<nat>/[TZ]|/)?)"
    r" (?P<seq>[0-9A-Z](?:[0-9A-Z. ]*[0-9A-Z])?)"
    r"-(?P<year>\d{2}|\d{4})"
    r"(?P<amd>/XG\d+-\d{4})?"
    r"(?P<dbl>/(?:ISO|IEC|ISO/IEC) [^ ].*)?$")
INTL_RE = re.compile(r"^(?:ISO/IEC|ISO/TR|ISO|IEC TR|IEC) \d+(?:-\d+)*:\d{4}(?:\+A\d+:\d{4})*$")
FOREIGN_RE = re.compile(r"^(?:EN|BS EN|DIN EN|DIN|NF|JIS [A-Z]|ANSI|UL|ASTM [A-Z]) ?[0-9][0-9A-Za-z./-]*"
                        r"(?::\d{4}(?:\+A\d+:\d{4})*|-\d{2})?$")
ICS_RE = re.compile(r"^\d{2}(\.\d{3}(\.\d{2})?)?$")
CCS_RE = re.compile(r"^[A-Z]\d{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code_ok(code):
    """GB 32100-2015: 18 characters, the last a check character over the first 17."""
    if not isinstance(code, str) or len(code) != 18:
        return False
    if any(c not in CREDIT_ALPHABET for c in code):
        return False
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(code[:17], CREDIT_WEIGHTS))
    check = 31 - total % 31
    return CREDIT_ALPHABET[0 if check == 31 else check] == code[17]


def org_code_ok(code9):
    """GB 11714: 8 characters and a check character (digit or X)."""
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    if len(code9) != 9:
        return False
    total = 0
    for c, w in zip(code9[:8], weights):
        if c.isdigit():
            v = int(c)
        elif "A" <= c <= "Z":
            v = ord(c) - 55
        else:
            return False
        total += v * w
    check = 11 - total % 11
    return code9[8] == ("X" if check == 10 else "0" if check == 11 else str(check))


def parse_date(value):
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise ValueError("not YYYY-MM-DD")
    return dt.date.fromisoformat(value)


def expected_level(number):
    """Level implied by the number, or None when the number is not recognised."""
    if INTL_RE.match(number):
        return "INTERNATIONAL", None
    if FOREIGN_RE.match(number):
        return "FOREIGN", None
    m = CN_RE.match(number)
    if m:
        prefix = m.group("prefix")
        if prefix.startswith("T/"):
            return "GROUP", m
        if prefix.startswith("Q/"):
            return "ENTERPRISE", m
        code = m.group("code")
        if code in ("GB", "GBZ"):
            return "NATIONAL", m
        if re.match(r"^DB\d", code):
            return "LOCAL", m
        return "INDUSTRY", m   # includes DB/T (seismic industry) and composite NB/SH
    return None, None


def number_ok(number):
    return expected_level(number)[0] is not None


def load_ics(here):
    for base in (os.path.join(here, "..", "..", "shared"), os.path.join(here, "..", "shared")):
        p = os.path.join(base, "data", "reference", "ics-ed7.csv")
        if os.path.exists(p):
            with open(p, encoding="utf-8") as fh:
                return {row["code"] for row in csv.DictReader(fh)}
    return None


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "demo", "standards.jsonl")
    today = REFERENCE_DAY
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--today":
            today = dt.date.fromisoformat(args.pop(0))
        else:
            path = a
    ics_known = load_ics(here)

    errors = []
    warnings = []
    records = []
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()

    org_codes = defaultdict(set)    # name -> credit codes
    code_orgs = defaultdict(set)    # credit code -> names

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
            if k not in KEYS:
                err("unknown key %r" % k)
        if rec.get("type") != "standard":
            err('type must be "standard"')
        for k in ("number", "titleZh", "titleEn", "committee", "committeeName", "department", "ccsCode"):
            if k in rec and (not isinstance(rec[k], str) or not rec[k].strip() or rec[k] != rec[k].strip()):
                err("%s must be a trimmed non-empty string" % k)
        number = rec.get("number") if isinstance(rec.get("number"), str) else ""
        if "titleZh" in rec and isinstance(rec["titleZh"], str) and not CJK_RE.search(rec["titleZh"]):
            err("titleZh has no Chinese text")

        level = rec.get("level")
        if level not in LEVELS:
            err("unknown level %r" % (level,))
        nature = rec.get("nature")
        if nature is not None and nature not in NATURES:
            err("unknown nature %r" % (nature,))
        status = rec.get("statusLabel")
        if status not in STATUSES:
            err("unknown statusLabel %r" % (status,))

        exp, m = expected_level(number)
        if number and exp is None:
            err("number %r does not follow the standard-number grammar" % number)
        elif exp and level in LEVELS and exp != level:
            err("number %r implies level %s, record says %s" % (number, exp, level))
        if m:
            nat = m.group("nat")
            code = m.group("code")
            if nat == "/T" and nature not in (None, "RECOMMENDED"):
                err("%s is a /T number but nature is %s" % (number, nature))
            if nat == "/Z" and nature not in (None, "GUIDANCE"):
                err("%s is a /Z number but nature is %s" % (number, nature))
            if code == "GB" and nat is None and nature == "GUIDANCE":
                err("%s: guidance documents are numbered GB/Z" % number)
            if code == "DB" and nat != "/T":
                err("%s: seismic industry standards are DB/T" % number)
            if code and re.match(r"^DB\d", code) and nat is None:
                err("%s: local standards are DB<region>/T or DB<region>/" % number)
            y = m.group("year")
            if len(y) == 4 and not 1949 <= int(y) <= 2100:
                err("implausible year in %s" % number)
        if level in ("GROUP", "ENTERPRISE", "INTERNATIONAL", "FOREIGN") and nature == "GUIDANCE":
            err("nature GUIDANCE is only for GB/Z")

        dates = {}
        for k in DATE_KEYS:
            if k in rec:
                if k == "withdrawalDate" and rec[k] is None:
                    continue
                try:
                    dates[k] = parse_date(rec[k])
                except ValueError as e:
                    err("%s %r: %s" % (k, rec[k], e))
        iss, imp, wd = dates.get("issueDate"), dates.get("implementationDate"), dates.get("withdrawalDate")
        for k, d in dates.items():
            if not dt.date(1946, 1, 1) <= d <= dt.date(2035, 12, 31):
                err("%s out of range" % k)
        if iss and imp and imp < iss:
            err("implementationDate before issueDate")
        if wd and imp and wd < imp:
            err("withdrawalDate before implementationDate")
        if m and iss and len(m.group("year")) == 4 and abs(iss.year - int(m.group("year"))) > 1:
            err("issueDate %s far from the year in %s" % (iss, number))
        if status == "即将实施":
            if not imp or imp <= today:
                err("即将实施 needs an implementationDate after %s" % today)
            if wd:
                err("即将实施 with a withdrawalDate")
        if status == "现行":
            if imp and imp > today:
                err("现行 but implementationDate %s is after %s" % (imp, today))
            if wd:
                err("现行 with a withdrawalDate")
        if status in ("被代替", "废止") and wd and wd > today:
            err("%s but withdrawalDate %s is after %s" % (status, wd, today))

        reps = rec.get("replaces", [])
        if not isinstance(reps, list):
            err("replaces must be an array")
            reps = []
        for r in reps:
            if not isinstance(r, dict) or set(r) - {"number", "scope"} or "number" not in r:
                err("bad replaces entry %r" % (r,))
                continue
            if r.get("scope") not in SCOPES:
                err("replaces %s: unknown scope %r" % (r.get("number"), r.get("scope")))
            if not isinstance(r["number"], str) or not number_ok(r["number"]):
                err("replaces: bad number %r" % (r["number"],))
            if r["number"] == number:
                err("a standard cannot replace itself")

        adoption = rec.get("adoption")
        if adoption is not None:
            if not isinstance(adoption, dict) or set(adoption) != {"degree", "number"}:
                err("adoption must be {degree, number}")
            else:
                if adoption["degree"] not in DEGREES:
                    err("unknown adoption degree %r" % adoption["degree"])
                if not isinstance(adoption["number"], str) or not adoption["number"].strip():
                    err("adoption number missing")
            if level in ("INTERNATIONAL", "FOREIGN"):
                err("adoption is for national, industry, local or group standards")

        ics = rec.get("icsCodes", [])
        if not isinstance(ics, list):
            err("icsCodes must be an array")
            ics = []
        for c in ics:
            if not isinstance(c, str) or not ICS_RE.match(c):
                err("bad ICS code %r" % (c,))
            elif ics_known is not None and c not in ics_known:
                err("ICS code %s is not in the 7th edition list" % c)
        if len(set(map(str, ics))) != len(ics):
            err("duplicate ICS codes")
        if "ccsCode" in rec and isinstance(rec["ccsCode"], str) and not CCS_RE.match(rec["ccsCode"]):
            err("bad CCS code %r" % rec["ccsCode"])

        orgs = rec.get("draftingOrganizations", [])
        if not isinstance(orgs, list):
            err("draftingOrganizations must be an array")
            orgs = []
        names = []
        for o in orgs:
            if not isinstance(o, dict) or "name" not in o or set(o) - {"name", "creditCode"}:
                err("bad drafting organisation %r" % (o,))
                continue
            if not isinstance(o["name"], str) or not o["name"].strip():
                err("drafting organisation without a name")
                continue
            names.append(o["name"])
            if "creditCode" in o:
                cc = o["creditCode"]
                if not credit_code_ok(cc):
                    err("credit code %r of %s fails the GB 32100 check" % (cc, o["name"]))
                else:
                    if not org_code_ok(cc[8:17]):
                        warnings.append("line %d: organisation code in %s fails GB 11714" % (no, cc))
                    org_codes[o["name"]].add(cc)
                    code_orgs[cc].add(o["name"])
        if len(set(names)) != len(names):
            err("a drafting organisation is listed twice")
        drafters = rec.get("drafters", [])
        if not isinstance(drafters, list) or not all(isinstance(d, str) and d.strip() for d in drafters):
            err("drafters must be an array of non-empty strings")
        elif len(set(drafters)) != len(drafters):
            err("a drafter is listed twice")

        records.append((no, rec, dates))

    # uniqueness
    by_number = {}
    for no, rec, _ in records:
        n = rec.get("number")
        if not isinstance(n, str):
            continue
        if n in by_number:
            errors.append("line %d: number %s already on line %d" % (no, n, by_number[n][0]))
        else:
            by_number[n] = (no, rec)

    # replaces, both ways
    replaced_by = defaultdict(list)
    for no, rec, dates in records:
        for r in rec.get("replaces", []) if isinstance(rec.get("replaces"), list) else []:
            if not isinstance(r, dict) or not isinstance(r.get("number"), str):
                continue
            replaced_by[r["number"]].append((rec.get("number"), r.get("scope"), no))
            target = by_number.get(r["number"])
            if target is None:
                continue
            tno, trec = target
            if trec.get("statusLabel") not in ("被代替", "废止") and rec.get("statusLabel") != "即将实施":
                errors.append("line %d: %s replaces %s (line %d), which is shown as %s"
                              % (no, rec.get("number"), r["number"], tno, trec.get("statusLabel")))
            imp = dates.get("implementationDate")
            twd = trec.get("withdrawalDate")
            if imp and isinstance(twd, str) and DATE_RE.match(twd) and r.get("scope") == "WHOLE":
                if dt.date.fromisoformat(twd) != imp:
                    warnings.append("line %d: %s withdrawn %s, successor %s in force %s"
                                    % (tno, r["number"], twd, rec.get("number"), imp))
    for n, (no, rec) in by_number.items():
        if rec.get("statusLabel") == "被代替" and n not in replaced_by:
            warnings.append("line %d: %s is 被代替 but no record replaces it" % (no, n))

    # credit codes are one per organisation
    for name, codes in org_codes.items():
        if len(codes) > 1:
            errors.append("organisation %s has several credit codes: %s" % (name, ", ".join(sorted(codes))))
    for cc, names in code_orgs.items():
        if len(names) > 1:
            errors.append("credit code %s is used by %s" % (cc, ", ".join(sorted(names))))

    # report
    level_count = Counter(rec.get("level") for _, rec, _ in records)
    status_count = Counter(rec.get("statusLabel") for _, rec, _ in records)
    nature_count = Counter(rec.get("nature", "-") for _, rec, _ in records)
    chains = sorted(set(replaced_by) & set(by_number))
    print("%d records in %s (reference day %s)" % (len(records), os.path.relpath(path), today))
    print("levels:   " + ", ".join("%s %d" % kv for kv in sorted(level_count.items())))
    print("natures:  " + ", ".join("%s %d" % kv for kv in sorted(nature_count.items())))
    print("statuses: " + ", ".join("%s %d" % kv for kv in sorted(status_count.items())))
    print("replaced standards present as records: %d; replaces entries: %d"
          % (len(chains), sum(len(v) for v in replaced_by.values())))
    print("credit codes: %d organisations" % len(org_codes))
    for w in warnings:
        print("warning: " + w)
    for e in errors:
        print("error: " + e, file=sys.stderr)
    if errors:
        print("%d error(s)" % len(errors), file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
