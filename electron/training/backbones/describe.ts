// BackboneInfo for the UI: names, card, and parameter counts (per block, for the unfreeze slider).
import path from 'node:path';
import type { BackboneInfo } from '../../contract/index.js';
import { blockParams } from './recipes.js';
import { readFolderFile } from './folder-file.js';
import { disposeLoaded, loadBackboneWithFacts, MAX_TEXT_FILE_BYTES, readSidecar, type BackboneDirs, type LoadedWithFacts } from './load.js';

export const MODEL_CARD = 'MODEL_CARD.md';

/** Title, first paragraph and the "## License" section of a model card. */
export function parseCard(card: string): { name?: string; description?: string; license?: string } {
  const lines = card.split('\n');
  const name = lines.find((l) => l.startsWith('# '))?.slice(2).trim();
  const firstPara: string[] = [];
  let i = lines.findIndex((l) => l.startsWith('# ')) + 1;
  while (i < lines.length && lines[i].trim() === '') i++;
  for (; i < lines.length && lines[i].trim() !== '' && !lines[i].startsWith('#'); i++) firstPara.push(lines[i].trim());
  const lic = lines.findIndex((l) => /^##\s+License/i.test(l));
  const license = lic >= 0 ? lines.slice(lic + 1).find((l) => l.trim() !== '')?.trim() : undefined;
  // The UI shows these as plain text: drop the card's inline emphasis and code marks.
  const plain = (t: string) => t.replace(/\*\*?([^*]+)\*\*?/g, '$1').replace(/`([^`]+)`/g, '$1');
  return { name, description: plain(firstPara.join(' ')) || undefined, license };
}

/** Describes a loaded backbone (the caller still owns and disposes it). */
export async function describeLoaded(b: LoadedWithFacts): Promise<BackboneInfo> {
  const sidecar = await readSidecar(b.folder.dir);
  const card = sidecar?.card ?? (await readFolderFile(path.join(b.folder.dir, MODEL_CARD), MODEL_CARD, MAX_TEXT_FILE_BYTES))?.toString('utf8');
  const fromCard = card ? parseCard(card) : {};
  const canFineTune = b.format === 'layers' && b.model != null;
  const base = sidecar?.description ?? fromCard.description ?? `${b.format} model, input ${b.inputShape.join('×')}, ${b.featureSize} features.`;
  const graphNote = canFineTune || /frozen feature extractor only/.test(base) ? '' : ' Graph model: usable as a frozen feature extractor only (feature extraction), not for fine-tuning.';
  return {
    id: b.id,
    name: sidecar?.name ?? fromCard.name ?? b.id,
    source: b.source,
    format: b.format,
    canFineTune,
    inputShape: b.inputShape,
    available: true,
    sizeBytes: b.folder.sizeBytes,
    totalParams: b.totalParams,
    blockParams: canFineTune ? blockParams(b.model!, b.blocks) : [],
    headParamsPerClass: b.featureSize + 1,
    description: base + graphNote,
    license: sidecar?.license ?? fromCard.license ?? 'unknown (see the model\'s origin)',
    ...(card ? { card } : {}),
  };
}

/** Loads a backbone just to describe it, then frees it. */
export async function describeBackbone(id: string, dirs: BackboneDirs): Promise<BackboneInfo> {
  const b = await loadBackboneWithFacts(id, dirs);
  try {
    return await describeLoaded(b);
  } finally {
    disposeLoaded(b);
  }
}
