// Roles at the dispatcher, on the real services (real SQLite, real files, the real worker): for
// every method of the contract, a student's call on another student's data (or on what only the
// teacher may do) is refused with a clear 'forbidden' error, and the teacher's same call is not.
// The methods that name no one's data are answered for the student from their own data only.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodNames, type MethodName, type Params, type SweepConfig } from '../../contract/index.js';
import { makePng } from '../../datasets/testing/image-folder.js';
import { createAppServices, type AppServices } from '../app-services.js';
import { RunStore } from '../runs/index.js';
import { sampleConfig } from '../runs/testing/sample-runs.js';
import { openDatabase, type Db } from '../store/database.js';
import { SweepStore } from '../sweeps/sweep-store.js';
import { forkWorkerSpawner } from '../training/worker-host.js';
import { studentCaller, TEACHER } from './caller.js';
import { studentUploadDir } from './uploads.js';

const repo = resolve(__dirname, '../../..');
const ana = studentCaller('Ana');
const ben = studentCaller('Ben');

let dataDir: string;
let services: AppServices;
let db: Db;
const ids = { anaRun: '', benRun: '', benSweep: '', benUpload: '', benUploadPath: '', lesson: '' };

async function imageFolder(root: string) {
  for (const [cls, tint] of [['cats', [200, 40, 40]], ['dogs', [40, 40, 200]]] as const) {
    mkdirSync(join(root, cls), { recursive: true });
    for (let i = 0; i < 6; i++) writeFileSync(join(root, cls, `${i}.png`), await makePng(16, 16, [...tint], i));
  }
}

const call = <M extends MethodName>(caller: typeof ana, method: M, params: Params<M>) => services.dispatch(method, params, caller);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tl-roles-'));
  services = createAppServices({
    dataDir, resourcesDir: join(repo, 'resources'), mode: 'browser', version: '0',
    spawnWorker: forkWorkerSpawner(join(repo, 'electron/training/worker.ts')),
  });
  await call(TEACHER, 'settings.set', { studentName: 'Teacher', classSession: 'ML-101', trainingWorkers: 1, backend: 'wasm' });
  expect(services.lab.claim('Ana', 'a'.repeat(32))).toEqual({ ok: true, student: 'Ana' });
  expect(services.lab.claim('Ben', 'b'.repeat(32))).toEqual({ ok: true, student: 'Ben' });
  // The students' history, written beside the services as the training queue would.
  db = openDatabase(join(dataDir, 'transfer-lab.sqlite'));
  const runs = new RunStore(db);
  ids.anaRun = runs.createRun({ name: 'ana run', pairId: null, config: sampleConfig(), studentName: 'Ana', classSession: 'ML-101' }).id;
  ids.benRun = runs.createRun({ name: 'ben run', pairId: null, config: sampleConfig(), studentName: 'Ben', classSession: 'ML-101' }).id;
  ids.benSweep = new SweepStore(db).create({ name: 'ben sweep', config: {} as SweepConfig, studentName: 'Ben', classSession: 'ML-101' }, []);
  // Ben's upload, registered by Ben himself (students may register only their own uploads).
  ids.benUploadPath = join(studentUploadDir(dataDir, 'Ben'), 'pets');
  await imageFolder(ids.benUploadPath);
  const added = await call(ben, 'datasets.addFolder', { path: ids.benUploadPath, scanId: 'ben-scan' });
  if (!added.ok) throw new Error(added.error.message);
  ids.benUpload = (added.result as { dataset: { id: string } }).dataset.id;
  const lessons = await call(TEACHER, 'lessons.list', {});
  ids.lesson = (lessons as { ok: true; result: { id: string }[] }).result[0].id;
}, 120_000);

afterAll(() => {
  services?.close();
  db?.close();
});

type Attempt<M extends MethodName> = () => Params<M>;
/**
 * Per method, the student's attempt on someone else's data (or a teacher-only action): refused for
 * Ana, allowed for the teacher. `null`: the method names no one's data; it is checked below to
 * answer a student from their own data only.
 */
