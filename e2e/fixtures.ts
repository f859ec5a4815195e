// A server per test on a fresh data dir, its log attached to the report when the test fails.
import { test as base, expect } from '@playwright/test';
import { startAppServer, type AppServer } from './app-server.js';

export const test = base.extend<{ app: AppServer }>({
  app: async ({}, use, testInfo) => {
    const app = await startAppServer();
    await use(app);
    await app.stop();
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('server.log', { body: app.output(), contentType: 'text/plain' });
  },
});
export { expect };

export const shotDir = 'test-results/screenshots';
