// A server per test on a fresh data dir, its log attached to the report when the test fails. A test
// that trains on a slow rung can ask for the small resources (`test.use({ smallResources: true })`):
// the shipped targets cut to their first images per class, so each run scores 100 test images.
import { test as base, expect } from '@playwright/test';
import { smallResourcesDir } from '../electron/datasets/testing/small-resources.js';
import { startAppServer, type AppServer } from './app-server.js';

export const test = base.extend<{ app: AppServer; smallResources: boolean }>({
  smallResources: [false, { option: true }],
  app: async ({ smallResources }, use, testInfo) => {
    const app = await startAppServer(undefined, smallResources ? ['--resources', smallResourcesDir()] : []);
    await use(app);
    await app.stop();
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('server.log', { body: app.output(), contentType: 'text/plain' });
  },
});
export { expect };

export const shotDir = 'test-results/screenshots';