const onOthers: { [M in MethodName]: Attempt<M> | null } = {
  'app.info': null,
  'app.openExternal': null,
  'app.pickFolder': () => ({ title: 'Images' }),
  'settings.get': null,
  'settings.set': () => ({ classSession: 'ML-101' }),
  'device.probe': null,
  'datasets.list': null,
  'datasets.addFolder': () => ({ path: ids.benUploadPath, scanId: 'ana-takes-ben', name: 'mine now' }),
  'datasets.cancelScan': null,
  'datasets.remove': () => ({ id: ids.benUpload }),
  'datasets.samples': () => ({ datasetId: ids.benUpload, sampleIds: ['cats/0.png'] }),
  'models.list': null,
  'models.download': () => ({ id: 'no-such-model' }),
  'models.cancelDownload': () => ({ id: 'no-such-model' }),
  'models.remove': () => ({ id: 'no-such-model' }),
  'models.import': () => ({ path: join(dataDir, 'no-model-here') }),
  'training.start': () => ({ config: { ...sampleConfig({ backboneId: 'tl-resnet-s', dataset: { id: ids.benUpload, perClass: null }, epochs: 1, backend: 'wasm' }), strategy: 'feature-extraction' } }),
  'training.cancel': () => ({ runId: ids.benRun }),
  'training.queue': null,
  'runs.list': null,
  'runs.get': () => ({ id: ids.benRun }),
  'runs.update': () => ({ id: ids.benRun, notes: 'edited' }),
  'runs.delete': () => ({ ids: [ids.anaRun, ids.benRun] }),
  'runs.rerun': () => ({ id: ids.benRun }),
  'runs.export': () => ({ ids: [ids.benRun], format: 'csv' }),
  'runs.exportClass': () => ({ classSession: 'ML-101' }),
  'runs.import': () => ({ content: '{}' }),
  'runs.exportModel': () => ({ runId: ids.benRun }),
  'lessons.list': null,
  'lessons.get': null,
  'lessons.getPosition': null,
  'lessons.setPosition': null,
  'guided.get': null,
  'guided.set': null,
  'flowchart.analyze': () => ({ dataset: { id: ids.benUpload, perClass: null }, backboneId: 'tl-resnet-s' }),
  'sweeps.start': () => ({ datasetId: ids.benUpload, sizes: [2, 3], seeds: 1 }),
  'sweeps.list': null,
  'sweeps.get': () => ({ id: ids.benSweep }),
  'sweeps.cancel': () => ({ id: ids.benSweep }),
  'sweeps.resume': () => ({ id: ids.benSweep }),
  'sweeps.delete': () => ({ id: ids.benSweep }),
  'sweeps.export': () => ({ id: ids.benSweep, format: 'json' }),
  'lab.me': null,
  'lab.class': () => ({}),
  'lab.setShared': () => ({ shared: false }),
  'lab.release': () => ({ student: 'Ben' }),
};
const refusedMethods = methodNames.filter((m) => onOthers[m] !== null);
const params = (m: MethodName) => (onOthers[m] as () => unknown)();

