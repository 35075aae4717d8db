// Subscribes to the server's GraphQL subscriptions the way a portal would: with the `graphql-ws` client over the
// `graphql-transport-ws` protocol (the `ws` package as the WebSocket, Node 20 has none built in). Prints one JSON
// line per thing heard on stdout and exits after `count` results (next or error), on close, or at `timeoutMs`.
//
//   node subscribe.mjs ws://127.0.0.1:8080/graphql '{"subscriptions": [{"query": "...", "variables": {}}],
//       "count": 1, "timeoutMs": 20000}'
//
// Lines: {"type":"connected"}; {"type":"ready"} once every subscription listens (a query sent after them on the
// same connection has answered); {"type":"next","sub":0,"payload":{...}}; {"type":"error","sub":0,"payload":[...]};
// {"type":"complete","sub":0}; {"type":"closed","code":4408,"reason":"..."}; {"type":"timeout"}.
//
// With "raw": true the `ws` package is used alone: the messages of "send" are sent as they are (none, to check the
// initialisation timeout), then with "sendLarge": n a `subscribe` whose query is padded with n characters, and every
// message received is printed as {"type":"message","message":{...}}.

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, configText] = process.argv.slice(2);
if (!url) {
  console.error('usage: node subscribe.mjs <ws-url> [config-json]');
  process.exit(2);
}
const config = JSON.parse(configText || '{}');
const count = config.count ?? 1;
const timeoutMs = config.timeoutMs ?? 20000;

const print = (v) => process.stdout.write(JSON.stringify(v) + '\n');
let results = 0;
let done = false;
const finish = (code = 0) => {
  if (done) return;
  done = true;
  // Let stdout drain before leaving.
  process.stdout.write('', () => process.exit(code));
};
setTimeout(() => {
  print({ type: 'timeout' });
  finish();
}, timeoutMs);

const counted = () => {
  results += 1;
  if (results >= count) finish();
};

// A `graphql-ws` error is an array of GraphQL errors, a CloseEvent, or an Error.
const describe = (e) => {
  if (Array.isArray(e)) return e;
  if (e && typeof e.code === 'number') return { code: e.code, reason: e.reason };
  return { message: String(e && e.message ? e.message : e) };
};

if (config.raw) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  socket.on('open', () => {
    print({ type: 'connected', protocol: socket.protocol });
    for (const m of config.send ?? []) socket.send(typeof m === 'string' ? m : JSON.stringify(m));
    if (config.sendLarge) {
      const query = '{ __typename } #' + 'x'.repeat(config.sendLarge);
      socket.send(JSON.stringify({ id: 'large', type: 'subscribe', payload: { query } }));
    }
  });
  socket.on('message', (data) => {
    let message;
    try {
      message = JSON.parse(data.toString());
    } catch {
      message = data.toString();
    }
    print({ type: 'message', message });
    if (message && (message.type === 'next' || message.type === 'error')) counted();
  });
  socket.on('close', (code, reason) => {
    print({ type: 'closed', code, reason: reason.toString() });
    finish();
  });
  socket.on('unexpected-response', (_req, res) => {
    print({ type: 'refused', status: res.statusCode });
    finish();
  });
  socket.on('error', (e) => print({ type: 'socket-error', message: String(e.message) }));
} else {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    on: {
      connected: () => print({ type: 'connected' }),
      closed: (e) => {
        print({ type: 'closed', code: e?.code, reason: e?.reason });
        finish();
      },
    },
  });
  const subscriptions = config.subscriptions ?? [];
  subscriptions.forEach((payload, sub) => {
    client.subscribe(payload, {
      next: (value) => {
        print({ type: 'next', sub, payload: value });
        counted();
      },
      error: (e) => {
        print({ type: 'error', sub, payload: describe(e) });
        counted();
      },
      complete: () => print({ type: 'complete', sub }),
    });
  });
  // The server reads a connection's next message once the subscriptions before it listen, so the answer to this
  // query says that they do.
  client.subscribe(
    { query: '{ __typename }' },
    {
      next: () => {},
      error: (e) => print({ type: 'ready-error', payload: describe(e) }),
      complete: () => print({ type: 'ready' }),
    },
  );
}
