// The history list: filters, free-text search, sort and paging as one SQL query, so a store with
// thousands of runs answers from its indexes instead of loading every run.
import type { Db } from '../store/database.js';
import type { RunFilter, RunSummary } from '../../contract/index.js';
import { SUMMARY_COLUMNS, toSummary, type RunRow } from './run-rows.js';

const SORT_COLUMNS: Record<RunFilter['sort'], string> = {
  createdAt: 'r.created_at',
  testAcc: 'r.test_acc',
  bestValAcc: 'r.best_val_acc',
  totalSeconds: 'r.total_seconds',
  name: 'r.name COLLATE NOCASE',
};

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

function where(filter: Partial<RunFilter>): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    clauses.push(sql);
    params.push(...values);
  };
  if (filter.strategy) add('r.strategy = ?', filter.strategy);
  if (filter.datasetId) add('r.dataset_id = ?', filter.datasetId);
  if (filter.status) add('r.status = ?', filter.status);
  if (filter.student?.trim()) add('r.student_name = ? COLLATE NOCASE', filter.student.trim());
  if (filter.tag?.trim()) add('EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag = ?)', filter.tag.trim());
  const search = filter.search?.trim();
  if (search) {
    const like = `%${escapeLike(search)}%`;
    const fields = ['r.name', 'r.notes', 'r.student_name', 'r.class_session', 'r.backbone_id', 'r.dataset_id', 'r.id'];
    add(
      `(${fields.map((f) => `${f} LIKE ? ESCAPE '\\'`).join(' OR ')} OR EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag LIKE ? ESCAPE '\\'))`,
      ...fields.map(() => like),
      like,
    );
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export function listRuns(db: Db, filter: RunFilter): RunSummary[] {
  const w = where(filter);
  const dir = filter.order === 'asc' ? 'ASC' : 'DESC';
  // Runs without a value (still running, failed) sort after those with one, either direction.
  const col = SORT_COLUMNS[filter.sort] ?? SORT_COLUMNS.createdAt;
  const nulls = filter.sort === 'testAcc' || filter.sort === 'bestValAcc' || filter.sort === 'totalSeconds' ? `${col.split(' ')[0]} IS NULL, ` : '';
  // Sort and page on ids alone, then read the page's rows: the sorter then carries one short
  // column instead of whole rows, which keeps deep pages fast.
  const page = db
    .prepare(`SELECT r.id FROM runs r ${w.sql} ORDER BY ${nulls}${col} ${dir}, r.id ${dir} LIMIT ? OFFSET ?`)
    .pluck()
    .all(...w.params, filter.limit, filter.offset) as string[];
  if (page.length === 0) return [];
  const rows = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs r WHERE r.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(page)) as RunRow[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return page.map((id) => toSummary(byId.get(id)!));
}

export function countRuns(db: Db, filter: Partial<RunFilter>): number {
  const w = where(filter);
  return db.prepare(`SELECT count(*) FROM runs r ${w.sql}`).pluck().get(...w.params) as number;
}
