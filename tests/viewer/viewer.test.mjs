// The web viewer end to end: a synthetic world with hostile text planted in
// it is imported, `waymark serve` runs on loopback, and headless Chromium
// uses the page as a person would. Checks the token, the
// Content-Security-Policy, that record text is never markup, that nothing is
// fetched from anywhere but the server, the place / network linking, the
// date slider, and the partnership and panel profiles.
//
// Environment (set by CTest):
//   WAYMARK        the waymark binary
//   WAYMARK_WORLD  a folder of a generated `small` synthetic world
//   ARTIFACTS      where screenshots go (created)
//   WAYMARK_DOCS_SCREENSHOT  optional: also save the place view there
//
// Run: node --test tests/viewer/viewer.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { CHROMIUM, launchChromium } from '../support/chromium.mjs';

const run = promisify(execFile);

const HOSTILE_PERSON = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>Zed';
const HOSTILE_PLACE = '<script>window.__xss=3</script>Hostile Place';
const STEP_MS = 60_000;

const env = {
  waymark: process.env.WAYMARK,
  world: process.env.WAYMARK_WORLD,
  artifacts: process.env.ARTIFACTS || path.join(os.tmpdir(), 'waymark-viewer-artifacts'),
  docsShot: process.env.WAYMARK_DOCS_SCREENSHOT,
};

// Shared by the tests below, which run in order.
const ctx = {
  dir: null,
  db: null,
  planted: null, // { placeKey, childId }
  server: null, // the analyst server
  browser: null,
  page: null,
  requests: [],
  consoleErrors: [],
  placeId: null, // the hostile place's /api/place id
};

// ---------------------------------------------------------------- CSV (RFC 4180)

function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function csvField(value) {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function writeCsv(rows) {
  return `${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------- planting

/**
 * Plants the hostile texts: the gazetteer place most used by episodes gets
 * HOSTILE_PLACE as its label (and so does every record that names it by its
 * old label, so that they still resolve to it); a child with an episode
 * there gets HOSTILE_PERSON as name. The child is the one with the fewest
 * episodes there, so other places rarely list them (the docs screenshot).
 */
async function plantHostileText(worldDir) {
  const gazPath = path.join(worldDir, 'gazetteer.csv');
  const personsPath = path.join(worldDir, 'persons.csv');
  const episodesPath = path.join(worldDir, 'episodes.csv');
  const gaz = parseCsv(await readFile(gazPath, 'utf8'));
  const persons = parseCsv(await readFile(personsPath, 'utf8'));
  const episodes = parseCsv(await readFile(episodesPath, 'utf8'));
  const col = (rows, name) => {
    const i = rows[0].indexOf(name);
    assert.ok(i >= 0, `column ${name} missing from the world's CSV header: ${rows[0].join(',')}`);
    return i;
  };

  const eFromPlace = col(episodes, 'from_place_id');
  const eFoundPlace = col(episodes, 'found_place_id');
  const eFromLabel = col(episodes, 'from_label');
  const eFoundLabel = col(episodes, 'found_label');
  const eChild = col(episodes, 'child_id');
  const gKey = col(gaz, 'key');
  const gLabel = col(gaz, 'label');
  const gKeyType = col(gaz, 'key_type');
  const labelled = new Map(gaz.slice(1).filter((r) => r[gKeyType] === 'place' && r[gLabel]).map((r) => [r[gKey], r]));

  const uses = new Map();
  for (const e of episodes.slice(1)) {
    for (const key of [e[eFromPlace], e[eFoundPlace]]) {
      if (labelled.has(key)) uses.set(key, (uses.get(key) || 0) + 1);
    }
  }
  const [placeKey] = [...uses.entries()].sort((a, b) => b[1] - a[1])[0] || [];
  assert.ok(placeKey, 'the world has no labelled gazetteer place used by an episode');
  const oldLabel = labelled.get(placeKey)[gLabel];
  labelled.get(placeKey)[gLabel] = HOSTILE_PLACE;
  for (const e of episodes.slice(1)) {
    if (e[eFromLabel] === oldLabel) e[eFromLabel] = HOSTILE_PLACE;
    if (e[eFoundLabel] === oldLabel) e[eFoundLabel] = HOSTILE_PLACE;
  }

  const perChild = new Map();
  for (const e of episodes.slice(1)) {
    if (e[eFromPlace] === placeKey || e[eFoundPlace] === placeKey) perChild.set(e[eChild], (perChild.get(e[eChild]) || 0) + 1);
  }
  const pId = col(persons, 'person_id');
  const pName = col(persons, 'name');
  const pKind = col(persons, 'kind');
  const candidates = persons.slice(1).filter((p) => p[pKind] === 'child' && perChild.has(p[pId]));
  assert.ok(candidates.length, `no child in persons.csv has an episode at ${placeKey}`);
  candidates.sort((a, b) => perChild.get(a[pId]) - perChild.get(b[pId]) || a[pId].localeCompare(b[pId]));
  const child = candidates[0];
  child[pName] = HOSTILE_PERSON;

  await writeFile(gazPath, writeCsv(gaz));
  await writeFile(personsPath, writeCsv(persons));
  await writeFile(episodesPath, writeCsv(episodes));
  await relabelJsonl(path.join(worldDir, 'rhi.jsonl'), oldLabel);
  await relabelJsonl(path.join(worldDir, 'cpi.jsonl'), oldLabel);
  return { placeKey, oldLabel, childId: child[pId] };
}

