// Drives the official @directus/sdk's graphql() and realtime() clients against a live authmock
// and prints what it saw as JSON. Usage: node realtime.mjs <base url>  (test_sdk.py runs it).
// Node 20 has no global WebSocket unless started with --experimental-websocket (test_sdk.py
// passes it there); Node 22 has one. The SDK takes it from `globals.WebSocket`.
import { authentication, createDirectus, graphql, realtime } from '@directus/sdk';

const url = process.argv[2];
const out = {};
if (typeof globalThis.WebSocket !== 'function') {
  console.error('no global WebSocket: run Node 22+, or Node 20 with --experimental-websocket');
  process.exit(2);
}

async function failure(promise) {
  try {
    await promise;
    return { ok: true };
  } catch (err) {
    return {
      ok: false,
      status: err.response?.status ?? null,
      message: err.errors?.[0]?.message ?? String(err),
      code: err.errors?.[0]?.extensions?.code ?? null,
      data: err.data ?? null,
    };
  }
}

async function advanceClock(amount) {
  const response = await fetch(`${url}/__authmock__/clock`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ advance: amount }),
  });
  if (!response.ok) throw new Error(`clock: ${response.status}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// graphql(): the auth mutations and users_me on /graphql/system ---------------------------------
const gql = createDirectus(url).with(authentication('json', { autoRefresh: false })).with(graphql());
const LOGIN = 'mutation ($e: String!, $p: String!) { auth_login(email: $e, password: $p) { access_token refresh_token expires } }';
const login = (await gql.query(LOGIN, { e: 'admin@example.com', p: 'password' }, 'system')).auth_login;
out.gql_login = {
  access_token: typeof login.access_token, refresh_token_length: login.refresh_token.length, expires: login.expires,
};
await gql.setToken(login.access_token);
out.gql_me = (await gql.query('{ users_me { id email } }', {}, 'system')).users_me;
const REFRESH = 'mutation ($t: String) { auth_refresh(refresh_token: $t) { access_token refresh_token expires } }';
const refreshed = (await gql.query(REFRESH, { t: login.refresh_token }, 'system')).auth_refresh;
out.gql_refresh = { rotated: refreshed.refresh_token !== login.refresh_token, expires: refreshed.expires };
out.gql_old_refresh = await failure(gql.query(REFRESH, { t: login.refresh_token }, 'system'));
out.gql_wrong_password = await failure(gql.query(LOGIN, { e: 'admin@example.com', p: 'wrong' }, 'system'));
out.gql_articles = (await createDirectus(url).with(graphql()).query('{ articles { id status } }')).articles;

// realtime(): handshake auth, subscribe, token expiry on the mock clock ---------------------------
const client = createDirectus(url, { globals: { WebSocket: globalThis.WebSocket } })
  .with(authentication('json', { autoRefresh: false }))
  .with(realtime({ authMode: 'handshake', reconnect: false, heartbeat: true }));
await client.login({ email: 'hello@example.com', password: 'd1r3ctu5' });
const socket = await client.connect();
const seen = [];
let closed = null;
socket.addEventListener('message', (event) => seen.push(JSON.parse(event.data)));
socket.addEventListener('close', (event) => { closed = event.code; });
out.rt_connected = await client.isConnected();

const { subscription, unsubscribe } = await client.subscribe('articles', { query: { fields: ['id', 'status'] } });
const first = (await subscription.next()).value;
out.rt_subscribe = { type: first.type, event: first.event, data: first.data };
unsubscribe();

await advanceClock('15m');
for (let i = 0; i < 100 && closed === null; i++) await sleep(50);
// the SDK answers TOKEN_EXPIRED by re-sending its (now expired) access token, which fails
out.rt_after_expiry = seen.filter((m) => m.type === 'auth').map((m) => m.error?.code ?? m.status);
out.rt_closed = closed !== null;

// a refresh through REST and a new connection authenticate again
await client.refresh();
await client.connect();
out.rt_reconnected = await client.isConnected();
client.disconnect();

console.log(JSON.stringify(out));
