// backbone.json, written beside a downloaded or imported model: its name, description, licence and
// origin as the app shows them.
import path from 'node:path';
import type { Preprocess } from './facts.js';
import { readFolderFile } from './folder-file.js';

export const SIDECAR_FILE = 'backbone.json';
export interface BackboneSidecar {
  name: string;
  description: string;
  license: string;
  origin: string;
  preprocess?: Preprocess;
  card?: string;
}

/** Sidecars and model cards are small text; a larger file is not one. */
export const MAX_TEXT_FILE_BYTES = 1024 * 1024;

export async function readSidecar(dir: string): Promise<BackboneSidecar | null> {
  const text = await readFolderFile(path.join(dir, SIDECAR_FILE), SIDECAR_FILE, MAX_TEXT_FILE_BYTES);
  if (text == null) return null;
  try {
    return JSON.parse(text.toString('utf8')) as BackboneSidecar;
  } catch (e) {
    throw new Error(`${SIDECAR_FILE} is not valid JSON (${(e as Error).message})`);
  }
}