/** Replaces every `label` equal to `oldLabel` in a JSON Lines file. */
async function relabelJsonl(file, oldLabel) {
  if (!existsSync(file)) return;
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'label' && x === oldLabel) v[k] = HOSTILE_PLACE;
        else walk(x);
      }
    }
  };
  const lines = (await readFile(file, 'utf8')).split('\n').map((line) => {
    if (!line.trim()) return line;
    const record = JSON.parse(line);
    walk(record);
    return JSON.stringify(record);
  });
  await writeFile(file, lines.join('\n'));
}

// ---------------------------------------------------------------- server

/** `waymark init`, then the world's five files imported in order. */
async function importWorld(db, world) {
  const cli = async (...args) => {
    try {
      await run(env.waymark, ['--db', db, ...args], { timeout: 120_000, maxBuffer: 64 << 20 });
    } catch (error) {
      throw new Error(`waymark ${args.join(' ')} failed (${error.code}):\n${error.stdout}\n${error.stderr}`);
    }
  };
  await cli('init');
  for (const [kind, file] of [['gazetteer', 'gazetteer.csv'], ['persons', 'persons.csv'], ['episodes', 'episodes.csv'], ['rhi', 'rhi.jsonl'], ['cpi', 'cpi.jsonl']]) {
    await cli('import', kind, path.join(world, file));
  }
}

/** Starts `waymark serve`; resolves once it printed its landing URL. */
function startServer(profile, db = ctx.db) {
  return new Promise((resolve, reject) => {
    const child = spawn(env.waymark, ['--db', db, 'serve', '--profile', profile, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = { child, profile, stdout: '', stderr: '', exited: null, stopping: false };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`waymark serve --profile ${profile} printed no URL within 60 s.\nstdout: ${server.stdout}\nstderr: ${server.stderr}`));
    }, STEP_MS);
    child.stdout.on('data', (chunk) => {
      server.stdout += chunk;
      const m = server.stdout.match(/http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_\-.~%]+)/);
      if (m && !server.url) {
        clearTimeout(timer);
        server.url = m[0];
        server.origin = `http://127.0.0.1:${m[1]}`;
        server.token = decodeURIComponent(m[2]);
        resolve(server);
      }
    });
    child.stderr.on('data', (chunk) => {
      server.stderr += chunk;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      server.exited = { code, signal };
      if (!server.url) {
        clearTimeout(timer);
        reject(new Error(`waymark serve --profile ${profile} exited (${code ?? signal}) before listening.\nstderr: ${server.stderr}`));
      }
    });
  });
}

/** Stops a server; fails if it had died on its own before. */
async function stopServer(server) {
  if (!server) return;
  const died = server.exited && !server.stopping;
  server.stopping = true;
  if (!server.exited) {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  assert.ok(!died, `waymark serve --profile ${server.profile} exited early (${JSON.stringify(server.exited)}).\nstderr: ${server.stderr}`);
}

function assertServerUp(server) {
  assert.equal(server.exited, null, `waymark serve --profile ${server.profile} exited early (${JSON.stringify(server.exited)}).\nstderr: ${server.stderr}`);
}

/** GET with the session token header; returns { status, headers, body, json }. */
async function api(server, route, { token = server.token } = {}) {
  const headers = token === null ? {} : { 'X-Waymark-Token': token };
  const response = await fetch(server.origin + route, { headers, redirect: 'manual' });
  const body = await response.text();
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, body, json };
}

