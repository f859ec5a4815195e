// Where the bench finds the app's shipped resources (data sets, models).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const resourcesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources');
