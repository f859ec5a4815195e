// What a student may do, method by method; the teacher may do everything. One row per method of
// the contract (the mapped type makes a missing row a compile error, as METHOD_OWNERS does for
// owners). A row allows the call, allows it with narrowed params or a filtered result, or refuses it
// with a reason the student can act on. The dispatcher applies it before any handler runs.
import type { DatasetInfo, MethodName, ParsedParams, Result } from '../../contract/index.js';

export type Verdict<M extends MethodName> =
  | { allow: true; params?: ParsedParams<M>; filter?: (result: Result<M>) => Result<M> }
  | { allow: false; reason: string };

/** What the rows need to know about the caller and about whose data a call touches. */
export interface StudentContext {
  student: string;
  shared: boolean;
  classSession: string;
  /** Owner (student name) of a run, or null when there is no such run. */
  runOwner(id: string): Promise<string | null>;
  /** Owner of a stored sweep ('' for a shipped one), or null when there is no such sweep. */
  sweepOwner(id: string): Promise<string | null>;
  /** Whose a data set is: shipped, registered by the teacher, this student's upload, another's, or none. */
  datasetAccess(id: string): Promise<DatasetAccess>;
  datasetInfoVisible(d: DatasetInfo): boolean;
  /** Is this folder inside the student's own upload folder? */
  insideOwnUploads(path: string): boolean;
}

export type DatasetAccess = 'shipped' | 'teacher' | 'own' | 'other' | 'unknown';

type Rule<M extends MethodName> = (params: ParsedParams<M>, ctx: StudentContext) => Verdict<M> | Promise<Verdict<M>>;

const allow = { allow: true } as const;
const refuse = (reason: string) => ({ allow: false, reason }) as const;
const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

const anyone = <M extends MethodName>(): Rule<M> => () => allow;
const teacherOnly = <M extends MethodName>(what: string): Rule<M> => () => refuse(`${what} is for the teacher only.`);

/** Every run named must be the student's own (write), or, for reading, anyone's once results are shared. */
const runs = <M extends MethodName>(idsOf: (p: ParsedParams<M>) => string[], access: 'read' | 'write'): Rule<M> => async (p, ctx) => {
  if (access === 'read' && ctx.shared) return allow;
  for (const id of idsOf(p)) {
    const owner = await ctx.runOwner(id);
    if (owner !== null && !same(owner, ctx.student)) {
      return refuse(access === 'read'
        ? `Run ${id} belongs to ${owner || 'the teacher'}: you see only your own runs until the teacher shares the class's results.`
        : `Run ${id} belongs to ${owner || 'the teacher'}: students change only their own runs.`);
    }
  }
  return allow;
};

const sweep = <M extends MethodName>(idOf: (p: ParsedParams<M>) => string, access: 'read' | 'write'): Rule<M> => async (p, ctx) => {
  const owner = await ctx.sweepOwner(idOf(p));
  if (owner === null || same(owner, ctx.student)) return allow;
  if (owner === '' && access === 'read') return allow; // shipped sweeps are everyone's to read
  if (access === 'read' && ctx.shared) return allow;
  return refuse(`This sweep belongs to ${owner || 'the app'}: students ${access === 'read' ? 'see' : 'change'} only their own sweeps.`);
};

const dataset = <M extends MethodName>(idOf: (p: ParsedParams<M>) => string): Rule<M> => async (p, ctx) =>
  (await ctx.datasetAccess(idOf(p))) !== 'other' ? allow : refuse(`Data set ${idOf(p)} is another student's upload: use the shipped sets, the teacher's, or your own upload.`);

export const STUDENT_POLICY: { [M in MethodName]: Rule<M> } = {
  'app.info': anyone(),
  // Links open in the student's own tab in browser mode anyway; the handler refuses them there.
  'app.openExternal': anyone(),
  'app.pickFolder': teacherOnly('Choosing a folder on the server'),
  // A student sees themselves as the student and the class's session, not the teacher's name.
  'settings.get': (_p, ctx) => ({ allow: true, filter: (s) => ({ ...s, studentName: ctx.student, classSession: ctx.classSession }) }),
  'settings.set': teacherOnly('Changing the settings'),
  'device.probe': anyone(),

  'datasets.list': (_p, ctx) => ({ allow: true, filter: (list) => list.filter((d) => ctx.datasetInfoVisible(d)) }),
  'datasets.addFolder': ({ path }, ctx) =>
    ctx.insideOwnUploads(path) ? allow : refuse('Students add folders by uploading them (drag a folder onto "Bring your own images"); folders on the server are the teacher\'s to register.'),
  'datasets.cancelScan': anyone(),
  'datasets.remove': async ({ id }, ctx) => (['own', 'unknown'].includes(await ctx.datasetAccess(id)) ? allow : refuse('Students remove only data sets they uploaded themselves.')),
  'datasets.samples': dataset((p) => p.datasetId),

  'models.list': anyone(),
  'models.download': teacherOnly('Downloading a model'),
  'models.cancelDownload': teacherOnly('Cancelling a model download'),
  'models.remove': teacherOnly('Removing a model'),
  'models.import': teacherOnly('Importing a model'),

  'training.start': dataset((p) => p.config.dataset.id),
  'training.cancel': runs((p) => [p.runId], 'write'),
  'training.queue': anyone(),

  'runs.list': (p, ctx) => (ctx.shared ? allow : { allow: true, params: { ...p, student: ctx.student } }),
  'runs.get': runs((p) => [p.id], 'read'),
  'runs.update': runs((p) => [p.id], 'write'),
  'runs.delete': runs((p) => p.ids, 'write'),
  // A re-run is a new run of the student's own, from a run they may read.
  'runs.rerun': runs((p) => [p.id], 'read'),
  'runs.export': runs((p) => p.ids, 'read'),
  'runs.exportClass': teacherOnly('The class export'),
  'runs.import': teacherOnly('Importing runs'),
  'runs.exportModel': runs((p) => [p.runId], 'write'),

  'lessons.list': anyone(),
  'lessons.get': anyone(),
  // Positions, guided progress and reflections are kept per student: the caller's own, always.
  'lessons.getPosition': anyone(),
  'lessons.setPosition': anyone(),
  'guided.get': anyone(),
  'guided.set': anyone(),
  'flowchart.analyze': dataset((p) => p.dataset.id),

  'sweeps.start': dataset((p) => p.datasetId),
  'sweeps.list': (_p, ctx) => (ctx.shared ? allow : { allow: true, filter: (list) => list.filter((s) => s.source === 'shipped' || same(s.studentName, ctx.student)) }),
  'sweeps.get': sweep((p) => p.id, 'read'),
  'sweeps.cancel': sweep((p) => p.id, 'write'),
  'sweeps.resume': sweep((p) => p.id, 'write'),
  'sweeps.delete': sweep((p) => p.id, 'write'),
  'sweeps.export': sweep((p) => p.id, 'read'),

  'lab.me': anyone(),
  'lab.class': teacherOnly('The class view'),
  'lab.setShared': teacherOnly('Sharing the class\'s results'),
  'lab.release': teacherOnly('Freeing a student\'s name'),
};
