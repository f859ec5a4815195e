// The contract's runs.* methods over the run store. Re-running is injected: it goes through the
// training service, which owns the queue.
import type { Handlers, TrainConfig } from '../../contract/index.js';
import type { RunStore } from './run-store.js';

export type RunsHandlers = Pick<Handlers, 'runs.list' | 'runs.get' | 'runs.update' | 'runs.delete' | 'runs.rerun' | 'runs.export' | 'runs.exportClass' | 'runs.import'>;

export interface RunsServiceDeps {
  store: RunStore;
  rerun: (config: TrainConfig, name: string) => Promise<{ runIds: string[]; pairId: string | null }>;
}

/** "name (re-run 2)" rather than "name (re-run) (re-run)". */
export function rerunName(name: string): string {
  const m = /^(.*) \(re-run(?: (\d+))?\)$/.exec(name);
  if (!m) return `${name} (re-run)`;
  return `${m[1]} (re-run ${m[2] ? Number(m[2]) + 1 : 2})`;
}

export function createRunsService({ store, rerun }: RunsServiceDeps): RunsHandlers {
  return {
    'runs.list': async (filter) => store.list(filter),
    'runs.get': async ({ id }) => store.get(id),
    'runs.update': async ({ id, ...patch }) => store.update(id, patch),
    'runs.delete': async ({ ids }) => ({ deleted: store.delete(ids) }),
    'runs.rerun': async ({ id }) => {
      const run = store.get(id);
      return rerun(store.getConfig(id), rerunName(run.name));
    },
    'runs.export': async ({ ids, format }) => store.exportRuns(ids, format),
    'runs.exportClass': async ({ classSession }) => store.exportClass(classSession),
    'runs.import': async ({ content }) => store.importJson(content),
  };
}