// ---------------------------------------------------------------- browser

async function openPage(server) {
  const page = await ctx.browser.newPage({ viewport: { width: 1440, height: 900 } });
  const log = { requests: [], errors: [] };
  page.on('request', (request) => log.requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') log.errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => log.errors.push(`pageerror: ${error.message}`));
  // Runs before the page's own script (and outside its CSP): records any
  // policy violation, which Chromium also logs as a console error.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(server.url, { waitUntil: 'load', timeout: STEP_MS });
  return { page, log };
}

/** Waits until nothing is loading and the counts line shows numbers; fails on an error banner. */
async function waitForIdle(page) {
  await page.waitForFunction(() => {
    const banner = document.querySelector('[data-testid=error-banner]');
    if (banner && !banner.classList.contains('hidden')) return true;
    const counts = document.querySelector('[data-testid=counts]');
    return document.body.dataset.busy === 'false' && counts && /\d/.test(counts.textContent);
  }, null, { timeout: STEP_MS });
  if (await page.isVisible('[data-testid=error-banner]')) {
    assert.fail(`the page shows an error: ${(await page.textContent('[data-testid=error-text]')).trim()}`);
  }
}

const countsIncidents = (page) => page.$eval('[data-testid=counts]', (n) => Number(n.dataset.incidents));

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(env.artifacts, name) });
}

// ---------------------------------------------------------------- setup

before(async () => {
  assert.ok(env.waymark && existsSync(env.waymark), `WAYMARK must name the waymark binary (got ${env.waymark})`);
  assert.ok(env.world && existsSync(path.join(env.world, 'persons.csv')), `WAYMARK_WORLD must name a synthetic world folder (got ${env.world})`);
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  await mkdir(env.artifacts, { recursive: true });

  ctx.dir = await mkdtemp(path.join(os.tmpdir(), 'waymark-viewer-'));
  const world = path.join(ctx.dir, 'world');
  await cp(env.world, world, { recursive: true });
  ctx.planted = await plantHostileText(world);

  ctx.db = path.join(ctx.dir, 'viewer.db');
  await importWorld(ctx.db, world);

  ctx.server = await startServer('analyst');
  ctx.browser = await launchChromium();
});