describe('a student on another student\'s data, the teacher on the same', () => {
  it.each(refusedMethods)('%s: refused for the student, with the reason', async (method) => {
    const r = await services.dispatch(method, params(method), ana);
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    if (!r.ok) expect(r.error.message).toMatch(/^Not allowed: .*(teacher|belongs to Ben|another student's upload|uploading them|only data sets they uploaded)/);
  });

  it('nothing of Ben\'s changed', async () => {
    const run = await call(TEACHER, 'runs.get', { id: ids.benRun });
    expect(run).toMatchObject({ ok: true, result: { notes: '', studentName: 'Ben' } });
    expect(await call(TEACHER, 'sweeps.get', { id: ids.benSweep })).toMatchObject({ ok: true, result: { status: 'running' } });
    expect(services.lab.students().map((s) => s.name)).toEqual(['Ana', 'Ben']);
  });
});

describe('what names no one: a student gets their own', () => {
  it('lists only their own runs, sweeps and uploads, and sees themselves in the settings', async () => {
    const runs = await call(ana, 'runs.list', { student: 'Ben' });
    expect(runs.ok && (runs.result as { runs: { studentName: string }[] }).runs.every((r) => r.studentName === 'Ana')).toBe(true);
    const sweeps = await call(ana, 'sweeps.list', {});
    expect(sweeps.ok && (sweeps.result as { id: string }[]).some((s) => s.id === ids.benSweep)).toBe(false);
    const sets = await call(ana, 'datasets.list', {});
    expect(sets.ok && (sets.result as { id: string }[]).map((d) => d.id)).not.toContain(ids.benUpload);
    const mine = await call(ben, 'datasets.list', {});
    expect(mine.ok && (mine.result as { id: string }[]).map((d) => d.id)).toContain(ids.benUpload);
    expect(await call(ana, 'settings.get', {})).toMatchObject({ ok: true, result: { studentName: 'Ana', classSession: 'ML-101' } });
    expect(await call(ana, 'lab.me', {})).toMatchObject({ ok: true, result: { role: 'student', student: 'Ana', shared: false } });
    expect(await call(TEACHER, 'lab.me', {})).toMatchObject({ ok: true, result: { role: 'teacher', student: null } });
  });

  it('keeps lesson positions and guided progress per student', async () => {
    await call(ben, 'lessons.setPosition', { lessonId: ids.lesson, page: 2 });
    await call(ben, 'guided.set', { step: 3, reflection: 'Ben thinks' });
    await call(ana, 'lessons.setPosition', { lessonId: ids.lesson, page: 0 });
    await call(ana, 'guided.set', { step: 1, reflection: 'Ana thinks' });
    expect(await call(ben, 'lessons.getPosition', { lessonId: ids.lesson })).toMatchObject({ result: { page: 2 } });
    expect(await call(ben, 'guided.get', {})).toMatchObject({ result: { step: 3, reflection: 'Ben thinks' } });
    expect(await call(ana, 'guided.get', {})).toMatchObject({ result: { step: 1, reflection: 'Ana thinks' } });
  });

  it('answers the rest for the student', async () => {
    for (const m of ['app.info', 'training.queue', 'models.list', 'lessons.list', 'datasets.cancelScan', 'lessons.get'] as const) {
      const p = m === 'datasets.cancelScan' ? { scanId: 'x' } : m === 'lessons.get' ? { id: ids.lesson } : {};
      expect((await services.dispatch(m, p, ana)).ok, m).toBe(true);
    }
    expect(await call(ana, 'app.openExternal', { url: 'https://example.org/' })).toMatchObject({ ok: false, error: { code: 'failed' } });
    const probe = await call(ana, 'device.probe', { refresh: false });
    expect(probe.ok).toBe(true);
  }, 120_000);

  it('once the teacher shares the results, a student reads (never changes) the others\' runs', async () => {
    await call(TEACHER, 'lab.setShared', { shared: true });
    const anaRun = await call(TEACHER, 'runs.get', { id: ids.anaRun });
    const runs = await call(ben, 'runs.list', {});
    expect(runs.ok && (runs.result as { runs: { studentName: string }[] }).runs.map((r) => r.studentName)).toContain(anaRun.ok ? 'Ana' : '?');
    expect(await call(ben, 'runs.get', { id: ids.anaRun })).toMatchObject({ ok: true });
    expect(await call(ben, 'runs.update', { id: ids.anaRun, notes: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await call(TEACHER, 'lab.setShared', { shared: false });
    expect(await call(ben, 'runs.get', { id: ids.anaRun })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('events', () => {
  it('a student\'s connection gets only their own runs\' progress, unless the results are shared', async () => {
    const job = (runId: string) => ({ event: 'training.job' as const, payload: { runId, status: 'running', error: null } });
    expect(await services.eventVisible(ana, job(ids.anaRun))).toBe(true);
    expect(await services.eventVisible(ana, job(ids.benRun))).toBe(false);
    expect(await services.eventVisible(TEACHER, job(ids.benRun))).toBe(true);
    expect(await services.eventVisible(ana, { event: 'training.queue', payload: { running: [], queued: [], workers: 1 } })).toBe(true);
  });
});

// Last: the teacher's calls change what the tests above read (they delete Ben's run, sweep and upload).
describe('the teacher', () => {
  it.each(refusedMethods)('%s: the teacher\'s call is not refused', async (method) => {
    const r = await services.dispatch(method, params(method), TEACHER);
    if (!r.ok) expect(r.error.code, r.error.message).not.toBe('forbidden');
    if (method === 'training.start' && r.ok) for (const id of (r.result as { runIds: string[] }).runIds) await call(TEACHER, 'training.cancel', { runId: id });
  }, 120_000);
});
