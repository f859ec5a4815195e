// Started as a separate process by the store's test: records a run that trains two epochs, then
// dies by SIGKILL mid-training, without closing the database — as a crash or power cut would.
import { openDatabase } from '../../store/database.js';
import { RunStore } from '../run-store.js';
import { sampleConfig, sampleEpoch } from './sample-runs.js';

const store = new RunStore(openDatabase(process.argv[2]));
const run = store.createRun({ name: 'crashy', pairId: null, config: sampleConfig(), studentName: 'Ada', classSession: 'ML-101' });
store.markStarted(run.id, { rung: 'wasm', device: 'wasm', trainableParams: 10, frozenParams: 100 });
store.appendEpoch(run.id, sampleEpoch(0));
store.appendBatches(run.id, [{ step: 0, loss: 1, acc: 0.3 }, { step: 1, loss: 0.9, acc: 0.4 }]);
store.appendEpoch(run.id, sampleEpoch(1));
process.stdout.write(run.id + '\n');
process.kill(process.pid, 'SIGKILL');
