// `npm start`'s credentials: an ingest key, one API token per agent and the secrets of the routing file's survey-tool
// sources. Each comes from the environment when given there (never written to disk), else from
// `.closeloop/dev-credentials.json` (kept from an earlier run), else is generated now and saved there. CommonJS so that the .mjs scripts and the jest tests load the same code.
'use strict';
const { randomBytes } = require('node:crypto');

const FILE = '.closeloop/dev-credentials.json';
const random = (prefix) => `${prefix}${randomBytes(18).toString('base64url')}`;

/** Saved tokens are reused only while they still cover every agent of the routing file. */
function coversAgents(apiTokens, agentIds) {
  if (typeof apiTokens !== 'string') return false;
  const ids = new Set(apiTokens.split(',').map((pair) => pair.split(':')[0].trim()));
  return agentIds.every((id) => ids.has(id));
}

/**
 * @param {{ env: Record<string, string | undefined>, saved: { INGEST_API_KEYS?: string, API_TOKENS?: string }, agentIds: string[],
 *   generate?: (prefix: string) => string }} input
 * @returns {{ ingestKeys: string, apiTokens: string,
 *   origin: { ingestKeys: 'environment' | 'saved' | 'generated', apiTokens: 'environment' | 'saved' | 'generated' },
 *   toSave: { INGEST_API_KEYS?: string, API_TOKENS?: string } | null }}  toSave: the file's new content, null when unchanged
 */
function resolveCredentials({ env, saved, agentIds, generate = random }) {
  const fromEnv = (name) => (env[name]?.trim() ? env[name].trim() : undefined);
  const pick = (name, reusable, make) => {
    if (fromEnv(name)) return { value: fromEnv(name), origin: 'environment' };
    if (reusable(saved[name])) return { value: saved[name], origin: 'saved' };
    return { value: make(), origin: 'generated' };
  };
  const ingest = pick('INGEST_API_KEYS', (v) => typeof v === 'string' && v.trim() !== '', () => generate('ik_'));
  const tokens = pick('API_TOKENS', (v) => coversAgents(v, agentIds), () => agentIds.map((id) => `${id}:${generate('at_')}`).join(','));
  // Only what was generated is written; what the environment gave stays out of the file (an earlier saved value stays).
  const next = { ...saved };
  if (ingest.origin === 'generated') next.INGEST_API_KEYS = ingest.value;
  if (tokens.origin === 'generated') next.API_TOKENS = tokens.value;
  const changed = ingest.origin === 'generated' || tokens.origin === 'generated';
  return {
    ingestKeys: ingest.value,
    apiTokens: tokens.value,
    origin: { ingestKeys: ingest.origin, apiTokens: tokens.origin },
    toSave: changed ? next : null,
  };
}

/**
 * The variables the routing file's sources name (SPEC §10: each `secretEnv` and `api.tokenEnv`), as for the ingest
 * key: from the environment (never written), else saved in the file, else generated now and saved. A Formbricks
 * secret is generated as Formbricks shows one (`whsec_` + base64 of 24 random bytes).
 * @param {{ env: Record<string, string | undefined>, saved: Record<string, string>,
 *   sources: { id: string, kind: string, secretEnv: string, api?: { tokenEnv: string } }[], generate?: (prefix: string) => string }} input
 * @returns {{ values: Record<string, string>, origin: Record<string, 'environment' | 'saved' | 'generated'>,
 *   toSave: Record<string, string> | null }}  toSave: the variables to add to the file, null when none
 */
function resolveSourceSecrets({ env, saved, sources, generate = random }) {
  const wanted = new Map();
  for (const s of sources) {
    if (!wanted.has(s.secretEnv)) wanted.set(s.secretEnv, s.kind === 'formbricks' ? 'whsec_' : 'ss_');
    if (s.api && !wanted.has(s.api.tokenEnv)) wanted.set(s.api.tokenEnv, 'st_');
  }
  const values = {};
  const origin = {};
  const toSave = {};
  for (const [name, prefix] of wanted) {
    if (env[name]?.trim()) {
      values[name] = env[name].trim();
      origin[name] = 'environment';
    } else if (typeof saved[name] === 'string' && saved[name].trim() !== '') {
      values[name] = saved[name];
      origin[name] = 'saved';
    } else {
      values[name] = prefix === 'whsec_' ? `whsec_${Buffer.from(generate('')).toString('base64')}` : generate(prefix);
      origin[name] = 'generated';
      toSave[name] = values[name];
    }
  }
  return { values, origin, toSave: Object.keys(toSave).length ? toSave : null };
}

/**
 * CLOSELOOP_MASTER_KEY (SPEC §3, §13: base64 of 32 bytes; it wraps the customers' data keys, ADR 0024), as for the
 * ingest key: from the environment (never written), else saved in the file, else generated now and saved. The saved
 * one must stay with the data it wraps: the database of `.closeloop/postgres` opens only with it.
 * @param {{ env: Record<string, string | undefined>, saved: Record<string, string>, generate?: () => string }} input
 * @returns {{ value: string, origin: 'environment' | 'saved' | 'generated', toSave: { CLOSELOOP_MASTER_KEY: string } | null }}
 */
function resolveMasterKey({ env, saved, generate = () => randomBytes(32).toString('base64') }) {
  const name = 'CLOSELOOP_MASTER_KEY';
  if (env[name]?.trim()) return { value: env[name].trim(), origin: 'environment', toSave: null };
  if (typeof saved[name] === 'string' && saved[name].trim() !== '') return { value: saved[name], origin: 'saved', toSave: null };
  const value = generate();
  return { value, origin: 'generated', toSave: { [name]: value } };
}

/** How `npm start` labels where a credential came from. */
function describeOrigin(origin) {
  if (origin === 'environment') return 'from the environment';
  if (origin === 'generated') return `generated; kept in ${FILE}`;
  return `kept in ${FILE}`;
}

module.exports = { resolveCredentials, resolveSourceSecrets, resolveMasterKey, describeOrigin, FILE };
