export { createDatasetsService, type DatasetsHandlers, type DatasetsServiceOptions } from './datasets-service.js';
