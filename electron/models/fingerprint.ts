// One value for what a model folder holds: the sha256 of model.json and of every weight shard, as
// integrity.json records them. Facts computed from a folder carry it, so stale facts are noticed.
import { sha256, type Integrity } from './model-files.js';

type FileHashes = Integrity['files'];

export function filesFingerprint(files: FileHashes): string {
  const lines = Object.keys(files).sort().map((name) => `${name}\t${files[name].bytes}\t${files[name].sha256}`);
  return sha256(Buffer.from(lines.join('\n')));
}

/** The fingerprint of files as read (readModelFolder's `contents`). */
export function contentsFingerprint(contents: Map<string, Buffer>): string {
  const files: FileHashes = {};
  for (const [name, data] of contents) files[name] = { bytes: data.length, sha256: sha256(data) };
  return filesFingerprint(files);
}
