// Drives the official @directus/sdk against a live authmock and prints what it saw as JSON.
// Usage: node run.mjs <base url>   (test_sdk.py runs it and asserts on the output)
import {
  authentication, createDirectus, isDirectusError, readItems, readMe, refresh, rest, staticToken,
} from '@directus/sdk';

const url = process.argv[2];
const out = {};

async function failure(promise) {
  try {
    await promise;
    return { ok: true };
  } catch (err) {
    return {
      ok: false,
      directus: isDirectusError(err),
      status: err.response?.status ?? null,
      message: err.errors?.[0]?.message ?? String(err),
      code: err.errors?.[0]?.extensions?.code ?? null,
    };
  }
}

// json mode: Node's fetch keeps no cookies, so cookie/session modes could not refresh here.
const client = createDirectus(url).with(authentication('json', { autoRefresh: false })).with(rest());

const auth = await client.login({ email: 'admin@example.com', password: 'password' });
out.login = {
  access_token: typeof auth.access_token,
  refresh_token_length: auth.refresh_token.length,
  expires: auth.expires,
};

out.me = await client.request(readMe({ fields: ['id', 'email'] }));

const oldRefresh = auth.refresh_token;
const refreshed = await client.refresh();
out.refresh = {
  rotated: refreshed.refresh_token !== oldRefresh,
  refresh_token_length: refreshed.refresh_token.length,
  expires: refreshed.expires,
};

const bare = createDirectus(url).with(rest());
out.old_refresh = await failure(bare.request(refresh({ mode: 'json', refresh_token: oldRefresh })));

out.me_after_refresh = await client.request(readMe({ fields: ['id'] }));

const lastRefresh = refreshed.refresh_token;
await client.logout();
out.token_after_logout = await client.getToken();
out.refresh_after_logout = await failure(bare.request(refresh({ mode: 'json', refresh_token: lastRefresh })));

out.wrong_password = await failure(client.login({ email: 'admin@example.com', password: 'wrong' }));

const robot = createDirectus(url).with(staticToken('admin-static-token')).with(rest());
out.static_me = await robot.request(readMe({ fields: ['email'] }));

const visitor = createDirectus(url).with(rest());
out.public_articles = await visitor.request(readItems('articles', { fields: ['id', 'status'] }));

console.log(JSON.stringify(out));
