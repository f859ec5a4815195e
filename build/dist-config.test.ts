// `npm run dist` must not fail on its configuration: validate it with electron-builder's own schema
// check, and make sure what the app needs at run time is actually shipped.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = require('../electron-builder.config.cjs');
const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
const { DebugLogger } = require('builder-util/out/DebugLogger');

describe('electron-builder configuration', () => {
  it('passes electron-builder schema validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('rejects a broken configuration (the check can fail)', async () => {
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, notAnOption: true } }, new DebugLogger(false))).rejects.toThrow();
  });

  it('targets Linux AppImage + deb, Windows NSIS and macOS dmg', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('ships resources/ as extraResources and unpacks native modules', () => {
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'resources', to: 'resources' }));
    for (const mod of ['better-sqlite3', 'sharp', '@tensorflow/tfjs-node']) {
      expect(config.asarUnpack.some((p: string) => p.includes(mod))).toBe(true);
    }
    expect(existsSync('resources')).toBe(true);
  });
});
