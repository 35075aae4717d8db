#!/usr/bin/env python3
"""Check demo/enterprises.jsonl (demo enterprises, credit listings, brands, titles,
demonstration zones, zone memberships and policy documents; DOMAIN.md sections 3-7).

Usage: python3 scripts/check-demo-enterprises.py [PATH] [--today YYYY-MM-DD] [--expect-invalid N]

Checks that every line is a JSON object of a known type with only the known keys
and the required ones, that enumerations hold known values, that dates are real
calendar dates in a sensible order (listedOn <= removedOn, admittedOn <= exitedOn,
awardedOn <= validUntil, zone history in date order, nothing dated after the
reference day except validity ends), that unified social credit codes pass the
GB 32100 check except exactly N of them (default 2: the demo keeps two failing
codes on purpose, as real registries do), that every credit code referred to by a
credit entry, brand, title or zone membership is an enterprise in the file, that
every membership names a zone in the file, and the scheme rules of DOMAIN.md
(省著名商标 awarded by 2016, 中国名牌产品 by 2007, an abnormal-operations listing of
three years leading to the serious list). Region codes are also checked against
shared/data/reference/cn-divisions-2023-*.csv and 浙江制造 standard numbers
against demo/standards.jsonl when those files are found (warnings only).
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
EXPECT_INVALID = 2

KEYS = {
    "enterprise": (["type", "creditCode", "name", "regionCode"],
                   ["formerNames", "registrationNumber", "industry", "address", "mainProducts"]),
    "creditEntry": (["type", "creditCode", "list", "reason", "listedOn", "authority"],
                    ["documentNumber", "removedOn", "removalReason", "removalAuthority", "grade"]),
    "brand": (["type", "scheme", "name", "level", "issuer"],
              ["creditCode", "product", "certifier", "certificateNumber", "standardNumber", "awardedOn",
               "validUntil", "batch", "announcementNumber", "revokedOn", "authorizedUsers"]),
    "title": (["type", "scheme", "name", "level", "issuer", "awardedOn"],
              ["creditCode", "regionCode", "edition", "announcementNumber", "validUntil", "revokedOn"]),
    "zone": (["type", "code", "name", "kind", "level", "regionCode", "industry", "history"],
             ["approvingAuthority", "announcementNumber", "batch"]),
    "zoneMembership": (["type", "zone", "creditCode", "role", "admittedOn"], ["exitedOn", "exitReason"]),
    "policy": (["type", "title"],
               ["issuer", "documentNumber", "issuedOn", "effectiveOn", "replaces", "sourceFile"]),
}
# keys that may hold null (known not to apply: not revoked, not exited, no batch ...)
NULLABLE = {"validUntil", "batch", "announcementNumber", "revokedOn", "exitedOn", "exitReason",
            "effectiveOn", "approvingAuthority"}

LISTS = {"ABNORMAL_OPERATIONS", "SERIOUS_DISHONEST", "ADMINISTRATIVE_PENALTY", "CREDIT_GRADE", "RED_LIST"}
BRAND_SCHEMES = {"WELL_KNOWN_TRADEMARK", "PROVINCIAL_FAMOUS_PRODUCT", "GEOGRAPHICAL_INDICATION", "ZHEJIANG_MADE",
                 "PROVINCIAL_FAMOUS_TRADEMARK", "CHINA_FAMOUS_PRODUCT"}
TITLE_SCHEMES = {"GOVERNMENT_QUALITY_AWARD", "SINGLE_CHAMPION", "DEMONSTRATION_ENTERPRISE",
                 "QUALITY_PRODUCTION_BASE", "OTHER"}
BRAND_LEVELS = {"NATIONAL", "PROVINCIAL", "CITY"}
TITLE_LEVELS = {"NATIONAL", "PROVINCIAL", "CITY", "COUNTY"}
ZONE_LEVELS = {"NATIONAL", "PROVINCIAL"}
ZONE_KINDS = {"INDUSTRIAL", "FOOD_AGRICULTURAL"}
ZONE_STATUSES = ["CULTIVATING", "APPLYING", "ACCEPTED", "REVOKED"]
ROLES = {"LEAD", "MEMBER"}

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REGION_RE = re.compile(r"^\d{6}$")
REGNO_RE = re.compile(r"^\d{15}$")
ZONE_CODE_RE = re.compile(r"^[a-z]{2}(?:-[a-z0-9]+)+$")
ZONE_NAME_RE = re.compile(r"^.+(?:省|市|自治区).+出口.+质量安全示范区$|^.+(?:省|市|自治区).+质量安全示范区$")
# issuer abbreviation + 〔year〕 + number + 号; brackets may arrive as 〔〕, [] or ()
DOCNO_RE = re.compile(r"^[\u4e00-\u9fff]+[〔\[(（](\d{4})[〕\])）]第?\d+号$")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
TZZB_RE = re.compile(r"^T/ZZB \d{4}-\d{4}$")

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code_form_ok(code):
    return isinstance(code, str) and len(code) == 18 and all(c in CREDIT_ALPHABET for c in code)


def credit_code_ok(code):
    """GB 32100-2015: 18 characters, the last a check character over the first 17."""
    if not credit_code_form_ok(code):
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


def regno_ok(number):
    """Legacy 15-digit registration number: ISO 7064 MOD 11,10 check digit."""
    if not REGNO_RE.match(number):
        return False
    p = 10
    for ch in number[:14]:
        s = p % 11 + int(ch)
        p = (s % 10 or 10) * 2
    return (p % 11 + int(number[14])) % 10 == 1


def parse_date(value):
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise ValueError("not YYYY-MM-DD")
    return dt.date.fromisoformat(value)


def add_years(d, n):
    try:
        return d.replace(year=d.year + n)
    except ValueError:            # 29 February
        return d.replace(year=d.year + n, day=28)


def find_shared(here):
    for base in (os.path.join(here, "..", "..", "shared"), os.path.join(here, "..", "shared")):
        if os.path.isdir(os.path.join(base, "data")):
            return base
    return None


def load_regions(shared):
    """Six-digit codes of 2023: areas, cities (code + 00) and provinces (code + 0000)."""
    if not shared:
        return None
    ref = os.path.join(shared, "data", "reference")
    codes = set()
    for name, pad in (("cn-divisions-2023-areas.csv", ""), ("cn-divisions-2023-cities.csv", "00"),
                      ("cn-divisions-2023-provinces.csv", "0000")):
        p = os.path.join(ref, name)
        if not os.path.exists(p):
            return None
        with open(p, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                codes.add(row["code"] + pad)
    return codes


def load_policy_files(shared):
    if not shared:
        return None
    d = os.path.join(shared, "data", "policies")
    return set(os.listdir(d)) if os.path.isdir(d) else None


def load_standard_numbers(here):
    p = os.path.join(here, "..", "demo", "standards.jsonl")
    if not os.path.exists(p):
        return None
    nums = set()
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            try:
                nums.add(json.loads(line).get("number"))
            except (json.JSONDecodeError, AttributeError):
                pass
    return nums


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "demo", "enterprises.jsonl")
    today = REFERENCE_DAY
    expect_invalid = EXPECT_INVALID
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--today":
            today = dt.date.fromisoformat(args.pop(0))
        elif a == "--expect-invalid":
            expect_invalid = int(args.pop(0))
        else:
            path = a
    shared = find_shared(here)
    regions = load_regions(shared)
    policy_files = load_policy_files(shared)
    standard_numbers = load_standard_numbers(here)

    errors = []
    warnings = []
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()

    by_type = defaultdict(list)     # type -> [(line, record, dates)]

    for no, line in enumerate(lines, 1):
        def err(msg):
            errors.append("line %d: %s" % (no, msg))

        def warn(msg):
            warnings.append("line %d: %s" % (no, msg))

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
        t = rec.get("type")
        if t not in KEYS:
            err("unknown type %r" % (t,))
            continue
        required, optional = KEYS[t]
        for k in required:
            if k not in rec or rec[k] in (None, "", []) and not (k == "history" and rec[k] == []):
                err("%s: missing required key %r" % (t, k))
        for k, v in rec.items():
            if k not in required and k not in optional:
                err("%s: unknown key %r" % (t, k))
            elif v is None and k not in NULLABLE:
                err("%s: %s is null; omit it when unknown" % (t, k))
            elif isinstance(v, str) and (not v.strip() or v != v.strip()):
                err("%s: %s must be a trimmed non-empty string" % (t, k))

        def date(k, allow_future=False):
            v = rec.get(k)
            if v is None:
                return None
            try:
                d = parse_date(v)
            except ValueError as e:
                err("%s %r: %s" % (k, v, e))
                return None
            if not dt.date(1949, 10, 1) <= d <= dt.date(2040, 12, 31):
                err("%s %s out of range" % (k, d))
            if not allow_future and d > today:
                err("%s %s is after the reference day %s" % (k, d, today))
            return d

        def credit_code(k="creditCode", value=None):
            cc = rec.get(k) if value is None else value
            if cc is None:
                return
            if not credit_code_form_ok(cc):
                err("%s %r is not 18 characters of the credit-code alphabet" % (k, cc))

        def region(k="regionCode"):
            rc = rec.get(k)
            if rc is None:
                return
            if not isinstance(rc, str) or not REGION_RE.match(rc):
                err("%s %r is not a six-digit division code" % (k, rc))
            elif regions is not None and rc not in regions:
                warn("%s %s is not in the 2023 division codes" % (k, rc))

        dates = {}
        if t == "enterprise":
            credit_code()
            region()
            cc = rec.get("creditCode")
            if credit_code_form_ok(cc):
                if cc[:2] != "91":
                    warn("credit code %s does not start with 91 (enterprise)" % cc)
                if regions is not None and cc[2:8] not in regions:
                    warn("registering authority %s of %s is not a 2023 division code (may be historical)"
                         % (cc[2:8], cc))
                if credit_code_ok(cc) and not org_code_ok(cc[8:17]):
                    warn("organisation code in %s fails GB 11714" % cc)
            for k in ("formerNames", "mainProducts"):
                v = rec.get(k)
                if v is not None and (not isinstance(v, list) or not v
                                      or not all(isinstance(x, str) and x.strip() for x in v)):
                    err("%s must be a non-empty array of strings" % k)
                elif v is not None and len(set(v)) != len(v):
                    err("%s has duplicates" % k)
            if isinstance(rec.get("formerNames"), list) and rec.get("name") in rec["formerNames"]:
                err("current name listed among former names")
            rn = rec.get("registrationNumber")
            if rn is not None:
                if not isinstance(rn, str) or not REGNO_RE.match(rn):
                    err("registrationNumber %r is not 15 digits" % (rn,))
                elif not regno_ok(rn):
                    warn("registrationNumber %s fails the MOD 11,10 check" % rn)
            if isinstance(rec.get("name"), str) and not CJK_RE.search(rec["name"]):
                err("name has no Chinese text")

        elif t == "creditEntry":
            credit_code()
            lst = rec.get("list")
            if lst not in LISTS:
                err("unknown list %r" % (lst,))
            listed = date("listedOn")
            removed = date("removedOn")
            dates = {"listedOn": listed, "removedOn": removed}
            if listed and removed and removed < listed:
                err("removedOn before listedOn")
            has_removal = [k in rec for k in ("removedOn", "removalReason", "removalAuthority")]
            if any(has_removal) and not all(has_removal):
                err("removedOn, removalReason and removalAuthority go together")
            if lst == "CREDIT_GRADE":
                if not isinstance(rec.get("grade"), str):
                    err("CREDIT_GRADE needs a grade")
            elif "grade" in rec:
                err("grade is only for CREDIT_GRADE")
            if lst == "ADMINISTRATIVE_PENALTY" and "罚" not in str(rec.get("reason", "")) \
                    and "警告" not in str(rec.get("reason", "")):
                warn("administrative penalty whose reason states no penalty")
            if lst in ("ABNORMAL_OPERATIONS", "SERIOUS_DISHONEST", "ADMINISTRATIVE_PENALTY") \
                    and "documentNumber" not in rec:
                warn("%s entry without a document number" % lst)
            dn = rec.get("documentNumber")
            if isinstance(dn, str) and not DOCNO_RE.match(dn):
                err("documentNumber %r is not of the form 简称〔年〕号" % dn)
            elif isinstance(dn, str) and listed and int(DOCNO_RE.match(dn).group(1)) != listed.year:
                warn("documentNumber %s is of another year than listedOn %s" % (dn, listed))

        elif t == "brand":
            scheme = rec.get("scheme")
            if scheme not in BRAND_SCHEMES:
                err("unknown scheme %r" % (scheme,))
            if rec.get("level") not in BRAND_LEVELS:
                err("unknown level %r" % (rec.get("level"),))
            credit_code()
            if scheme != "GEOGRAPHICAL_INDICATION":
                if "creditCode" not in rec:
                    err("%s needs a creditCode" % scheme)
                if "awardedOn" not in rec:
                    err("%s needs awardedOn" % scheme)
                if "authorizedUsers" in rec:
                    err("authorizedUsers is only for GEOGRAPHICAL_INDICATION")
            else:
                users = rec.get("authorizedUsers")
                if not isinstance(users, list):
                    err("GEOGRAPHICAL_INDICATION needs authorizedUsers (an array, maybe empty)")
                else:
                    for u in users:
                        credit_code("authorizedUsers", u)
                    if len(set(map(str, users))) != len(users):
                        err("authorizedUsers has duplicates")
            awarded = date("awardedOn")
            until = date("validUntil", allow_future=True)
            revoked = date("revokedOn")
            dates = {"awardedOn": awarded, "validUntil": until, "revokedOn": revoked}
            if awarded and until and until <= awarded:
                err("validUntil not after awardedOn")
            if awarded and revoked and revoked < awarded:
                err("revokedOn before awardedOn")
            if until and revoked and revoked > until:
                err("revokedOn after validUntil")
            if scheme == "ZHEJIANG_MADE":
                for k in ("certifier", "certificateNumber", "standardNumber", "product", "validUntil"):
                    if not rec.get(k):
                        err("ZHEJIANG_MADE needs %s" % k)
                sn = rec.get("standardNumber")
                if isinstance(sn, str):
                    if not TZZB_RE.match(sn):
                        err("standardNumber %r is not a T/ZZB number" % sn)
                    elif standard_numbers is not None and sn not in standard_numbers:
                        warn("standardNumber %s is not in demo/standards.jsonl" % sn)
                if awarded and until and add_years(awarded, 3) < until:
                    err("浙江制造 certificates run three years at most")
            else:
                for k in ("certifier", "certificateNumber", "standardNumber"):
                    if k in rec:
                        err("%s is only for ZHEJIANG_MADE" % k)
            if scheme in ("WELL_KNOWN_TRADEMARK", "CHINA_FAMOUS_PRODUCT", "GEOGRAPHICAL_INDICATION") \
                    and rec.get("level") != "NATIONAL":
                err("%s is a national listing" % scheme)
            if scheme in ("PROVINCIAL_FAMOUS_PRODUCT", "PROVINCIAL_FAMOUS_TRADEMARK", "ZHEJIANG_MADE") \
                    and rec.get("level") != "PROVINCIAL":
                err("%s is a provincial listing" % scheme)
            if scheme == "WELL_KNOWN_TRADEMARK" and until:
                err("驰名商标 recognition has no validity end")
            if scheme == "PROVINCIAL_FAMOUS_TRADEMARK" and awarded and awarded > dt.date(2016, 12, 31):
                err("省著名商标 was abolished in 2017: awardedOn %s" % awarded)
            if scheme == "CHINA_FAMOUS_PRODUCT" and awarded and awarded > dt.date(2007, 12, 31):
                err("no 中国名牌产品 batches after 2007: awardedOn %s" % awarded)
            if scheme in ("PROVINCIAL_FAMOUS_PRODUCT", "CHINA_FAMOUS_PRODUCT", "PROVINCIAL_FAMOUS_TRADEMARK") \
                    and awarded and until and until > add_years(awarded, 3):
                err("%s runs three years" % scheme)
            if scheme == "PROVINCIAL_FAMOUS_PRODUCT" and not rec.get("batch"):
                warn("名牌产品 without a batch")

        elif t == "title":
            scheme = rec.get("scheme")
            if scheme not in TITLE_SCHEMES:
                err("unknown scheme %r" % (scheme,))
            if rec.get("level") not in TITLE_LEVELS:
                err("unknown level %r" % (rec.get("level"),))
            has_cc, has_rc = "creditCode" in rec, "regionCode" in rec
            if has_cc == has_rc:
                err("a title has either a creditCode or a regionCode")
            if has_rc and scheme not in ("QUALITY_PRODUCTION_BASE", "OTHER"):
                err("only QUALITY_PRODUCTION_BASE and OTHER titles go to a region")
            credit_code()
            region()
            awarded = date("awardedOn")
            until = date("validUntil", allow_future=True)
            revoked = date("revokedOn")
            dates = {"awardedOn": awarded, "validUntil": until, "revokedOn": revoked}
            if awarded and until and until <= awarded:
                err("validUntil not after awardedOn")
            if awarded and revoked and revoked < awarded:
                err("revokedOn before awardedOn")
            if until and revoked and revoked > until:
                err("revokedOn after validUntil")
            if scheme == "GOVERNMENT_QUALITY_AWARD" and not rec.get("edition"):
                warn("government quality award without an edition")
            if scheme == "SINGLE_CHAMPION" and rec.get("level") != "NATIONAL":
                err("单项冠军 is a national title")

        elif t == "zone":
            code = rec.get("code")
            if not isinstance(code, str) or not ZONE_CODE_RE.match(code):
                err("zone code %r is not of the form xx-place-industry" % (code,))
            if rec.get("kind") not in ZONE_KINDS:
                err("unknown kind %r" % (rec.get("kind"),))
            if rec.get("level") not in ZONE_LEVELS:
                err("unknown level %r" % (rec.get("level"),))
            region()
            name = rec.get("name")
            if isinstance(name, str) and not ZONE_NAME_RE.match(name):
                warn("zone name %s does not follow {省}{县市区}出口{产品}质量安全示范区" % name)
            hist = rec.get("history")
            if not isinstance(hist, list) or not hist:
                err("history must be a non-empty array")
                hist = []
            prev = None
            seen = []
            for i, h in enumerate(hist):
                if not isinstance(h, dict) or set(h) - {"status", "date", "note"} \
                        or "status" not in h or "date" not in h:
                    err("bad history entry %d: %r" % (i, h))
                    continue
                st = h["status"]
                if st not in ZONE_STATUSES:
                    err("unknown zone status %r" % (st,))
                    continue
                if "note" in h and (not isinstance(h["note"], str) or not h["note"].strip()):
                    err("history note must be a non-empty string")
                try:
                    d = parse_date(h["date"])
                except ValueError as e:
                    err("history date %r: %s" % (h["date"], e))
                    continue
                if d > today:
                    err("history date %s after the reference day" % d)
                if prev and d < prev:
                    err("history not in date order (%s after %s)" % (d, prev))
                if seen and ZONE_STATUSES.index(st) < ZONE_STATUSES.index(seen[-1]):
                    err("status %s after %s" % (st, seen[-1]))
                if st in seen:
                    err("status %s twice" % st)
                if "REVOKED" in seen:
                    err("nothing follows REVOKED")
                if st == "REVOKED" and "ACCEPTED" not in seen:
                    err("only an accepted zone can be revoked")
                prev = d
                seen.append(st)
                dates[st] = d
            if rec.get("batch") and "ACCEPTED" not in seen:
                err("a zone with a batch has been accepted")
            if rec.get("level") == "NATIONAL" and "ACCEPTED" in seen and not rec.get("batch"):
                warn("accepted national zone without a batch")

        elif t == "zoneMembership":
            credit_code()
            if rec.get("role") not in ROLES:
                err("unknown role %r" % (rec.get("role"),))
            admitted = date("admittedOn")
            exited = date("exitedOn")
            dates = {"admittedOn": admitted, "exitedOn": exited}
            if admitted and exited and exited < admitted:
                err("exitedOn before admittedOn")
            if (rec.get("exitedOn") is None) != (rec.get("exitReason") is None):
                err("exitedOn and exitReason go together")

        elif t == "policy":
            dn = rec.get("documentNumber")
            if dn is not None and (not isinstance(dn, str) or not DOCNO_RE.match(dn)):
                err("documentNumber %r is not of the form 简称〔年〕号" % (dn,))
            if "documentNumber" not in rec and "sourceFile" not in rec:
                err("a policy needs a documentNumber or a sourceFile")
            issued = date("issuedOn")
            effective = date("effectiveOn")
            dates = {"issuedOn": issued, "effectiveOn": effective}
            if issued and effective and effective < issued:
                err("effectiveOn before issuedOn")
            if isinstance(dn, str) and issued and DOCNO_RE.match(dn) \
                    and int(DOCNO_RE.match(dn).group(1)) != issued.year:
                err("documentNumber %s is of another year than issuedOn %s" % (dn, issued))
            reps = rec.get("replaces", [])
            if not isinstance(reps, list):
                err("replaces must be an array")
            else:
                for r in reps:
                    if not isinstance(r, str) or not DOCNO_RE.match(r):
                        err("replaces: bad document number %r" % (r,))
                    elif r == dn:
                        err("a policy cannot replace itself")
            sf = rec.get("sourceFile")
            if sf is not None and policy_files is not None and sf not in policy_files:
                err("sourceFile %s is not in shared/data/policies" % sf)

        by_type[t].append((no, rec, dates))

    # ---- across records
    enterprises = {}
    names = {}
    for no, rec, _ in by_type["enterprise"]:
        cc, name = rec.get("creditCode"), rec.get("name")
        if cc in enterprises:
            errors.append("line %d: credit code %s already on line %d" % (no, cc, enterprises[cc][0]))
        else:
            enterprises[cc] = (no, rec)
        if name in names:
            errors.append("line %d: enterprise name %s already on line %d" % (no, name, names[name]))
        else:
            names[name] = no
    all_names = set(names)
    for no, rec, _ in by_type["enterprise"]:
        for former in rec.get("formerNames") or []:
            if former in all_names:
                errors.append("line %d: former name %s is another enterprise's current name" % (no, former))

    invalid = sorted(cc for cc in enterprises if credit_code_form_ok(cc) and not credit_code_ok(cc))
    if len(invalid) != expect_invalid:
        errors.append("%d credit code(s) fail the GB 32100 check (%s), expected exactly %d"
                      % (len(invalid), ", ".join(invalid) or "none", expect_invalid))

    def known(no, cc, what):
        if cc not in enterprises:
            errors.append("line %d: %s %s is not an enterprise in the file" % (no, what, cc))

    for t in ("creditEntry", "brand", "title", "zoneMembership"):
        for no, rec, _ in by_type[t]:
            if "creditCode" in rec:
                known(no, rec["creditCode"], "creditCode")
    for no, rec, _ in by_type["brand"]:
        for u in rec.get("authorizedUsers") or []:
            known(no, u, "authorised user")

    # credit listings: order per enterprise; the three-year rule
    entries = defaultdict(list)
    for no, rec, d in by_type["creditEntry"]:
        entries[rec.get("creditCode")].append((no, rec, d))
    for cc, es in entries.items():
        abnormal = [(no, r, d) for no, r, d in es if r.get("list") == "ABNORMAL_OPERATIONS"]
        serious = [(no, r, d) for no, r, d in es if r.get("list") == "SERIOUS_DISHONEST"]
        for no, r, d in abnormal:
            if d.get("listedOn") and d.get("removedOn") is None and add_years(d["listedOn"], 3) <= today:
                if not any(sd.get("listedOn") for _, _, sd in serious):
                    warnings.append("line %d: %s on the abnormal list since %s and not on the serious list"
                                    % (no, cc, d["listedOn"]))
        for no, r, d in serious:
            if "届满" in str(r.get("reason", "")):
                ok = any(ad.get("listedOn") and d.get("listedOn")
                         and add_years(ad["listedOn"], 3) <= d["listedOn"]
                         and (ad.get("removedOn") is None or ad["removedOn"] >= d["listedOn"])
                         for _, _, ad in abnormal)
                if not ok:
                    errors.append("line %d: %s moved to the serious list without three years on the abnormal list"
                                  % (no, cc))
        # the same listing twice at once
        seen = {}
        for no, r, d in es:
            key = (r.get("list"), r.get("documentNumber"), r.get("listedOn"))
            if key in seen:
                errors.append("line %d: same listing as line %d" % (no, seen[key]))
            seen[key] = no

    # zones and memberships
    zones = {}
    for no, rec, d in by_type["zone"]:
        code = rec.get("code")
        if code in zones:
            errors.append("line %d: zone code %s already on line %d" % (no, code, zones[code][0]))
        else:
            zones[code] = (no, rec, d)
    zone_names = Counter((rec.get("name"), rec.get("level")) for _, rec, _ in by_type["zone"])
    for (name, level), n in zone_names.items():
        if n > 1:
            errors.append("zone %s (%s) appears %d times" % (name, level, n))
    member_pairs = {}
    zones_per_enterprise = defaultdict(set)
    for no, rec, d in by_type["zoneMembership"]:
        z = rec.get("zone")
        if z not in zones:
            errors.append("line %d: zone %s is not a zone in the file" % (no, z))
            continue
        pair = (z, rec.get("creditCode"))
        if pair in member_pairs:
            errors.append("line %d: %s already a member of %s on line %d"
                          % (no, pair[1], z, member_pairs[pair]))
        member_pairs[pair] = no
        zones_per_enterprise[rec.get("creditCode")].add(z)
        zd = zones[z][2]
        revoked = zd.get("REVOKED")
        if revoked and d.get("admittedOn") and d["admittedOn"] > revoked:
            errors.append("line %d: admitted to %s after it was revoked" % (no, z))
        if revoked and d.get("exitedOn") is None:
            errors.append("line %d: still a member of %s, revoked %s" % (no, z, revoked))
        if revoked and d.get("exitedOn") and d["exitedOn"] > revoked:
            errors.append("line %d: exited %s after it was revoked" % (no, z))
    leads = Counter(rec.get("zone") for _, rec, d in by_type["zoneMembership"]
                    if rec.get("role") == "LEAD" and d.get("exitedOn") is None)
    for z, n in leads.items():
        if n > 1:
            warnings.append("zone %s has %d current lead enterprises" % (z, n))

    # policies
    docnos = {}
    sources = {}
    for no, rec, _ in by_type["policy"]:
        dn, sf = rec.get("documentNumber"), rec.get("sourceFile")
        if dn is not None:
            if dn in docnos:
                errors.append("line %d: document %s already on line %d" % (no, dn, docnos[dn]))
            docnos[dn] = no
        if sf is not None:
            if sf in sources:
                errors.append("line %d: source file %s already on line %d" % (no, sf, sources[sf]))
            sources[sf] = no
    for no, rec, _ in by_type["policy"]:
        for r in rec.get("replaces") or []:
            if r not in docnos:
                warnings.append("line %d: replaced document %s has no record" % (no, r))

    # report
    print("%d records in %s (reference day %s)" % (sum(len(v) for v in by_type.values()),
                                                    os.path.relpath(path), today))
    print("types:    " + ", ".join("%s %d" % (t, len(by_type[t])) for t in KEYS))
    print("credit codes: %d enterprises, %d failing the check (%s)"
          % (len(enterprises), len(invalid), ", ".join(invalid)))
    print("lists:    " + ", ".join("%s %d" % kv for kv in sorted(
        Counter(r.get("list") for _, r, _ in by_type["creditEntry"]).items())))
    print("brands:   " + ", ".join("%s %d" % kv for kv in sorted(
        Counter(r.get("scheme") for _, r, _ in by_type["brand"]).items())))
    print("titles:   " + ", ".join("%s %d" % kv for kv in sorted(
        Counter(r.get("scheme") for _, r, _ in by_type["title"]).items())))
    last = Counter(r["history"][-1]["status"] for _, r, _ in by_type["zone"]
                   if isinstance(r.get("history"), list) and r["history"]
                   and isinstance(r["history"][-1], dict) and "status" in r["history"][-1])
    print("zones:    " + ", ".join("%s %d" % kv for kv in sorted(last.items())) + " (by current status)")
    exited = sum(1 for _, r, _ in by_type["zoneMembership"] if r.get("exitedOn"))
    multi = sum(1 for z in zones_per_enterprise.values() if len(z) > 1)
    print("memberships: %d (%d exited; %d enterprise(s) in more than one zone)"
          % (len(by_type["zoneMembership"]), exited, multi))
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
