export { createModelsService, type ModelsHandlers, type ModelsServiceOptions } from './service.js';
export { CATALOG, catalogBaseUrl, mobileNetV1Params, type CatalogEntry } from './catalog.js';
