// Data sets, shipped and the student's own folders: what the services and the worker import.
export { createDataSource, type DataDirs } from './data-source.js';
export { stratifiedSubset, stratifiedSplit, threeWaySplit, takeImages, TEST_FRACTION, MIN_IMAGES_PER_CLASS, SMALL_TEST_SET } from './stratify.js';
export { createRng, deriveSeed, shuffleInPlace } from './prng.js';
export { listShippedDatasets, loadShippedDataset, readShippedData, isShippedDatasetId } from './shipped.js';
export { scanFolder, type ScanResult, type ScanOptions } from './folder-scan.js';
export { decodeFolder, type DecodeOptions, type DecodedFolder } from './folder-decode.js';
export { renderSampleImages } from './samples.js';
export { readRegistry, writeRegistry, findFolder, folderIdFor, isFolderId, type FolderEntry } from './folder-registry.js';
export { DEFAULT_FIT, type Fit } from './image-file.js';
export { readRegularFile, readCapped, UnsafeFileError, type ReadRegularFileOptions } from '../files/safe-read.js';