after(async () => {
  if (ctx.browser) await ctx.browser.close().catch(() => {});
  if (ctx.server && !ctx.server.exited) {
    ctx.server.stopping = true;
    ctx.server.child.kill('SIGTERM');
  }
  if (ctx.dir) await rm(ctx.dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------- the token and headers

test('the API and static files need the session token', async () => {
  const s = ctx.server;
  assert.equal((await api(s, '/api/meta', { token: null })).status, 401, '/api/meta without a token must be 401');
  assert.equal((await api(s, '/api/meta', { token: 'not-the-token' })).status, 401, '/api/meta with a wrong token must be 401');
  const meta = await api(s, '/api/meta');
  assert.equal(meta.status, 200, `/api/meta with the token: ${meta.status} ${meta.body}`);
  assert.match(meta.headers.get('content-type') || '', /application\/json/, '/api/meta is JSON');
  assert.equal(meta.json.profile, 'analyst');
  assert.equal((await api(s, '/app.js', { token: null })).status, 401, '/app.js without a token must be 401');
});

test('the page is sent with a strict Content-Security-Policy and nosniff', async () => {
  const response = await api(ctx.server, '/');
  assert.equal(response.status, 200, `GET / with the token: ${response.status}`);
  const csp = response.headers.get('content-security-policy') || '';
  assert.match(csp, /script-src 'self'/, `CSP: ${csp}`);
  assert.match(csp, /default-src 'none'/, `CSP: ${csp}`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `CSP must not allow inline code: ${csp}`);
  assert.equal((response.headers.get('x-content-type-options') || '').toLowerCase(), 'nosniff');
});

// ---------------------------------------------------------------- the page

test('the page loads: map, counts, network', { timeout: 2 * STEP_MS }, async () => {
  const { page, log } = await openPage(ctx.server);
  ctx.page = page;
  ctx.requests = log.requests;
  ctx.consoleErrors = log.errors;
  assert.ok(!page.url().includes('token='), `the landing URL should redirect away from the token: ${page.url()}`);
  await waitForIdle(page);
  const incidents = await countsIncidents(page);
  assert.ok(incidents > 0, `the counts line should show incidents: ${await page.textContent('[data-testid=counts]')}`);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=map]').dataset.countPoints) > 0, null, { timeout: STEP_MS });
  await page.waitForFunction(() => ['ready', 'empty'].includes(document.querySelector('[data-testid=network-panel]').dataset.state), null, { timeout: STEP_MS });
  assert.equal(await page.getAttribute('[data-testid=network-panel]', 'data-state'), 'ready', 'the network panel shows a network');
  assert.ok(await page.isHidden('[data-testid=error-banner]'), `no error: ${await page.textContent('[data-testid=error-banner]')}`);
  await screenshot(page, 'viewer-initial.png');
});

test('layer switches show and hide their layers', async () => {
  const page = ctx.page;
  const map = '[data-testid=map]';
  for (const name of ['points', 'clusters', 'gistar']) {
    const attr = `data-layer-${name}`;
    assert.equal(await page.getAttribute(map, attr), 'on', `${name} starts on`);
    await page.click(`[data-testid=layer-${name}]`);
    assert.equal(await page.getAttribute(map, attr), 'off', `${name} is off after unticking`);
    await page.click(`[data-testid=layer-${name}]`);
    assert.equal(await page.getAttribute(map, attr), 'on', `${name} is on again after ticking`);
  }
  assert.ok(Number(await page.getAttribute(map, 'data-count-points')) > 0, 'points are drawn');
  assert.equal(await page.getAttribute(map, 'data-layer-density'), 'off', 'density starts off');
  await page.click('[data-testid=layer-density]');
  const densityCount = Number(await page.getAttribute(map, 'data-count-density'));
  assert.equal(await page.getAttribute(map, 'data-layer-density'), densityCount > 0 ? 'on' : 'off', 'density follows its switch');
  if (densityCount > 0) assert.equal(await page.locator('.leaflet-pane.pane-density img').count(), 1, 'the density image is on the map');
  await page.click('[data-testid=layer-density]');
  assert.equal(await page.getAttribute(map, 'data-layer-density'), 'off');
});

test('a top place opens the place view and highlights it in the network', { timeout: 2 * STEP_MS }, async () => {
  const page = ctx.page;
  const first = page.locator('[data-testid=top-place]').first();
  const placeId = await first.getAttribute('data-place');
  assert.ok(placeId, 'the sidebar lists top places');
  await first.click();
  await page.waitForFunction((id) => {
    const d = document.querySelector('[data-testid=detail]');
    return d.dataset.view === 'place' && d.dataset.id === id && document.body.dataset.busy === 'false';
  }, placeId, { timeout: STEP_MS });
  assert.equal(await page.getAttribute('[data-testid=map]', 'data-highlighted-place'), placeId, 'the place is highlighted on the map');

  const place = await api(ctx.server, `/api/place/${encodeURIComponent(placeId)}`);
  assert.equal(place.status, 200, `/api/place/${placeId}: ${place.body}`);
  const node = place.json.network && place.json.network.nodes.find((n) => n.place === placeId || n.id === placeId);
  if (node) {
    await page.waitForFunction((id) => document.querySelector('[data-testid=network-panel]').dataset.selected === id, node.id, { timeout: STEP_MS });
    const highlighted = Number(await page.getAttribute('[data-testid=network-panel]', 'data-highlighted'));
    assert.ok(highlighted > 0, `the place's neighbours are highlighted (data-highlighted=${highlighted})`);
  } else {
    assert.fail(`/api/place/${placeId} has no node for the place in its network: the network panel cannot select it`);
  }
  await screenshot(page, 'viewer-place.png');

  // The map centred on the place when it opened: a click there hits a site
  // on the canvas (that place's, or a smaller one drawn over it) and opens
  // that site's place.
  const placeUrl = `${ctx.server.origin}/api/place/`;
  const loads = () => ctx.requests.filter((u) => u.startsWith(placeUrl)).length;
  const before = loads();
  const box = await page.locator('[data-testid=map]').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => document.body.dataset.busy === 'false', null, { timeout: STEP_MS });
  await page.waitForTimeout(200);
  assert.ok(loads() > before, 'clicking a site on the map opens a place view');
  await page.waitForFunction(() => document.querySelector('[data-testid=detail]').dataset.view === 'place', null, { timeout: STEP_MS });
  const clicked = await page.getAttribute('[data-testid=detail]', 'data-id');
  assert.equal(await page.getAttribute('[data-testid=map]', 'data-highlighted-place'), clicked, 'the clicked place is highlighted');
});

test('a child in the place view opens the child view', { timeout: 2 * STEP_MS }, async () => {
  const page = ctx.page;
  const child = page.locator('[data-testid=place-child]').first();
  const childId = await child.getAttribute('data-id');
  await child.click();
  await page.waitForFunction((id) => {
    const d = document.querySelector('[data-testid=detail]');
    return d.dataset.view === 'child' && d.dataset.id === id && document.body.dataset.busy === 'false';
  }, childId, { timeout: STEP_MS });
  assert.equal(await page.locator('[data-testid=detail] [data-testid=timeline] .tl-episode').count() > 0, true, 'the timeline shows episodes');
  assert.ok(Number(await page.getAttribute('[data-testid=map]', 'data-highlight-count')) > 0, "the child's places are ringed on the map");
  await screenshot(page, 'viewer-child.png');
  await page.click('[data-testid=network-back]');
  await page.waitForFunction(() => document.body.dataset.busy === 'false' && document.querySelector('[data-testid=network-back]').classList.contains('hidden'), null, { timeout: STEP_MS });
});

test('moving the date slider re-queries: fewer incidents', { timeout: 2 * STEP_MS }, async () => {
  const page = ctx.page;
  const before = await countsIncidents(page);
  const max = Number(await page.getAttribute('[data-testid=date-start]', 'max'));
  assert.ok(max > 1, 'the date slider spans the data window');
  await page.$eval('[data-testid=date-start]', (input, value) => {
    input.value = String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, Math.round(max / 2));
  await page.waitForFunction((n) => {
    const counts = document.querySelector('[data-testid=counts]');
    return document.body.dataset.busy === 'false' && counts.dataset.incidents !== '' && Number(counts.dataset.incidents) !== n;
  }, before, { timeout: STEP_MS });
  const after = await countsIncidents(page);
  assert.ok(after < before, `incidents after moving the start to the middle (${after}) should be fewer than before (${before})`);
  await page.click('[data-testid=reset-filters]');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=counts]').dataset.incidents) === n
    && document.body.dataset.busy === 'false', before, { timeout: STEP_MS });
});

