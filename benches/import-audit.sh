#!/usr/bin/env bash
# The cost of auditing imports: times `zhiliang import` of 3,900 notices (the 65 demo notices 60 times over, their
# symbols renumbered so that every copy is a new record with its own chains) into a new SQLite file, and again into
# the same file (every row written again as it is), for each binary given. Compare a build of this release with
# one of the release before the audit trail (204f857): benches/import-audit.sh OLD/zhiliang target/release/zhiliang
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/notices.jsonl" <<'PY'
import json, re, sys
pat = re.compile(r'^(G/(?:TBT|SPS)/N/[A-Z]{2,4}/)(\d{1,5})(.*)$')
rows = [json.loads(l) for l in open('demo/notices.jsonl', encoding='utf-8') if l.strip()]
def renumber(s, k):
    m = pat.match(s)
    return f"{m.group(1)}{int(m.group(2)) % 1000 + 1000 * (k + 1)}{m.group(3)}" if m else s
with open(sys.argv[1], 'w', encoding='utf-8') as out:
    for k in range(60):
        for r in rows:
            r = dict(r, symbols=[renumber(s, k) for s in r.get('symbols', [])])
            out.write(json.dumps(r, ensure_ascii=False) + '\n')
PY
for bin in "$@"; do
  for run in 1 2 3; do
    db="$work/run$run.db"
    export ZHILIANG_DATABASE_URL="sqlite://$db?mode=rwc" ZHILIANG_LOG=warn
    "$bin" migrate >/dev/null 2>&1
    fresh=$( { /usr/bin/time -f %e "$bin" import --no-index "$work/notices.jsonl" >/dev/null; } 2>&1 | tail -1)
    again=$( { /usr/bin/time -f %e "$bin" import --no-index "$work/notices.jsonl" >/dev/null; } 2>&1 | tail -1)
    echo "$bin run $run: new file ${fresh} s, again ${again} s (3,900 notices)"
    rm -f "$db" "$db-wal" "$db-shm"
  done
done
