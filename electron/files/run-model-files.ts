// Where a run's trained model lives and how it is written: <dataDir>/runs/<runId>/model/ holds
// model.json + weights.bin, and <dataDir>/runs/<runId>/val-predictions.bin the validation
// probabilities export parity is checked against. One copy for every host that saves a run (the
// worker process, and the services answering a window that trained on its GPU).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;
/** A trained model this app saves is a backbone plus one Dense layer; far beyond this is no such model. */
export const MAX_SAVED_WEIGHT_BYTES = 1024 * 1024 * 1024;
export const MAX_SAVED_MODEL_JSON_BYTES = 64 * 1024 * 1024;

export function isValidRunId(runId: string): boolean {
  return RUN_ID.test(runId);
}

export function runModelDir(dataDir: string, runId: string): string {
  if (!isValidRunId(runId)) throw new Error(`"${runId.slice(0, 80)}" is not a valid run id (letters, digits, "-" and "_" only).`);
  return path.join(dataDir, 'runs', runId, 'model');
}

/** Writes model.json (the weights manifest naming weights.bin) and weights.bin into `dir`. */
export async function writeModelFolder(dir: string, modelJson: Record<string, unknown>, weightData: Uint8Array): Promise<void> {
  const text = JSON.stringify(modelJson);
  if (text.length > MAX_SAVED_MODEL_JSON_BYTES) throw new Error(`The model's model.json would be ${(text.length / 1048576).toFixed(0)} MB, more than the ${MAX_SAVED_MODEL_JSON_BYTES / 1048576} MB a saved model may have.`);
  if (weightData.byteLength > MAX_SAVED_WEIGHT_BYTES) throw new Error(`The model's weights are ${(weightData.byteLength / 1048576).toFixed(0)} MB, more than the ${MAX_SAVED_WEIGHT_BYTES / 1048576} MB a saved model may have.`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'weights.bin'), weightData);
  await writeFile(path.join(dir, 'model.json'), text);
}

/** Saves a run's trained model and its validation predictions; answers the model's folder. */
export async function saveRunModelFiles(
  dataDir: string, runId: string, modelJson: Record<string, unknown>, weightData: Uint8Array, valPredictions: Float32Array,
): Promise<string> {
  const dir = runModelDir(dataDir, runId);
  await writeModelFolder(dir, modelJson, weightData);
  await writeFile(path.join(dir, '..', 'val-predictions.bin'), new Uint8Array(valPredictions.buffer, valPredictions.byteOffset, valPredictions.byteLength));
  return dir;
}
