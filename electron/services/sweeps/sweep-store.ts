// Sweeps in SQLite: the sweep row and its planned runs (slots), each linked to the run in the
// history that trains it. The runs' own figures are read from the run tables, never copied.
import { randomUUID } from 'node:crypto';
import type { RunStatus, Strategy, SweepConfig, SweepRun, SweepStatus, TrainConfig } from '../../contract/index.js';
import { NotFoundError } from '../dispatcher.js';
import type { Db } from '../store/database.js';

export interface SweepRow {
  id: string;
  name: string;
  status: SweepStatus;
  config: SweepConfig;
  studentName: string;
  classSession: string;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
}

/** One planned run of a sweep: what the pair rule chose for it, and the run training it. */
export interface SweepSlot {
  perClass: number;
  seed: number;
  strategy: Strategy;
  images: number;
  config: TrainConfig;
  pairId: string | null;
  runId: string | null;
}

export type SlotKey = Pick<SweepSlot, 'perClass' | 'seed' | 'strategy'>;

interface RawSweep { id: string; name: string; status: SweepStatus; config: string; student_name: string; class_session: string; created_at: string; finished_at: string | null; error: string | null }
interface RawSlot {
  per_class: number; seed: number; strategy: Strategy; images: number; config: string; pair_id: string | null; run_id: string | null;
  status: RunStatus | null; test_acc: number | null; test_low: number | null; test_high: number | null; test_n: number | null;
  total_seconds: number | null; started_at: string | null; finished_at: string | null; error: string | null; set_id: string | null; correct_flags: string | null;
}

const now = () => new Date().toISOString();
const toSweep = (r: RawSweep): SweepRow => ({
  id: r.id, name: r.name, status: r.status, config: JSON.parse(r.config) as SweepConfig, studentName: r.student_name,
  classSession: r.class_session, createdAt: r.created_at, finishedAt: r.finished_at, error: r.error,
});

// Slots in the order they are queued: smallest size first, then seed, then feature extraction.
const SLOTS = `
  SELECT s.per_class, s.seed, s.strategy, s.images, s.config, s.pair_id, s.run_id,
         r.status, r.test_acc, r.test_low, r.test_high, r.test_n, r.total_seconds, r.started_at, r.finished_at, r.error,
         json_extract(rr.test_score, '$.setId') AS set_id, json_extract(rr.test_score, '$.correctFlags') AS correct_flags
  FROM sweep_runs s
  LEFT JOIN runs r ON r.id = s.run_id
  LEFT JOIN run_results rr ON rr.run_id = s.run_id
  WHERE s.sweep_id = ?
  ORDER BY s.per_class, s.seed, s.strategy`;

export class SweepStore {
  constructor(private readonly db: Db) {}

  create(input: { name: string; config: SweepConfig; studentName: string; classSession: string }, slots: SweepSlot[]): string {
    const id = randomUUID();
    this.db.transaction(() => {
      this.db
        .prepare(`INSERT INTO sweeps (id, name, status, config, student_name, class_session, created_at) VALUES (?, ?, 'running', ?, ?, ?, ?)`)
        .run(id, input.name, JSON.stringify(input.config), input.studentName, input.classSession, now());
      const add = this.db.prepare(`INSERT INTO sweep_runs (sweep_id, per_class, seed, strategy, images, config, pair_id, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const s of slots) add.run(id, s.perClass, s.seed, s.strategy, s.images, JSON.stringify(s.config), s.pairId, s.runId);
    })();
    return id;
  }

  /** Writes a sweep as another installation stored it (the class export): its id and slots kept. */
  insert(row: SweepRow, slots: SweepSlot[]): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO sweeps (id, name, status, config, student_name, class_session, created_at, finished_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(row.id, row.name, row.status, JSON.stringify(row.config), row.studentName, row.classSession, row.createdAt, row.finishedAt, row.error);
      const add = this.db.prepare('INSERT INTO sweep_runs (sweep_id, per_class, seed, strategy, images, config, pair_id, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      for (const s of slots) add.run(row.id, s.perClass, s.seed, s.strategy, s.images, JSON.stringify(s.config), s.pairId, s.runId);
    })();
  }

  exists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(id) !== undefined;
  }

  /** The sweeps of one class session, oldest first. */
  forClass(classSession: string): SweepRow[] {
    return (this.db.prepare('SELECT * FROM sweeps WHERE class_session = ? ORDER BY created_at, rowid').all(classSession) as RawSweep[]).map(toSweep);
  }

  list(): SweepRow[] {
    return (this.db.prepare('SELECT * FROM sweeps ORDER BY created_at DESC, rowid DESC').all() as RawSweep[]).map(toSweep);
  }

  get(id: string): SweepRow {
    const row = this.db.prepare('SELECT * FROM sweeps WHERE id = ?').get(id) as RawSweep | undefined;
    if (!row) throw new NotFoundError(`No sweep with id ${id}. It may have been deleted.`);
    return toSweep(row);
  }

  /** The sweep's slots with what their runs recorded so far (status, test score, seconds). */
  runs(id: string): Array<SweepSlot & { run: SweepRun }> {
    return (this.db.prepare(SLOTS).all(id) as RawSlot[]).map((r) => ({
      perClass: r.per_class, seed: r.seed, strategy: r.strategy, images: r.images, config: JSON.parse(r.config) as TrainConfig,
      pairId: r.pair_id, runId: r.run_id,
      run: {
        perClass: r.per_class, images: r.images, seed: r.seed, strategy: r.strategy, runId: r.run_id, status: r.run_id ? r.status : null,
        testAcc: r.test_acc, testLow: r.test_low, testHigh: r.test_high, testN: r.test_n, seconds: r.total_seconds,
        startedAt: r.started_at, finishedAt: r.finished_at, setId: r.set_id, correctFlags: r.correct_flags, error: r.error,
      },
    }));
  }

  /** Links a slot to the run that (now) trains it. */
  setRun(sweepId: string, slot: SlotKey, runId: string, pairId: string | null): void {
    this.db
      .prepare('UPDATE sweep_runs SET run_id = ?, pair_id = ? WHERE sweep_id = ? AND per_class = ? AND seed = ? AND strategy = ?')
      .run(runId, pairId, sweepId, slot.perClass, slot.seed, slot.strategy);
  }

  setStatus(id: string, status: SweepStatus, error: string | null = null): void {
    const finished = status === 'running' ? null : now();
    this.db.prepare('UPDATE sweeps SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(status, error, finished, id);
  }

  /** The sweep a run belongs to, if any. */
  sweepOf(runId: string): string | null {
    return (this.db.prepare('SELECT sweep_id FROM sweep_runs WHERE run_id = ?').pluck().get(runId) as string | undefined) ?? null;
  }

  withStatus(status: SweepStatus): string[] {
    return this.db.prepare('SELECT id FROM sweeps WHERE status = ? ORDER BY created_at, rowid').pluck().all(status) as string[];
  }

  pairExists(pairId: string): boolean {
    return this.db.prepare('SELECT 1 FROM pairs WHERE id = ?').get(pairId) !== undefined;
  }

  delete(id: string): void {
    this.get(id);
    this.db.prepare('DELETE FROM sweeps WHERE id = ?').run(id);
  }
}
