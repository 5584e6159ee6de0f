// The panel pack in a real browser (issue 9): the sample world is imported,
// `waymark report` writes the pack for each profile, and headless Chromium
// opens report.html from disk with every network request refused. Checks
// that the file references nothing outside itself (no script, no external
// URL, no image or style sheet to fetch), that it renders (charts and a map
// per role), that hostile record text stays text, and that it prints to an
// A4 PDF. Screenshots and the PDFs are kept in ARTIFACTS.
//
// Environment (set by CTest):
//   WAYMARK        the waymark binary
//   WAYMARK_WORLD  a folder of a generated `small` synthetic world
//   ARTIFACTS      where screenshots go (created)
//
// Run: node --test tests/report/report.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { CHROMIUM, launchChromium } from '../support/chromium.mjs';

const run = promisify(execFile);

const HOSTILE_REASON = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>Nope & "no"';
const SINCE = '2025-01-01';
const UNTIL = '2027-12-31';

const env = {
  waymark: process.env.WAYMARK,
  world: process.env.WAYMARK_WORLD,
  artifacts: process.env.ARTIFACTS || path.join(os.tmpdir(), 'waymark-report-artifacts'),
};

const ctx = { dir: null, db: null, browser: null, packs: {} };

async function cli(...args) {
  try {
    return await run(env.waymark, ['--db', ctx.db, '--quiet', ...args], { timeout: 300_000, maxBuffer: 64 << 20 });
  } catch (error) {
    throw new Error(`waymark ${args.join(' ')} failed (${error.code}):\n${error.stdout}\n${error.stderr}`);
  }
}

// The first declined interview's reason becomes hostile markup.
async function plantHostileReason(world) {
  const file = path.join(world, 'rhi.jsonl');
  const lines = (await readFile(file, 'utf8')).split('\n');
  const index = lines.findIndex((line) => line.includes('"outcome":"declined"'));
  assert.ok(index >= 0, 'the world has a declined interview');
  const record = JSON.parse(lines[index]);
  record.decline_reason = HOSTILE_REASON;
  lines[index] = JSON.stringify(record);
  await writeFile(file, lines.join('\n'));
}

before(async () => {
  assert.ok(env.waymark && existsSync(env.waymark), `WAYMARK must name the waymark binary (got ${env.waymark})`);
  assert.ok(env.world && existsSync(path.join(env.world, 'rhi.jsonl')), `WAYMARK_WORLD must name a synthetic world (got ${env.world})`);
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  await mkdir(env.artifacts, { recursive: true });
  ctx.dir = await mkdtemp(path.join(os.tmpdir(), 'waymark-report-'));
  const world = path.join(ctx.dir, 'world');
  await cp(env.world, world, { recursive: true });
  await plantHostileReason(world);
  ctx.db = path.join(ctx.dir, 'report.db');
  await cli('init');
  for (const [kind, file] of [['gazetteer', 'gazetteer.csv'], ['persons', 'persons.csv'], ['episodes', 'episodes.csv'], ['rhi', 'rhi.jsonl'], ['cpi', 'cpi.jsonl']]) {
    await cli('import', kind, path.join(world, file));
  }
  for (const profile of ['analyst', 'panel', 'partnership']) {
    const out = path.join(ctx.dir, `pack-${profile}`);
    await cli('report', '--since', SINCE, '--until', UNTIL, '--profile', profile, '--out', out);
    ctx.packs[profile] = { out, html: await readFile(path.join(out, 'report.html'), 'utf8') };
  }
  ctx.browser = await launchChromium();
});

after(async () => {
  if (ctx.browser) await ctx.browser.close().catch(() => {});
  if (ctx.dir) await rm(ctx.dir, { recursive: true, force: true });
});

test('the HTML references nothing outside itself', () => {
  for (const [profile, { html }] of Object.entries(ctx.packs)) {
    assert.doesNotMatch(html, /<script/i, `${profile}: no script`);
    assert.doesNotMatch(html, /<(link|img|iframe|object|embed|base)\b/i, `${profile}: no external element`);
    assert.doesNotMatch(html, /\b(https?|ftp|file|data):/i, `${profile}: no URL`);
    assert.doesNotMatch(html, /@import/i, `${profile}: no imported style`);
    for (const m of html.matchAll(/\b(?:href|src|xlink:href)\s*=\s*"([^"]*)"/gi)) {
      assert.ok(m[1].startsWith('#'), `${profile}: only in-page links (got ${m[1]})`);
    }
    for (const m of html.matchAll(/url\(([^)]*)\)/gi)) {
      assert.ok(m[1].startsWith('#'), `${profile}: only in-page url() (got ${m[1]})`);
    }
  }
});

test('record text is escaped, and free text reaches the analyst only', () => {
  const analyst = ctx.packs.analyst.html;
  assert.ok(analyst.includes('&lt;img src=x onerror=&quot;') || analyst.includes('&lt;img src=x onerror="'),
    'the analyst pack shows the hostile reason as text');
  assert.ok(!analyst.includes(HOSTILE_REASON), 'the hostile reason is never written as markup');
  for (const profile of ['panel', 'partnership']) {
    assert.ok(!ctx.packs[profile].html.includes('onerror'), `${profile}: no free-text reason`);
  }
});

test('partnership: no record ids and no small counts', async () => {
  const { html, out } = ctx.packs.partnership;
  assert.doesNotMatch(html, /\b(C|E|R|P)-\d{4,}/, 'no source ids');
  assert.doesNotMatch(html, /ps-[a-z2-7]{13}/, 'no pseudonyms');
  const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.profile, 'partnership');
  for (const table of manifest.tables) {
    const text = await readFile(path.join(out, table.csv), 'utf8');
    assert.match(text, /^# Waymark report: .*profile partnership/, `${table.csv} records the profile`);
    for (const line of text.split('\r\n').slice(2)) {
      if (!line) continue;
      for (const cell of line.split(',').slice(2)) {
        if (/^\d+$/.test(cell)) assert.ok(Number(cell) >= 5, `${table.csv}: ${line} shows a count below k`);
      }
    }
  }
});

for (const profile of ['analyst', 'panel', 'partnership']) {
  test(`renders in Chromium offline (${profile})`, { timeout: 180_000 }, async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const requests = [];
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    const file = pathToFileURL(path.join(ctx.packs[profile].out, 'report.html')).href;
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url === file) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(file, { waitUntil: 'load' });
    assert.deepEqual(requests, [], `${profile}: the page asked for nothing else`);
    assert.deepEqual(errors, [], `${profile}: no console errors`);
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'no injected script ran');
    const maps = await page.$$eval('svg.map', (nodes) => nodes.map((n) => n.getBoundingClientRect().width));
    assert.equal(maps.length, 4, `${profile}: a map per role`);
    for (const width of maps) assert.ok(width > 100, `${profile}: each map is drawn (${width}px)`);
    const charts = await page.$$eval('svg.chart', (nodes) => nodes.length);
    assert.ok(charts >= 10, `${profile}: charts are drawn (${charts})`);
    const tables = await page.$$eval('table', (nodes) => nodes.length);
    assert.ok(tables >= 18, `${profile}: tables are present (${tables})`);
    await page.screenshot({ path: path.join(env.artifacts, `report-${profile}.png`), fullPage: false });
    await page.locator('#s-hotspot-maps').screenshot({ path: path.join(env.artifacts, `report-${profile}-maps.png`) });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    assert.ok(pdf.length > 10_000, `${profile}: it prints to PDF`);
    await writeFile(path.join(env.artifacts, `report-${profile}.pdf`), pdf);
    await page.close();
  });
}
