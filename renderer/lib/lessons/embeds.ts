// Live elements inside lesson Markdown. A fenced code block whose language is one of these names
// becomes a Svelte component instead of code; its body is JSON (documented in
// resources/lessons/README.md):
//   ```tl-flowchart   optional { images, similarity, compute, caption }  → the decision tree
//   ```tl-try         { label, strategy, backboneId, dataset, reason, …}  → a "Try it" button;
//                     with `variants` (2–4 settings that differ) a button that starts one run per
//                     variant on the same data and seed and opens them in Compare
//   ```tl-my-runs     optional { limit, title }                          → the student's own runs
//   ```tl-sweep       optional { shipped, caption }                      → a sweep's figure and verdict:
//                     the shipped sweep of a data set, or the student's newest sweep
// A block with bad JSON becomes an error segment; the rest of the page still renders.
import { z } from 'zod';
import { Compute, DatasetRef, Similarity, TrainRequest, UnfrozenBatchNorm } from '../../../electron/contract/index.js';
import { renderMarkdown } from './markdown.js';

const FlowchartEmbed = z.object({
  images: z.number().int().nonnegative().optional(),
  similarity: Similarity.optional(),
  compute: Compute.optional(),
  caption: z.string().max(300).optional(),
}).strict();

/** What one variant of a comparison changes, and what it is called in Compare. */
const TryVariant = TrainRequest.shape.config
  .omit({ dataset: true, backboneId: true, strategy: true })
  .partial()
  // No default here: a block sets only what it names.
  .extend({ label: z.string().min(1).max(100), unfrozenBatchNorm: UnfrozenBatchNorm.optional() })
  .strict();

const TryEmbed = TrainRequest.shape.config
  .omit({ dataset: true })
  .partial()
  .extend({
    dataset: DatasetRef.partial().optional(),
    label: z.string().min(1).max(200).optional(),
    reason: z.string().max(500).optional(),
    unfrozenBatchNorm: UnfrozenBatchNorm.optional(),
    seeds: TrainRequest.shape.seeds.unwrap().optional(),
    variants: z.array(TryVariant).min(2).max(4).optional(),
  })
  .strict();

const MyRunsEmbed = z.object({
  limit: z.number().int().min(1).max(200).optional(),
  title: z.string().max(200).optional(),
}).strict();

const SweepEmbed = z.object({
  /** A shipped sweep by its data set id (resources/sweeps/<id>.json); without it the student's newest. */
  shipped: z.string().regex(/^[a-z0-9-]+$/, 'a data set id (lower case, digits, dashes)').max(100).optional(),
  caption: z.string().max(300).optional(),
}).strict();

export type FlowchartEmbed = z.output<typeof FlowchartEmbed>;
export type SweepEmbed = z.output<typeof SweepEmbed>;
export type TryEmbed = z.output<typeof TryEmbed>;
export type TryVariant = z.output<typeof TryVariant>;
export type MyRunsEmbed = z.output<typeof MyRunsEmbed>;

export type Segment =
  | { kind: 'html'; html: string }
  | { kind: 'flowchart'; config: FlowchartEmbed }
  | { kind: 'try'; config: TryEmbed }
  | { kind: 'my-runs'; config: MyRunsEmbed }
  | { kind: 'sweep'; config: SweepEmbed }
  | { kind: 'error'; message: string };

const SCHEMAS = { 'tl-flowchart': FlowchartEmbed, 'tl-try': TryEmbed, 'tl-my-runs': MyRunsEmbed, 'tl-sweep': SweepEmbed } as const;
type EmbedName = keyof typeof SCHEMAS;
const isEmbedName = (s: string): s is EmbedName => Object.hasOwn(SCHEMAS, s);

function parseEmbed(name: EmbedName, body: string): Segment {
  let data: unknown = {};
  if (body.trim() !== '') {
    try {
      data = JSON.parse(body);
    } catch (e) {
      return { kind: 'error', message: `\`${name}\` block: the JSON is invalid (${e instanceof Error ? e.message : String(e)}).` };
    }
  }
  const parsed = SCHEMAS[name].safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length ? `"${issue.path.join('.')}"` : 'the block';
    return { kind: 'error', message: `\`${name}\` block: ${field}: ${issue.message}` };
  }
  const kind = name.slice(3) as 'flowchart' | 'try' | 'my-runs' | 'sweep';
  return { kind, config: parsed.data } as Segment;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;

/** Splits a page into rendered Markdown and live elements, in order. */
export function pageSegments(markdown: string): Segment[] {
  const segments: Segment[] = [];
  let text: string[] = [];
  let embed: { name: EmbedName; fence: string; body: string[] } | null = null;
  let otherFence: string | null = null;
  const flush = () => {
    const md = text.join('\n');
    if (md.trim() !== '') segments.push({ kind: 'html', html: renderMarkdown(md) });
    text = [];
  };
  for (const line of markdown.split('\n')) {
    const f = FENCE.exec(line);
    const closes = (fence: string) => !!f && f[1][0] === fence[0] && f[1].length >= fence.length && line.trim() === f[1];
    if (embed) {
      if (closes(embed.fence)) {
        segments.push(parseEmbed(embed.name, embed.body.join('\n')));
        embed = null;
      } else embed.body.push(line);
    } else if (otherFence) {
      text.push(line);
      if (closes(otherFence)) otherFence = null;
    } else if (f && isEmbedName(f[2])) {
      flush();
      embed = { name: f[2], fence: f[1], body: [] };
    } else {
      if (f) otherFence = f[1];
      text.push(line);
    }
  }
  if (embed) segments.push({ kind: 'error', message: `\`${embed.name}\` block: missing its closing ${embed.fence}.` });
  flush();
  return segments;
}
