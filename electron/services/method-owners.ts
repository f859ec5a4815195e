// Who answers each method of the contract: one table a reader can trust. Each service's handler type
// is derived from its row, and app-services.ts checks that the rows together cover the contract.
// Most method names say their owner; these don't: the training service answers runs.exportModel,
// device.probe and flowchart.analyze because each needs the training worker, and guided mode is
// stored by the lessons service beside the lesson positions.
import type { Handlers, MethodName } from '../contract/index.js';

export const METHOD_OWNERS = {
  app: ['app.info', 'app.openExternal', 'app.pickFolder'],
  settings: ['settings.get', 'settings.set'],
  datasets: ['datasets.list', 'datasets.addFolder', 'datasets.cancelScan', 'datasets.remove', 'datasets.samples'],
  models: ['models.list', 'models.download', 'models.cancelDownload', 'models.remove', 'models.import'],
  runs: ['runs.list', 'runs.get', 'runs.update', 'runs.delete', 'runs.rerun', 'runs.export', 'runs.exportClass', 'runs.import'],
  training: ['training.start', 'training.cancel', 'training.queue', 'runs.exportModel', 'device.probe', 'flowchart.analyze'],
  lessons: ['lessons.list', 'lessons.get', 'lessons.getPosition', 'lessons.setPosition', 'guided.get', 'guided.set'],
  lab: ['lab.me', 'lab.class', 'lab.setShared', 'lab.release'],
  sweeps: ['sweeps.start', 'sweeps.list', 'sweeps.get', 'sweeps.cancel', 'sweeps.resume', 'sweeps.delete', 'sweeps.export'],
} as const satisfies Record<string, readonly MethodName[]>;

export type Owner = keyof typeof METHOD_OWNERS;
/** The handlers one service provides: exactly its row of the table. */
export type OwnedHandlers<O extends Owner> = Pick<Handlers, (typeof METHOD_OWNERS)[O][number]>;

// Compile-time: every method of the contract has an owner.
type Owned = (typeof METHOD_OWNERS)[Owner][number];
const everyMethodOwned: [MethodName] extends [Owned] ? true : never = true;
void everyMethodOwned;

/** The owner of a method, for logs and error messages. */
export function ownerOf(method: MethodName): Owner {
  for (const [owner, names] of Object.entries(METHOD_OWNERS) as [Owner, readonly MethodName[]][]) if (names.includes(method)) return owner;
  throw new Error(`Method ${method} has no owner in METHOD_OWNERS.`);
}
