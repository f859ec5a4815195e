// One closing line for the whole `npm test`: unit (vitest) and e2e (Playwright) results together.
import { readFileSync } from 'node:fs';

const read = (f) => JSON.parse(readFileSync(f, 'utf8'));
const unit = read('test-results/unit.json');
const e2e = read('test-results/e2e.json');
const passed = unit.numPassedTests + e2e.stats.expected + (e2e.stats.flaky ?? 0);
const failed = unit.numFailedTests + e2e.stats.unexpected;
const skipped = unit.numPendingTests + unit.numTodoTests + e2e.stats.skipped;
console.log(`unit: ${unit.numPassedTests} passed, e2e: ${e2e.stats.expected} passed`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
