// The local broker's jars: the pinned list in kafka-jars.json (coordinates + sha256, regenerated with
// pin-kafka-jars.mjs), downloaded from Maven Central over HTTPS by Node itself, each verified against its sha256 and
// written atomically into a cache directory (default `.closeloop/kafka/libs`). No Maven needed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { sleep, toLogger } from './process.mjs';

export const MAVEN_CENTRAL = 'https://repo.maven.apache.org/maven2';
export const jarListFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kafka-jars.json');
const MARKER = '.complete';
const PARALLEL = 6;
const ATTEMPTS = 3;

/**
 * @typedef {{ coordinates: string, sha256: string, size: number }} PinnedJar  coordinates: group:artifact:version[:classifier]
 * @typedef {{ kafkaVersion: string, roots: string[], jars: PinnedJar[] }} JarList
 */

/** @returns {JarList} */
export function readJarList(file = jarListFile) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** @param {string} coordinates  group:artifact:version[:classifier] */
export function parseCoordinates(coordinates) {
  const [groupId, artifactId, version, classifier, ...extra] = coordinates.split(':');
  if (!groupId || !artifactId || !version || extra.length > 0 || /[/\\]|\.\./.test(coordinates)) {
    throw new Error(`not group:artifact:version[:classifier]: "${coordinates}"`);
  }
  return { groupId, artifactId, version, classifier };
}

/** The name the jar gets in the cache (as Maven's copy-dependencies names it). */
export function jarFileName(coordinates) {
  const { artifactId, version, classifier } = parseCoordinates(coordinates);
  return `${artifactId}-${version}${classifier ? `-${classifier}` : ''}.jar`;
}

/** @param {string} coordinates @param {string} repository */
export function jarUrl(coordinates, repository) {
  const { groupId, artifactId, version } = parseCoordinates(coordinates);
  return `${repository.replace(/\/+$/, '')}/${groupId.replaceAll('.', '/')}/${artifactId}/${version}/${jarFileName(coordinates)}`;
}

/** What the marker holds: a digest of the whole list, so any change to it (version, jar, checksum) re-verifies. */
function listDigest(jars) {
  return crypto.createHash('sha256').update(jars.map((j) => `${j.coordinates} ${j.sha256}\n`).join('')).digest('hex');
}

function readMarker(dir) {
  try {
    return fs.readFileSync(path.join(dir, MARKER), 'utf8').trim();
  } catch {
    return '';
  }
}

async function sha256OfFile(file) {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

async function hasVerified(file, jar) {
  try {
    if (fs.statSync(file).size !== jar.size) return false;
    return (await sha256OfFile(file)) === jar.sha256;
  } catch {
    return false;
  }
}

/**
 * Downloads one jar into `dir`: to a temp file next to it, verified (size and sha256), then renamed into place, so
 * the cache never holds a partial or unverified jar, and concurrent callers each rename a verified copy.
 * @param {PinnedJar} jar
 * @param {string} dir
 * @param {string} repository
 */
async function download(jar, dir, repository) {
  const url = jarUrl(jar.coordinates, repository);
  const target = path.join(dir, jarFileName(jar.coordinates));
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.part`);
  let lastError;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
      if (!res.ok || !res.body) {
        const err = new Error(`HTTP ${res.status} for ${url}`);
        if (res.status >= 400 && res.status < 500) throw Object.assign(err, { permanent: true });
        throw err;
      }
      const hash = crypto.createHash('sha256');
      let size = 0;
      const measure = new Transform({
        transform(chunk, _encoding, callback) {
          hash.update(chunk);
          size += chunk.length;
          callback(null, chunk);
        },
      });
      await pipeline(Readable.fromWeb(/** @type {any} */ (res.body)), measure, fs.createWriteStream(temp, { mode: 0o644 }));
      const sha256 = hash.digest('hex');
      if (size !== jar.size || sha256 !== jar.sha256) {
        throw Object.assign(new Error(`${jar.coordinates}: checksum mismatch for ${url}: expected sha256 ${jar.sha256} (${jar.size} bytes), ` +
          `got ${sha256} (${size} bytes). The jar was not saved. If kafka-jars.json was changed by hand, regenerate it with node tools/infra/pin-kafka-jars.mjs.`), { permanent: true });
      }
      fs.renameSync(temp, target);
      return size;
    } catch (err) {
      fs.rmSync(temp, { force: true });
      lastError = err;
      if (/** @type {any} */ (err).permanent || attempt === ATTEMPTS) break;
      await sleep(500 * attempt);
    }
  }
  const reason = lastError instanceof Error ? `${lastError.message}${lastError.cause ? ` (${/** @type {any} */ (lastError.cause).code ?? lastError.cause})` : ''}` : String(lastError);
  throw new Error(`Kafka: could not download ${jar.coordinates}: ${reason}`);
}

/** Runs `fn` over `items`, at most `limit` at a time; rejects with the first error once the running ones finish. */
async function eachLimited(items, limit, fn) {
  let next = 0;
  let failure;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure;
}

/**
 * Makes sure `libsDir` holds exactly the pinned jars, each verified. When its marker matches the list, returns at
 * once. Otherwise jars already there and matching their sha256 are kept, the others downloaded, and jars that are not
 * on the list removed (an older version's, which the broker's `libs/*` classpath would otherwise load too).
 * @param {{ libsDir: string, log?: any, list?: JarList, repository?: string }} options
 *   repository: a Maven Central mirror (default CLOSELOOP_MAVEN_REPO, else Maven Central); checksums still apply
 * @returns {Promise<string>} libsDir
 */
export async function fetchKafkaJars(options) {
  const { libsDir } = options;
  const list = options.list ?? readJarList();
  const expected = listDigest(list.jars);
  if (readMarker(libsDir) === expected) return libsDir;
  const log = toLogger(options.log);
  const repository = options.repository ?? (process.env.CLOSELOOP_MAVEN_REPO?.trim() || MAVEN_CENTRAL);
  fs.mkdirSync(libsDir, { recursive: true });
  const started = Date.now();

  const missing = [];
  for (const jar of list.jars) {
    if (!(await hasVerified(path.join(libsDir, jarFileName(jar.coordinates)), jar))) missing.push(jar);
  }
  if (missing.length > 0) {
    const mb = missing.reduce((sum, j) => sum + j.size, 0) / 1e6;
    log.info(`Kafka: downloading ${missing.length} jars (${mb.toFixed(0)} MB) of Kafka ${list.kafkaVersion} from ${repository} (first run only)…`);
    await eachLimited(missing, PARALLEL, (jar) => download(jar, libsDir, repository));
  }
  const wanted = new Set(list.jars.map((j) => jarFileName(j.coordinates)));
  for (const name of fs.readdirSync(libsDir)) {
    if (name.endsWith('.jar') && !wanted.has(name)) fs.rmSync(path.join(libsDir, name), { force: true });
  }
  const marker = path.join(libsDir, `${MARKER}.${process.pid}`);
  fs.writeFileSync(marker, `${expected}\n`);
  fs.renameSync(marker, path.join(libsDir, MARKER));
  if (missing.length > 0) log.info(`Kafka: ${list.jars.length} jars verified in ${libsDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return libsDir;
}
