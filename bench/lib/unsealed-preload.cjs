// The bench's "without encryption" run (SPEC §13: what field encryption costs), never production: preloaded into the
// built services (`-r bench/lib/unsealed-preload.cjs`), it hands every module that requires the platform's
// privacy/event-fields a copy whose sealEvent / sealEventWith / openEvent pass events through unchanged, and makes
// ingest's key lookup (CustomerKeyStore.keysFor) answer no keys without a round trip. Nothing in the services'
// code knows about it: the same build runs sealed in every other phase. The services' log says it is on.
const Module = require('module');
const path = require('path');

const dist = path.resolve(__dirname, '../../libs/platform/dist/privacy');
const EVENT_FIELDS = path.join(dist, 'event-fields.js');
const KEY_STORE = path.join(dist, 'key-store.js');
const load = Module._load;
let passThrough = null;
let keyStorePatched = false;

Module._load = function (request, parent, isMain) {
  const real = load.apply(this, arguments);
  if (!parent || !(request.includes('event-fields') || request.includes('key-store'))) return real;
  let file;
  try {
    file = Module._resolveFilename(request, parent, isMain);
  } catch {
    return real;
  }
  if (file === KEY_STORE && !keyStorePatched) {
    real.CustomerKeyStore.prototype.keysFor = async () => new Map();
    keyStorePatched = true;
  }
  if (file !== EVENT_FIELDS) return real;
  passThrough ??= Object.freeze({
    ...Object.fromEntries(Object.keys(real).map((k) => [k, real[k]])),
    sealEvent: async (_topic, event) => event,
    sealEventWith: (_topic, event) => event,
    openEvent: async (_topic, event) => event,
  });
  return passThrough;
};
process.stderr.write(`[bench] ${path.basename(process.argv[1] ?? 'node')}: events are NOT encrypted (bench/lib/unsealed-preload.cjs)\n`);
