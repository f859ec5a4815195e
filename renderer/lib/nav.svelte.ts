// Which view is on screen and what it was opened with. Views read their inputs from here so that a
// lesson's "Try it" button, the flowchart and the history list can all open another view preset.
import type { TrainRequest } from '../../electron/contract/index.js';

export type View = 'lesson' | 'flowchart' | 'train' | 'history' | 'compare' | 'lab';
export const views: { id: View; label: string }[] = [
  { id: 'lesson', label: 'Lessons' },
  { id: 'flowchart', label: 'Flowchart' },
  { id: 'train', label: 'Train' },
  { id: 'history', label: 'History' },
  { id: 'compare', label: 'Compare' },
  /** The teacher's class view (students do not see it). */
  { id: 'lab', label: 'Class' },
];

/** A partial Train form: whatever the caller knows (strategy, backbone, data set, subset size…). */
export type TrainPreset = Partial<Omit<TrainRequest['config'], 'dataset'>> & {
  dataset?: Partial<TrainRequest['config']['dataset']>;
  /** Why the form was filled this way, shown above it. */
  reason?: string;
  /** Repeat over this many seeds (TrainRequest.seeds). */
  seeds?: number;
};

/** Runs Compare lays side by side at most: 6 by hand, or a pair repeated over up to 10 seeds. */
export const MAX_COMPARE = 20;

class Navigation {
  view = $state<View>('lesson');
  trainPreset = $state<TrainPreset | null>(null);
  compareRunIds = $state<string[]>([]);
  lessonId = $state<string | null>(null);

  go(view: View) {
    this.view = view;
  }
  openTrain(preset: TrainPreset) {
    this.trainPreset = preset;
    this.view = 'train';
  }
  openCompare(runIds: string[]) {
    this.compareRunIds = runIds.slice(0, MAX_COMPARE);
    this.view = 'compare';
  }
  openLesson(id: string) {
    this.lessonId = id;
    this.view = 'lesson';
  }
}

export const nav = new Navigation();
