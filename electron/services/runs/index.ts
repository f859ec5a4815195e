export { RunStore, MAX_BATCH_POINTS, type NewRun, type RunPatch } from './run-store.js';
export { runArtifactRoot } from './run-artifacts.js';
export { createRunsService, rerunName, type RunsHandlers, type RunsServiceDeps } from './runs-service.js';
export { EXPORT_FORMAT, EXPORT_VERSION, ImportError, parseExport, toCsv, type ExportedFile, type ImportOutcome } from './run-transfer.js';
