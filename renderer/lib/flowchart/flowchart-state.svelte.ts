// The flowchart's answers, shared by the Flowchart view, the panel beside the lessons and the guided
// mode, so an answer given in one place shows in the others. Answers start empty: a recommendation
// appears only once the student (or the data) has answered all three questions.
import type { FlowchartAnalysis } from '../../../electron/contract/index.js';
import { api, errorMessage } from '../api.js';
import type { TrainPreset } from '../nav.svelte.js';
import { decide, describeDecision, type Answers, type Compute, type Decision, type Similarity } from './decide.js';
import type { Strategy } from '../../../electron/contract/index.js';

export type AnswerSource = 'you' | 'data';

export class FlowchartState {
  images = $state<number | null>(null);
  similarity = $state<Similarity | null>(null);
  compute = $state<Compute | null>(null);
  /** Where each answer came from; an answer the student changes after "answer from data" is an override. */
  source = $state<Record<keyof Answers, AnswerSource>>({ images: 'you', similarity: 'you', compute: 'you' });
  /** The data set and backbone that "Train" buttons use (and that the analysis looked at). */
  datasetId = $state('fashion-target');
  perClass = $state<number | null>(null);
  backboneId = $state('tl-resnet-s');
  analysis = $state<FlowchartAnalysis | null>(null);
  analyzing = $state(false);
  error = $state<string | null>(null);

  get answers(): Answers | null {
    if (this.images === null || this.similarity === null || this.compute === null) return null;
    return { images: this.images, similarity: this.similarity, compute: this.compute };
  }

  get decision(): Decision | null {
    const a = this.answers;
    if (!a || !Number.isFinite(a.images) || a.images < 0) return null;
    return decide(a);
  }

  answer<K extends keyof Answers>(key: K, value: Answers[K] | null) {
    (this as unknown as Record<K, Answers[K] | null>)[key] = value;
    this.source[key] = 'you';
  }

  /** What the data said for `key`, when the student has overridden it. */
  dataSaid(key: keyof Answers): string | null {
    const a = this.analysis;
    if (!a || this.source[key] === 'data') return null;
    const value = key === 'images' ? a.imageCount : key === 'similarity' ? a.similarity : a.compute;
    return value === this[key] ? null : String(value);
  }

  async analyze() {
    this.analyzing = true;
    this.error = null;
    try {
      const a = await api.call('flowchart.analyze', { dataset: { id: this.datasetId, perClass: this.perClass }, backboneId: this.backboneId });
      this.analysis = a;
      this.images = a.imageCount;
      this.similarity = a.similarity;
      this.compute = a.compute;
      this.source = { images: 'data', similarity: 'data', compute: 'data' };
    } catch (e) {
      this.error = errorMessage(e);
    } finally {
      this.analyzing = false;
    }
  }

  /** A Train preset for `strategy` on the chosen data set, with the flowchart's reasoning. */
  preset(strategy: Strategy | 'both', why?: string): TrainPreset {
    const d = this.decision;
    const a = this.answers;
    const reason = why ?? (d && a ? describeDecision(d, a) : undefined);
    return {
      strategy,
      backboneId: this.backboneId,
      dataset: { id: this.datasetId, perClass: this.perClass },
      ...(reason ? { reason: strategy === 'both' && d ? `${reason} Training both to compare.` : reason } : {}),
    };
  }

  reset() {
    this.images = this.similarity = this.compute = null;
    this.source = { images: 'you', similarity: 'you', compute: 'you' };
    this.analysis = null;
    this.error = null;
  }
}

/** Answers survive a reload (kept in this browser profile / app window storage). */
const STORAGE_KEY = 'transfer-lab.flowchart';
const saved = ['images', 'similarity', 'compute', 'source', 'datasetId', 'perClass', 'backboneId', 'analysis'] as const;

function restore(state: FlowchartState) {
  try {
    const raw = JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? 'null');
    if (raw && typeof raw === 'object') for (const k of saved) if (k in raw) (state as unknown as Record<string, unknown>)[k] = raw[k];
  } catch {
    // Unreadable storage: start with empty answers.
  }
}

function persist(state: FlowchartState) {
  $effect.root(() => {
    $effect(() => {
      const snapshot = Object.fromEntries(saved.map((k) => [k, $state.snapshot(state[k])]));
      globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(snapshot));
    });
  });
}

export const flowchart = new FlowchartState();
restore(flowchart);
persist(flowchart);
