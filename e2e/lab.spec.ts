// Issue 15: a lab for a whole class. A teacher and two students, each in a browser of their own:
// the students join through the class link, one uploads a folder from "her" machine, each trains
// and sees only their own runs; a third browser cannot take a name already claimed; the teacher
// sees everyone's runs in History and the class view, and exports the session.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import { makeImageFolder } from './image-folder.js';
import { expect, shotDir, test } from './fixtures.js';

async function classLink(output: () => string): Promise<string> {
  await expect.poll(() => /Class .*:\n\s+(http:\/\/\S+\?class=\S+)/.exec(output())?.[1] ?? null).not.toBeNull();
  return /Class .*:\n\s+(http:\/\/\S+\?class=\S+)/.exec(output())![1];
}

async function join(browser: Browser, url: string, name: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await page.goto(url);
  await page.getByTestId('claim-name-input').fill(name);
  await page.getByTestId('claim-name').click();
  await expect(page.getByTestId('student-name')).toContainText(name);
  return page;
}

/** Feature extraction on a small budget, on the data set already chosen in the form. */
async function trainTiny(page: Page) {
  await page.getByTestId('backbone-select').selectOption('tl-resnet-s');
  await page.getByTestId('strategy-select').getByRole('radio', { name: /Feature extraction/ }).check();
  await page.getByTestId('epochs-input').fill('3');
  await page.getByTestId('start-training').click();
  await expect(page.getByTestId('live-run').first()).toHaveAttribute('data-status', 'completed', { timeout: 600_000 });
}

test('teacher and two students: each trains and sees only their own runs; the teacher sees and exports all', async ({ page, app, browser }) => {
  // Three real training runs on a two-core machine.
  test.setTimeout(1_200_000);
  const classUrl = await classLink(app.output);

  // The teacher names the session every student's runs will carry.
  await page.goto(app.url);
  await page.getByTestId('student-name').click();
  await page.getByTestId('student-name-input').fill('Ms Teacher');
  await page.getByLabel('Class', { exact: true }).fill('ML-101');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('student-name')).toContainText('ML-101');

  const ana = await join(browser, classUrl, 'Ana');
  const ben = await join(browser, classUrl, 'Ben');
  await expect(ana.locator('[data-view="lab"]')).toHaveCount(0);

  // A third browser typing a name already taken is refused, with why.
  const mallory = await (await browser.newContext()).newPage();
  await mallory.goto(classUrl);
  await mallory.getByTestId('claim-name-input').fill('ana');
  await mallory.getByTestId('claim-name').click();
  await expect(mallory.getByTestId('claim-error')).toContainText('already taken');
  await mallory.screenshot({ path: `${shotDir}/lab-name-taken.png` });

  // Ana uploads a folder from her machine (the server cannot read her disk) and trains on it.
  await ana.locator('[data-view="train"]').click();
  await ana.getByTestId('upload-input').setInputFiles(await makeImageFolder());
  await expect(ana.getByTestId('skip-report')).toContainText('broken.png');
  await expect(ana.getByTestId('class-preview')).toContainText('horizontal-stripes');
  await expect(ana.getByTestId('dataset-select')).toHaveValue(/^folder-/);
  await ana.getByRole('region', { name: 'Bring your own images' }).screenshot({ path: `${shotDir}/lab-student-upload.png` });
  await trainTiny(ana);

  await ben.locator('[data-view="train"]').click();
  await ben.getByTestId('dataset-select').selectOption('fashion-target');
  await ben.getByTestId('subset-select').selectOption('100');
  await trainTiny(ben);

  await page.locator('[data-view="train"]').click();
  await page.getByTestId('dataset-select').selectOption('fashion-target');
  await page.getByTestId('subset-select').selectOption('100');
  await trainTiny(page);

  // Each student's History holds their own run only; Ana's upload is not Ben's to use.
  for (const [student, name] of [[ana, 'Ana'], [ben, 'Ben']] as const) {
    await student.locator('[data-view="history"]').click();
    await expect(student.getByTestId('run-row')).toHaveCount(1);
    await expect(student.getByTestId('run-row')).toContainText(name);
  }
  await expect(ben.getByTestId('history-total')).toHaveText('1 run');
  await ben.screenshot({ path: `${shotDir}/lab-student-history.png`, fullPage: true });
  await ben.locator('[data-view="train"]').click();
  await expect(ben.getByTestId('dataset-select').locator('option', { hasText: 'tl-images' })).toHaveCount(0);

  // The teacher sees all three runs, and the class.
  await page.locator('[data-view="history"]').click();
  await expect(page.getByTestId('run-row')).toHaveCount(3);
  await page.screenshot({ path: `${shotDir}/lab-teacher-history.png`, fullPage: true });
  await page.locator('[data-view="lab"]').click();
  await expect(page.getByTestId('class-link')).toContainText('?class=');
  const roster = page.getByTestId('class-roster');
  await expect(roster.locator('[data-student="Ana"]')).toContainText('1');
  await expect(roster.locator('[data-student="Ben"]')).toContainText('1');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-class').click();
  const exported = readFileSync(await (await download).path(), 'utf8');
  for (const who of ['Ana', 'Ben', 'Ms Teacher']) expect(exported).toMatch(new RegExp(`"studentName":\\s*"${who}"`));
  await page.screenshot({ path: `${shotDir}/lab-teacher-class.png`, fullPage: true });

  // Shared results: Ben now reads (never changes) everyone's runs.
  await page.getByTestId('share-results').check();
  await ben.locator('[data-view="history"]').click();
  await ben.reload();
  await ben.locator('[data-view="history"]').click();
  await expect(ben.getByTestId('run-row')).toHaveCount(3);
  await expect(ben.getByTestId('student-name')).toContainText('Ben');
});
