// Debian's Chromium, headless, driven by playwright-core from
// viewer/node_modules (pinned in viewer/package-lock.json): one home for the
// browser tests (tests/viewer, tests/report).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// playwright-core lives in viewer/node_modules, wherever CTest runs us from.
const requireFromViewer = createRequire(path.join(repo, 'viewer', 'package.json'));

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions',
];

/** Launches headless Chromium; fails the test with the fix when it is missing. */
export async function launchChromium() {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  const { chromium } = requireFromViewer('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
