// Drives the official @directus/sdk against a live authmock and prints what it saw as JSON.
// Usage: node run.mjs <base url>   (test_sdk.py runs it and asserts on the output)
import { createHmac } from 'node:crypto';
import {
  acceptUserInvite, authentication, createDirectus, createUser, disableTwoFactor, enableTwoFactor,
  generateTwoFactorSecret, inviteUser, isDirectusError, readItems, readMe, refresh, registerUser,
  rest, staticToken, updateMe, updateSettings,
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

// account flows ------------------------------------------------------------------------------
const EDITOR_ROLE = 'a1f2c3d4-0000-4000-8000-000000000002';
const control = async (path) => (await fetch(`${url}/__authmock__${path}`)).json();
const lastToken = async (to) => (await control(`/mailbox?to=${encodeURIComponent(to)}`)).messages.at(-1).token;

// RFC 6238 as otplib computes it (SHA1, 6 digits, 30 s), on the mock clock
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes = [];
  for (const char of text) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}
async function totp(secret) {
  const now = Date.parse((await control('/clock')).now) / 1000;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[19] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

await robot.request(updateSettings({ public_registration: true, public_registration_role: EDITOR_ROLE }));
await visitor.request(registerUser('sdk.user@example.com', 'sdk-password', { first_name: 'Sdk' }));
const verified = await fetch(
  `${url}/users/register/verify-email?token=${await lastToken('sdk.user@example.com')}`, { redirect: 'manual' },
);
out.register_verify = { status: verified.status, to_admin_user: verified.headers.get('location').startsWith('/admin/users/') };
const newcomer = createDirectus(url).with(authentication('json', { autoRefresh: false })).with(rest());
await newcomer.login({ email: 'sdk.user@example.com', password: 'sdk-password' });
out.registered_me = await newcomer.request(readMe({ fields: ['email', 'first_name', 'status', 'role'] }));

await robot.request(inviteUser('sdk.invitee@example.com', EDITOR_ROLE));
await visitor.request(acceptUserInvite(await lastToken('sdk.invitee@example.com'), 'invitee-password'));
const invitee = createDirectus(url).with(authentication('json', { autoRefresh: false })).with(rest());
await invitee.login({ email: 'sdk.invitee@example.com', password: 'invitee-password' });
out.invitee_me = await invitee.request(readMe({ fields: ['email', 'status'] }));

out.created = await robot.request(createUser(
  { email: 'sdk.created@example.com', password: 'created-password', role: EDITOR_ROLE },
  { fields: ['email', 'role', 'status'] },
));
out.duplicate = await failure(robot.request(createUser({ email: 'sdk.created@example.com' })));
out.updated_me = await robot.request(updateMe({ first_name: 'Robot' }, { fields: ['first_name'] }));

const owner = createDirectus(url).with(authentication('json', { autoRefresh: false })).with(rest());
await owner.login({ email: 'admin@example.com', password: 'password' });
const generated = await owner.request(generateTwoFactorSecret('password'));
out.tfa_generate = {
  secret_length: generated.secret.length,
  url: generated.otpauth_url.replace(generated.secret, '<secret>'),
};
out.tfa_wrong_otp = await failure(owner.request(enableTwoFactor(generated.secret, '12')));
await owner.request(enableTwoFactor(generated.secret, await totp(generated.secret)));
const fresh = createDirectus(url).with(authentication('json', { autoRefresh: false })).with(rest());
out.login_without_otp = await failure(fresh.login({ email: 'admin@example.com', password: 'password' }));
const served = (await control('/users/admin@example.com/otp')).otp;
out.served_otp_matches = served === await totp(generated.secret);
await fresh.login({ email: 'admin@example.com', password: 'password' }, { otp: served });
out.login_with_otp = typeof (await fresh.getToken());
await owner.request(disableTwoFactor(served));
out.tfa_after_disable = await owner.request(readMe({ fields: ['tfa_secret'] }));

console.log(JSON.stringify(out));
