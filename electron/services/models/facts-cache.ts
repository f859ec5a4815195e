// The facts of each listed model, without loading any model in this process: facts.json while it
// still belongs to the files beside it, otherwise the worker describes the model once and its
// answer is kept (in facts.json for a downloaded or imported model; in memory for a shipped one,
// whose folder the app does not write).
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { BackboneLocation } from '../../models/backbone-dirs.js';
import { BackboneFacts, FACTS_FILE, readFacts, writeFacts, type FileStamps, type ModelDescription, type StoredFacts } from '../../models/facts.js';
import { contentsFingerprint, filesFingerprint } from '../../models/fingerprint.js';
import { readIntegrity, readModelFolder } from '../../models/model-files.js';
import { SIDECAR_FILE } from '../../models/sidecar.js';

/** Asks the worker to load a model and report its facts; rejects only when the worker cannot answer. */
export type DescribeModel = (id: string) => Promise<ModelDescription>;

/** The worker could not be asked (it died, or did not answer in time): nothing is known about the model. */
export class NotDescribedError extends Error {}

export interface FactsCache {
  /** The model's facts, or why it cannot be used. */
  get(id: string, where: BackboneLocation): Promise<ModelDescription>;
  forget(id: string): void;
}

/** Files the app writes beside a model after describing it: they never make its facts stale. */
const written = (name: string) => name === FACTS_FILE || name === SIDECAR_FILE || name.startsWith('.');

/** Size and modification time of every file the facts depend on (lstat: nothing is opened). */
export async function fileStamps(dir: string): Promise<FileStamps> {
  const stamps: FileStamps = {};
  for (const name of (await readdir(dir)).sort()) {
    if (written(name)) continue;
    const st = await lstat(path.join(dir, name));
    if (st.isFile()) stamps[name] = { bytes: st.size, mtimeMs: st.mtimeMs };
  }
  return stamps;
}

const sameStamps = (a: FileStamps, b: FileStamps) => JSON.stringify(a) === JSON.stringify(b);

export function createFactsCache(describeModel: DescribeModel): FactsCache {
  const known = new Map<string, { key: string; answer: ModelDescription }>();
  const asking = new Map<string, Promise<ModelDescription>>();
  const shippedPrints = new Map<string, { key: string; fingerprint: string }>();

  /** A shipped folder has no integrity.json: its files are hashed, once per change of their stamps. */
  async function shippedFingerprint(dir: string, key: string): Promise<string> {
    const hit = shippedPrints.get(dir);
    if (hit?.key === key) return hit.fingerprint;
    const fingerprint = contentsFingerprint((await readModelFolder(dir)).contents);
    shippedPrints.set(dir, { key, fingerprint });
    return fingerprint;
  }

  /** Stored facts still describe the files: same fingerprint, and (in the data folder) no file touched since. */
  async function current(stored: StoredFacts, where: BackboneLocation, seen: FileStamps, key: string): Promise<boolean> {
    if (where.source === 'shipped') return stored.fingerprint === (await shippedFingerprint(where.dir, key));
    if (!stored.seen || !sameStamps(stored.seen, seen)) return false;
    const integrity = await readIntegrity(where.dir);
    return integrity != null && filesFingerprint(integrity.files) === stored.fingerprint;
  }

  async function ask(id: string, where: BackboneLocation, seen: FileStamps): Promise<ModelDescription> {
    const answer = await describeModel(id).catch((e: unknown) => {
      throw new NotDescribedError((e instanceof Error ? e.message : String(e)).replace(/\.$/, ''));
    });
    if (answer.usable && where.source !== 'shipped') {
      // Stamps from before the worker read the files: a change while it read makes them stale.
      // Facts that cannot be written are still kept below, and asked for again after a restart.
      await writeFacts(where.dir, answer.facts, seen).catch(() => undefined);
    }
    return answer;
  }

  /** One question per model at a time: concurrent listings share the worker's answer. */
  function askOnce(id: string, where: BackboneLocation, seen: FileStamps): Promise<ModelDescription> {
    const pending = asking.get(id);
    if (pending) return pending;
    const p = ask(id, where, seen).finally(() => asking.delete(id));
    asking.set(id, p);
    return p;
  }

  return {
    async get(id, where) {
      const seen = await fileStamps(where.dir);
      const key = `${where.dir}\n${JSON.stringify(seen)}`;
      const hit = known.get(id);
      if (hit?.key === key) return hit.answer;
      const stored = await readFacts(where.dir);
      const answer: ModelDescription = stored && (await current(stored, where, seen, key).catch(() => false))
        ? { usable: true, facts: BackboneFacts.parse(stored) }
        : await askOnce(id, where, seen);
      known.set(id, { key, answer });
      return answer;
    },
    forget(id) {
      known.delete(id);
    },
  };
}