test('filters and the hotspot role re-query without errors', { timeout: 2 * STEP_MS }, async () => {
  const page = ctx.page;
  const all = await countsIncidents(page);
  const expectFewer = async (what, action) => {
    const before = await countsIncidents(page);
    await action();
    await page.waitForFunction((n) => {
      const counts = document.querySelector('[data-testid=counts]');
      const banner = document.querySelector('[data-testid=error-banner]');
      return (banner && !banner.classList.contains('hidden'))
        || (document.body.dataset.busy === 'false' && counts.dataset.incidents !== '' && Number(counts.dataset.incidents) !== n);
    }, before, { timeout: STEP_MS }).catch(() => {});
    await waitForIdle(page);
    const after = await countsIncidents(page);
    assert.ok(after <= before, `${what}: ${after} incidents, not fewer than ${before}`);
  };
  const firstRisk = page.locator('[data-filter=risk] input[type=checkbox]').first();
  await expectFewer('one risk grade ticked', () => firstRisk.check());
  await expectFewer('looked after: yes', () => page.check('[data-testid=looked-after-yes]'));
  await expectFewer('"from" unticked', () => page.uncheck('[data-testid=role-from]'));
  assert.ok(await countsIncidents(page) < all, 'the filters together leave fewer incidents');

  await page.selectOption('[data-testid=hotspot-role]', 'found');
  await waitForIdle(page);
  assert.match(await page.textContent('[data-testid=legend]'), /found at/i, 'the legend names the hotspot role');

  await page.click('[data-testid=reset-filters]');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=counts]').dataset.incidents) === n
    && document.body.dataset.busy === 'false', all, { timeout: STEP_MS });
});

