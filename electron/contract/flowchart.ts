// The decision flowchart's tree, one copy for the renderer (the interactive flowchart) and the
// sweep's verdict (what the flowchart would have advised at each size). The renderer's
// lib/flowchart/decide.ts adds the reasons and notes a student reads.
import type { Compute, DataSize, Similarity, Strategy } from './index.js';

export type QuestionId = 'images' | 'similarity' | 'compute';
export type LeafId = Strategy;
export type NodeId = QuestionId | LeafId;

/** One edge of the tree: from a question, for an answer, to the next node. */
export interface Edge { from: QuestionId; answer: DataSize | Similarity | Compute; to: NodeId; label: string }

/** The slide's thresholds: under 1,000 images is small, over 10,000 is large. */
export const SMALL_BELOW = 1_000;
export const LARGE_ABOVE = 10_000;

/** < 1,000 small; 1,000–10,000 (both inclusive) medium; > 10,000 large. */
export function sizeOf(images: number): DataSize {
  if (!Number.isFinite(images) || images < 0) throw new RangeError(`The number of images must be a count of 0 or more, not ${images}.`);
  return images < SMALL_BELOW ? 'small' : images > LARGE_ABOVE ? 'large' : 'medium';
}

/** The whole tree. Every question answer leads to exactly one node. */
export const EDGES: Edge[] = [
  { from: 'images', answer: 'small', to: 'feature-extraction', label: '< 1,000' },
  { from: 'images', answer: 'medium', to: 'similarity', label: '1,000–10,000' },
  { from: 'images', answer: 'large', to: 'compute', label: '> 10,000' },
  { from: 'similarity', answer: 'very-similar', to: 'feature-extraction', label: 'very similar' },
  { from: 'similarity', answer: 'somewhat-similar', to: 'compute', label: 'somewhat' },
  { from: 'similarity', answer: 'very-different', to: 'compute', label: 'very different' },
  { from: 'compute', answer: 'limited', to: 'feature-extraction', label: 'limited' },
  { from: 'compute', answer: 'ample', to: 'fine-tuning', label: 'ample' },
];

export interface FlowchartAnswers { images: number; similarity: Similarity; compute: Compute }

/** The edges taken from the root to a leaf for these answers, in order. */
export function flowchartPath(answers: FlowchartAnswers): Edge[] {
  const answerOf: Record<QuestionId, string> = { images: sizeOf(answers.images), similarity: answers.similarity, compute: answers.compute };
  const path: Edge[] = [];
  let node: NodeId = 'images';
  while (node === 'images' || node === 'similarity' || node === 'compute') {
    const from: QuestionId = node;
    const edge: Edge | undefined = EDGES.find((e) => e.from === from && e.answer === answerOf[from]);
    if (!edge) throw new RangeError(`"${answerOf[from]}" is not an answer to the ${from} question.`);
    path.push(edge);
    node = edge.to;
  }
  return path;
}

/** The strategy the flowchart recommends for these answers. */
export function flowchartAdvice(answers: FlowchartAnswers): Strategy {
  return flowchartPath(answers).at(-1)!.to as Strategy;
}
