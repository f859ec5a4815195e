// Started as a separate process by the database's test, so it can run as an unprivileged user:
// opens each file given and prints what happened as one JSON line per file.
import { openDatabase } from '../database.js';

for (const file of process.argv.slice(2)) {
  try {
    openDatabase(file).close();
    process.stdout.write(JSON.stringify({ file, ok: true }) + '\n');
  } catch (e) {
    const err = e as Error;
    process.stdout.write(JSON.stringify({ file, ok: false, name: err.constructor.name, message: err.message }) + '\n');
  }
}