test('hostile text from records is shown as text, never run', { timeout: 2 * STEP_MS }, async () => {
  const page = ctx.page;
  const incidents = await api(ctx.server, '/api/incidents');
  const site = incidents.json.sites.find((s) => s.label === HOSTILE_PLACE);
  assert.ok(site, `/api/incidents has no site labelled ${HOSTILE_PLACE} (planted on ${ctx.planted.placeKey})`);
  ctx.placeId = site.place;

  await page.fill('[data-testid=search]', 'Hostile Place');
  const result = page.locator(`[data-testid=search-place][data-place="${site.place}"]`);
  await result.click();
  await page.waitForFunction((id) => {
    const d = document.querySelector('[data-testid=detail]');
    return d.dataset.view === 'place' && d.dataset.id === id && document.body.dataset.busy === 'false';
  }, site.place, { timeout: STEP_MS });
  const title = await page.textContent('[data-testid=detail] [data-testid=detail-title]');
  assert.equal(title.trim(), HOSTILE_PLACE, 'the place label is shown literally');
  assert.ok(await page.getByText(HOSTILE_PLACE, { exact: true }).first().isVisible(), 'the literal label is visible');

  // The planted child had an episode here: their name is in the children list.
  const person = page.locator('[data-testid=place-child]', { hasText: 'Zed' });
  assert.ok(await person.count() > 0, 'the child with the hostile name is listed at the hostile place');
  assert.equal((await person.first().textContent()).trim(), HOSTILE_PERSON, 'the person name is shown literally');
  await person.first().click();
  await page.waitForFunction(() => document.querySelector('[data-testid=detail]').dataset.view === 'child'
    && document.body.dataset.busy === 'false', null, { timeout: STEP_MS });
  assert.equal((await page.textContent('[data-testid=detail] [data-testid=detail-title]')).trim(), HOSTILE_PERSON);

  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no planted script ran');
  const scripts = await page.$$eval('script', (nodes) => nodes.map((n) => n.getAttribute('src') || `inline: ${n.textContent.slice(0, 60)}`));
  assert.deepEqual(scripts, ['app.js'], `the only script is app.js: ${JSON.stringify(scripts)}`);
  assert.equal(await page.locator('img[src="x"]').count(), 0, 'no planted <img> exists');
  await screenshot(page, 'viewer-hostile.png');
});

test('a place outside the network: the whole network, with a note', { timeout: 2 * STEP_MS }, async (t) => {
  const page = ctx.page;
  // The child view left an ego network in the panel.
  const ids = await page.$$eval('[data-testid=top-place]', (nodes) => nodes.map((n) => n.dataset.place));
  let outside = null;
  for (const id of ids) {
    const place = await api(ctx.server, `/api/place/${encodeURIComponent(id)}`);
    if (place.status === 200 && place.json.network === null) {
      outside = id;
      break;
    }
  }
  if (!outside) {
    t.skip('every top place is in the network');
    return;
  }
  await page.click(`[data-testid=top-place][data-place="${outside}"]`);
  await page.waitForFunction((id) => document.querySelector('[data-testid=detail]').dataset.id === id
    && document.body.dataset.busy === 'false'
    && !document.querySelector('[data-testid=network-note]').classList.contains('hidden'), outside, { timeout: STEP_MS });
  assert.ok(await page.isHidden('[data-testid=network-back]'), 'the whole network is shown');
  assert.equal(await page.getAttribute('[data-testid=network-panel]', 'data-selected'), '', 'nothing is selected');
});

test('the docs screenshot (only when asked for)', { timeout: 2 * STEP_MS }, async (t) => {
  if (!env.docsShot) {
    t.skip('WAYMARK_DOCS_SCREENSHOT not set');
    return;
  }
  // A store of the world as generated, without the planted text.
  const db = path.join(ctx.dir, 'docs.db');
  await importWorld(db, env.world);
  const server = await startServer('analyst', db);
  try {
    const { page, log } = await openPage(server);
    await waitForIdle(page);
    // The busiest place that is in the network, so the linking shows.
    const ids = await page.$$eval('[data-testid=top-place]', (nodes) => nodes.map((n) => n.dataset.place));
    let chosen = ids[0];
    for (const id of ids) {
      const place = await api(server, `/api/place/${encodeURIComponent(id)}`);
      if (place.status === 200 && place.json.network) {
        chosen = id;
        break;
      }
    }
    await page.click(`[data-testid=top-place][data-place="${chosen}"]`);
    await page.waitForFunction((placeId) => document.querySelector('[data-testid=detail]').dataset.id === placeId
      && document.body.dataset.busy === 'false', chosen, { timeout: STEP_MS });
    await page.$eval('[data-testid=sidebar]', (sidebar) => {
      sidebar.scrollTop = 0;
    });
    await page.waitForTimeout(300);
    await mkdir(path.dirname(path.resolve(env.docsShot)), { recursive: true });
    await page.screenshot({ path: path.resolve(env.docsShot) });
    assert.deepEqual(log.errors, [], 'console errors');
    await page.close();
  } finally {
    await stopServer(server);
  }
});

