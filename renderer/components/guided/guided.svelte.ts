// Guided-mode state for the current student: loaded from and saved to the server (guided.get/set),
// advanced by the student's actions and by training jobs finishing ('training.job' → runs.get).
import type { GuidedState, JobState, RunSummary, Strategy } from '../../../electron/contract/index.js';
import { api, errorMessage } from '../../lib/api.js';
import { session } from '../../lib/session.svelte.js';
import { countsForPair, pairEvidence, REFLECTION_QUESTION, STEP, stepForPair } from './guided-steps.js';

class Guided {
  state = $state<GuidedState | null>(null);
  /** The runs counted towards the pair so far (tagged with state.pairId). */
  pairRuns = $state<RunSummary[]>([]);
  /** Why the last finished run did not count, if it did not. */
  hint = $state<string | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);
  /** How many bars the shell has mounted; views show their own only while it has none. */
  shellBars = $state(0);
  private loadedFor: string | null = null;
  private unlisten: (() => void) | null = null;
  private jobs: Promise<void> = Promise.resolve();

  get active(): boolean {
    return !!this.state?.lessonId;
  }
  get step(): number {
    return this.state?.step ?? 0;
  }
  private get student(): string {
    return session.settings?.studentName ?? '';
  }

  /** Loads the state for the current student once (and again when the student changes). */
  async ensureLoaded() {
    this.listen();
    if (this.loadedFor === this.student && this.state) return;
    this.loadedFor = this.student;
    await this.guard(async () => {
      const saved = await api.call('guided.get', {});
      // Finished before "Test the flowchart" became step 6 (done was 6, now the reflection): a saved reflection means done.
      this.state = saved.step === STEP.reflect && saved.reflection ? await api.call('guided.set', { step: STEP.done }) : saved;
      await this.refreshPair();
    });
  }

  private listen() {
    if (this.unlisten) return;
    this.unlisten = api.on('training.job', (job) => {
      // Jobs are handled one at a time so two runs finishing together cannot both claim a slot.
      this.jobs = this.jobs.then(() => this.onJob(job)).catch((e) => void (this.error = errorMessage(e)));
    });
  }

  private async guard(work: () => Promise<void>) {
    this.busy = true;
    try {
      await work();
      this.error = null;
    } catch (e) {
      this.error = errorMessage(e);
    } finally {
      this.busy = false;
    }
  }

  private async refreshPair() {
    const tag = this.state?.pairId;
    this.pairRuns = tag ? (await api.call('runs.list', { tag, limit: 10, sort: 'createdAt', order: 'asc' })).runs : [];
  }

  private async set(patch: Partial<GuidedState>) {
    this.state = await api.call('guided.set', patch);
  }

  start(lessonId: string) {
    return this.guard(async () => {
      await this.set({ step: STEP.read, lessonId, pairId: `guided-${Date.now().toString(36)}`, recommendation: null, reflection: null });
      this.pairRuns = [];
      this.hint = null;
    });
  }

  leave() {
    return this.guard(() => this.set({ step: 0, lessonId: null, pairId: null, recommendation: null, reflection: null }));
  }

  /** Marks `step` done if it is the current one (e.g. the lesson's last page was reached). */
  complete(step: number) {
    if (!this.active || this.step !== step) return Promise.resolve();
    return this.guard(() => this.set({ step: step + 1 }));
  }

  acceptRecommendation(recommendation: Strategy) {
    return this.guard(() => this.set({ recommendation, step: STEP.trainRecommended }));
  }

  private async onJob(job: JobState) {
    if (!this.active || this.step < STEP.trainRecommended || this.step > STEP.trainOther) return;
    if (job.status === 'queued' || job.status === 'running') return;
    const run = await api.call('runs.get', { id: job.runId });
    const verdict = countsForPair(this.state!, run, this.pairRuns, this.student);
    if (!verdict.counts) {
      this.hint = verdict.why;
      return;
    }
    await api.call('runs.update', { id: run.id, tags: [...new Set([...run.tags, this.state!.pairId!])] });
    await this.refreshPair();
    this.hint = null;
    const step = stepForPair(this.state!, this.pairRuns);
    if (step !== this.step) await this.set({ step });
  }

  /** Saves the reflection on both runs of the pair and in the guided state, with the pair's test
   *  accuracies (and the paired verdict, when known) it answers. */
  saveReflection(text: string, verdict: string | null = null) {
    return this.guard(async () => {
      const evidence = [pairEvidence(this.pairRuns), verdict].filter(Boolean).join(' ');
      const reflection = [REFLECTION_QUESTION, evidence, text.trim()].filter(Boolean).join('\n');
      for (const r of this.pairRuns) await api.call('runs.update', { id: r.id, reflection });
      await this.set({ reflection: text.trim(), step: STEP.done });
    });
  }
}

export const guided = new Guided();
