// The decision flowchart as a pure function: three answers → a strategy, the path taken through the
// tree and the reasons, in words a student can check with a run.
//
// The slide gives three rules of thumb that can disagree (e.g. few images but a very different
// domain). They are resolved like this, and the tree below encodes exactly that:
//   1. Hard limits first. Fewer than 1,000 images → feature extraction whatever else is true: a
//      fine-tuned network would mostly memorise them. Limited compute → feature extraction: a
//      recommendation you cannot afford to run is no recommendation.
//   2. Otherwise the remaining signals vote, and a tie goes to feature extraction, the cheaper and
//      safer strategy. That is why 1,000–10,000 images of a very similar domain stay with feature
//      extraction, while > 10,000 images go straight to the compute question (with that much data
//      fine-tuning can only help, even on a similar domain).
// Answers that pointed the other way are returned as `notes`, so the student sees the conflict.
import { STRATEGY_LABEL, type Compute, type DataSize, type Similarity, type Strategy } from '../../../electron/contract/index.js';
import { EDGES, LARGE_ABOVE, SMALL_BELOW, flowchartPath, sizeOf, type Edge, type LeafId, type NodeId, type QuestionId } from '../../../electron/contract/flowchart.js';

export type { Compute, DataSize, Similarity };
export { STRATEGY_LABEL };

export interface Answers { images: number; similarity: Similarity; compute: Compute }

export type { QuestionId, LeafId, NodeId, Edge };
export { SMALL_BELOW, LARGE_ABOVE, sizeOf, EDGES };

export const QUESTIONS: Record<QuestionId, { title: string; options: { value: string; label: string }[] }> = {
  images: {
    title: 'How many labelled images do you have?',
    options: [
      { value: 'small', label: 'Under 1,000' },
      { value: 'medium', label: '1,000 – 10,000' },
      { value: 'large', label: 'Over 10,000' },
    ],
  },
  similarity: {
    title: 'How similar are they to the pretraining data?',
    options: [
      { value: 'very-similar', label: 'Very similar' },
      { value: 'somewhat-similar', label: 'Somewhat similar' },
      { value: 'very-different', label: 'Very different' },
    ],
  },
  compute: {
    title: 'What compute budget do you have?',
    options: [
      { value: 'limited', label: 'Limited' },
      { value: 'ample', label: 'Ample' },
    ],
  },
};

const nf = new Intl.NumberFormat('en-US');

/** Why taking `edge` makes sense, for these answers. */
function reasonFor(edge: Edge, a: Answers): string {
  const n = nf.format(a.images);
  switch (`${edge.from}:${edge.answer}`) {
    case 'images:small': return `${n} images is fewer than 1,000: enough to train a new classifier head, too few to safely retune millions of pretrained weights.`;
    case 'images:medium': return `${n} images is a medium data set (1,000–10,000): it could support either strategy, so the domain decides next.`;
    case 'images:large': return `${n} images is more than 10,000: enough data to adapt the pretrained layers without simply memorising the training set.`;
    case 'similarity:very-similar': return 'The images are very similar to the pretraining data, so the frozen features already describe them well: feature extraction is often sufficient.';
    case 'similarity:somewhat-similar': return 'The images are only somewhat similar to the pretraining data, so adapting the upper layers can pay off if you can afford it.';
    case 'similarity:very-different': return 'The images are very different from the pretraining data, so fine-tuning usually does better: the upper layers must learn new features.';
    case 'compute:limited': return 'Compute is limited: feature extraction runs the frozen base once per image and trains only the small head, so it is fast and light on memory.';
    default: return 'Compute is ample: fine-tuning trains the whole model (slower, more memory) for the best accuracy.';
  }
}

/** Answers that did not lie on the path but pull towards the other strategy. */
function conflictsFor(visited: Set<QuestionId>, a: Answers, size: DataSize, rec: Strategy): string[] {
  const notes: string[] = [];
  if (rec === 'feature-extraction') {
    if (a.similarity === 'very-different' && !visited.has('similarity'))
      notes.push('Your domain is very different, which favours fine-tuning, but the data set is too small to fine-tune safely: data size wins. Training both would show you how much this costs.');
    if (a.compute === 'ample' && size === 'small')
      notes.push('Ample compute would allow fine-tuning, but with so few images it would mostly overfit.');
    if (a.compute === 'ample' && size === 'medium' && a.similarity === 'very-similar')
      notes.push('You could afford fine-tuning; on a very similar domain it rarely gains much over feature extraction. Train both to check.');
    if (a.compute === 'limited' && (size === 'large' || a.similarity === 'very-different'))
      notes.push(`${size === 'large' ? 'With this much data' : 'On a very different domain'} fine-tuning would probably be more accurate; consider it if you can get more compute.`);
  } else if (a.similarity === 'very-similar') {
    notes.push('The domain is very similar, so feature extraction may come close; with this much data and compute, fine-tuning is worth the extra time for the last points of accuracy.');
  }
  return notes;
}

export interface Decision {
  recommendation: Strategy;
  /** The strategy not recommended (what "train both and compare" runs beside it). */
  other: Strategy;
  size: DataSize;
  /** Edges taken from the root to the leaf, in order. */
  path: Edge[];
  /** One reason per edge taken. */
  reasons: string[];
  /** Answers that pointed the other way, and how they were weighed. */
  notes: string[];
}

export function decide(answers: Answers): Decision {
  const size = sizeOf(answers.images);
  const path = flowchartPath(answers);
  const recommendation = path.at(-1)!.to as Strategy;
  const visited = new Set(path.map((e) => e.from));
  return {
    recommendation,
    other: recommendation === 'feature-extraction' ? 'fine-tuning' : 'feature-extraction',
    size,
    path,
    reasons: path.map((e) => reasonFor(e, answers)),
    notes: conflictsFor(visited, answers, size, recommendation),
  };
}


/** One line for the Train form's "why" banner. */
export function describeDecision(d: Decision, a: Answers): string {
  return `Flowchart: ${nf.format(a.images)} images (${d.size}), ${a.similarity.replace('-', ' ')} domain, ${a.compute} compute → ${STRATEGY_LABEL[d.recommendation].toLowerCase()}. ${d.reasons.at(-1)}`;
}