test('no request left the server, no console error, no CSP violation', async () => {
  const page = ctx.page;
  const origin = `${ctx.server.origin}/`;
  const outside = ctx.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(outside, [], `requests outside ${origin}`);
  assert.ok(ctx.requests.some((u) => u.startsWith(`${origin}api/`)), 'the page called the API');
  const violations = await page.evaluate(() => window.__cspViolations);
  assert.deepEqual(violations, [], 'Content-Security-Policy violations');
  assert.deepEqual(ctx.consoleErrors, [], 'console errors');
  assert.equal(await page.locator('style').count(), 0, 'no <style> element was injected');
  assertServerUp(ctx.server);
});

// ---------------------------------------------------------------- other profiles

test('partnership: cells only, no network panel, network API refused', { timeout: 2 * STEP_MS }, async () => {
  await stopServer(ctx.server);
  const server = await startServer('partnership');
  try {
    assert.equal((await api(server, '/api/network')).status, 403, '/api/network is 403 for partnership');
    assert.equal((await api(server, '/api/incidents')).status, 403, '/api/incidents is 403 for partnership');
    const meta = (await api(server, '/api/meta')).json;
    assert.equal(meta.profile, 'partnership');
    const { page, log } = await openPage(server);
    await waitForIdle(page);
    assert.equal(await page.locator('[data-testid=network-panel]').count(), 0, 'no network panel');
    assert.equal(await page.locator('[data-testid=detail]').count(), 0, 'no detail panel');
    const roles = await page.$$eval('[data-testid=hotspot-role] option', (options) => options.map((o) => o.value));
    assert.ok(!roles.includes('all'), `partnership shows one role at a time: ${roles}`);
    assert.equal(await page.getAttribute('[data-testid=map]', 'data-layer-cells'), 'on', 'the cells layer is on');
    assert.ok(Number(await page.getAttribute('[data-testid=map]', 'data-count-cells')) > 0, 'cells are drawn');
    const note = await page.textContent('[data-testid=suppression-note]');
    assert.match(note, new RegExp(`fewer than ${meta.suppression_k} children`), `the suppression note: ${note}`);
    assert.ok(await page.isHidden('[data-testid=error-banner]'), `no error: ${await page.textContent('[data-testid=error-banner]')}`);
    assert.deepEqual(log.errors, [], 'console errors');
    assert.ok(!(await page.textContent('body')).includes('Zed'), 'no person name');
    await screenshot(page, 'viewer-partnership.png');
    await page.close();
  } finally {
    await stopServer(server);
  }
});

test('panel: pseudonyms, the hostile name nowhere', { timeout: 2 * STEP_MS }, async () => {
  const server = await startServer('panel');
  try {
    const network = await api(server, '/api/network');
    assert.equal(network.status, 200);
    assert.ok(!network.body.includes('Zed'), "the panel network holds no child's name");
    const { page, log } = await openPage(server);
    await waitForIdle(page);
    await page.waitForFunction(() => document.querySelector('[data-testid=network-panel]').dataset.state !== 'loading', null, { timeout: STEP_MS });
    if (ctx.placeId) {
      const place = await api(server, `/api/place/${encodeURIComponent(ctx.placeId)}`);
      assert.ok(!place.body.includes('Zed'), "the panel's place view holds no child's name");
    }
    await page.locator('[data-testid=top-place]').first().click();
    await page.waitForFunction(() => document.querySelector('[data-testid=detail]').dataset.view === 'place'
      && document.body.dataset.busy === 'false', null, { timeout: STEP_MS });
    const text = await page.textContent('body');
    assert.ok(!text.includes('Zed') && !text.includes('__xss=1'), 'the hostile person name does not appear');
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.deepEqual(log.errors, [], 'console errors');
    await screenshot(page, 'viewer-panel.png');
    await page.close();
  } finally {
    await stopServer(server);
  }
});
