// MODEL_CARD.md: the model's own description, shown in full in the catalog.
import path from 'node:path';
import { readFolderFile } from './folder-file.js';
import { MAX_TEXT_FILE_BYTES } from './sidecar.js';

export const MODEL_CARD = 'MODEL_CARD.md';

export async function readCard(dir: string): Promise<string | null> {
  return (await readFolderFile(path.join(dir, MODEL_CARD), MODEL_CARD, MAX_TEXT_FILE_BYTES))?.toString('utf8') ?? null;
}

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
