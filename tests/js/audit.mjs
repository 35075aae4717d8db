// Runs every GraphQL-over-HTTP server audit of the graphql-http package against URL and prints the results as
// one line of JSON: [{ id, name, status, reason }], status as the package reports it (ok, notice, warn, error).
// It decides nothing: the Rust test that runs it says which results are acceptable.
//
//   node tests/js/audit.mjs http://127.0.0.1:8080/graphql

import { serverAudits } from 'graphql-http';

function fail(message) {
  process.stderr.write(`audit.mjs: ${message}\n`);
  process.exit(1);
}

const url = process.argv[2];
if (!url || process.argv.length > 3) {
  fail('usage: node audit.mjs URL');
}
try {
  new URL(url);
} catch {
  fail(`not a URL: ${url}`);
}

const results = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  let result;
  try {
    result = await audit.fn();
  } catch (err) {
    // The package throws only when an audit cannot run at all (the server is unreachable, for one).
    results.push({ id: audit.id, name: audit.name, status: 'error', reason: `the audit could not run: ${err}` });
    continue;
  }
  const entry = { id: result.id, name: result.name, status: result.status, reason: null };
  if (result.status !== 'ok') {
    entry.reason = String(result.reason);
    try {
      if (result.response && result.response.body && !result.response.bodyUsed) {
        await result.response.body.cancel();
      }
    } catch {
      // Already read or closed: nothing to release.
    }
  }
  results.push(entry);
}
process.stdout.write(JSON.stringify(results) + '\n');
