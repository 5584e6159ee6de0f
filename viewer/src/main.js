// Waymark's viewer: wires the sidebar, the map, the network panel and the
// detail panel to the API (docs/viewer-api.md).
//
// Content-Security-Policy (sent by `waymark serve`): no inline script or
// style, nothing from another origin. So: no innerHTML with data, no
// style="" (colours are SVG attributes or CSS classes), no eval.

import { getJson, Channel, isAbort, childPath, placePath } from './api.js';
import { words, setProfile } from './dom.js';
import { MapView } from './map.js';
import { NetworkPanel, networkLegend } from './network.js';
import { Sidebar } from './filters.js';
import { emptyDetail, loadingDetail, errorDetail, placeView, childView, nodeView } from './views.js';

const PROFILE_HINTS = {
  analyst: 'Analyst: exact places, ids and names; for police intelligence staff only.',
  panel: 'Panel: children and adults are pseudonyms; homes and restricted places are moved to a coarse grid; free text is withheld.',
  partnership: 'Partnership: counts per grid cell only; no people, no places, small counts suppressed.',
};

const app = {
  meta: null,
  sidebar: null,
  map: null,
  network: null,
  detailRoot: null,
  hotspotRole: 'all',
  // What the detail panel shows: null | {kind: 'place'|'child'|'node', id}.
  view: null,
  // The entity whose ego network the network panel shows (null: top N).
  networkFocus: null,
  // Opening a place or child shows its ego network, until the user goes
  // "Back to whole network"; the next place or child opened shows its own.
  egoFollowsView: true,
  channels: { incidents: new Channel(), hotspots: new Channel(), network: new Channel(), detail: new Channel() },
  inFlight: 0,
};

document.addEventListener('DOMContentLoaded', () => {
  start().catch((error) => showError(error.message || String(error)));
});

async function start() {
  const banner = byId('error-banner');
  byId('error-close').addEventListener('click', () => banner.classList.add('hidden'));
  app.detailRoot = byId('detail');

  let meta;
  try {
    meta = await tracked(getJson('/api/meta'));
  } catch (error) {
    showError(error.message);
    return;
  }
  app.meta = normaliseMeta(meta);
  setProfile(app.meta.profile);
  showHeader(app.meta);

  app.sidebar = new Sidebar(byId('sidebar'), app.meta, {
    onFilters: (changes) => refresh(changes),
    onLayer: (name, on) => app.map.setVisible(name, on),
    onHotspotRole: (role) => {
      app.hotspotRole = role;
      loadHotspots();
    },
    onPlace: (id) => openPlace(id, { pan: true }),
    onPerson: (node) => onNetworkNode(node),
    networkNodes: () => (app.network ? app.network.nodes() : []),
  });
  app.hotspotRole = app.sidebar.hotspotRole;
  app.map = new MapView(byId('map'), app.meta, { onPlace: (id) => openPlace(id, { pan: false }) });

  // Partnership sees aggregates only: no network, no child or place views.
  const detailed = app.meta.network !== false && app.meta.points !== false;
  document.body.classList.toggle('aggregates-only', !detailed);
  if (detailed) {
    setUpNetwork();
    emptyDetail(app.detailRoot, app.meta);
  } else {
    byId('right').remove();
    app.map.invalidateSize();
  }
  refresh({ dates: true });
}

/** Fills the gaps a minimal /api/meta may leave, so the rest can rely on them. */
function normaliseMeta(meta) {
  const today = new Date().toISOString().slice(0, 10);
  return {
    ...meta,
    roles: Array.isArray(meta.roles) && meta.roles.length ? meta.roles : ['from', 'found', 'visited', 'concern'],
    settings: Array.isArray(meta.settings) ? meta.settings : [],
    risk_grades: Array.isArray(meta.risk_grades) ? meta.risk_grades : [],
    indicators: Array.isArray(meta.indicators) ? meta.indicators : [],
    window: meta.window && meta.window.first && meta.window.last ? meta.window : { first: today, last: today },
  };
}

function showHeader(meta) {
  byId('area').textContent = meta.area || '';
  const badge = byId('profile');
  badge.textContent = words(meta.profile);
  badge.title = PROFILE_HINTS[meta.profile] || '';
  badge.classList.add(`profile-${meta.profile}`);
  byId('profile-hint').textContent = PROFILE_HINTS[meta.profile] || '';
  document.body.dataset.profile = meta.profile || '';
}

function setUpNetwork() {
  const root = byId('network-panel');
  app.network = new NetworkPanel(root, {
    canvas: byId('network-canvas'),
    status: byId('network-status'),
    note: byId('network-note'),
    empty: byId('network-empty'),
    back: byId('network-back'),
  }, {
    onNode: (node) => onNetworkNode(node),
    onBack: () => backToWholeNetwork(),
  });
  root.appendChild(networkLegend());
}

// ---------------------------------------------------------------- queries

/** Re-queries after a filter change: counts, map layers, the open view, the network. */
function refresh({ dates }) {
  byId('error-banner').classList.add('hidden');
  loadIncidents();
  loadHotspots();
  if (!app.network) return;
  const viewOpen = Boolean(app.view && (app.view.kind === 'place' || app.view.kind === 'child'));
  // An open place or child depends on every filter, and brings its ego network.
  if (viewOpen) reloadView();
  if (dates && !(viewOpen && app.egoFollowsView)) loadNetwork();
}

async function loadIncidents() {
  if (app.meta.points === false) return;
  if (app.sidebar.noRoleTicked()) {
    app.channels.incidents.abort();
    app.sidebar.setCounts({ incidents: 0, children: 0, places: 0 });
    app.map.setSites([]);
    app.sidebar.setTopPlaces([]);
    return;
  }
  try {
    const data = await tracked(app.channels.incidents.get('/api/incidents', app.sidebar.filterParams()));
    const sites = Array.isArray(data.sites) ? data.sites : [];
    app.sidebar.setCounts({ incidents: data.incidents, children: data.children, places: data.places });
    app.map.setSites(sites);
    app.sidebar.setTopPlaces(sites);
  } catch (error) {
    if (isAbort(error)) return;
    app.sidebar.setCountsUnavailable('Counts unavailable');
    showError(error.message);
  }
}

async function loadHotspots() {
  // The hotspot role (one at a time) replaces the role checkboxes here.
  // "all" is sent as no role at all: the server's default, and the form
  // every server version accepts.
  const params = {
    ...app.sidebar.filterParams({ withRoles: false }),
    role: app.hotspotRole === 'all' ? undefined : app.hotspotRole,
  };
  try {
    const data = await tracked(app.channels.hotspots.get('/api/hotspots', params));
    app.map.setHotspots(data);
    app.sidebar.setNotes(data.notes);
    if (app.meta.points === false) showCellCounts(data);
  } catch (error) {
    if (isAbort(error)) return;
    showError(error.message);
  }
}

/**
 * Partnership: the counts line. The hotspots answer may carry no totals
 * (they could be set against the cells); the store's totals from /api/meta
 * are shown then, with how many cells are shown and hidden.
 */
function showCellCounts(data) {
  const features = data.cells && Array.isArray(data.cells.features) ? data.cells.features : [];
  const hidden = features.filter((f) => f.properties && f.properties.suppressed).length;
  const totals = Number.isFinite(data.incidents) ? data : (app.meta.totals || {});
  app.sidebar.setCounts({ incidents: totals.incidents, children: totals.children });
  app.sidebar.setCellNote(features.length, hidden);
  app.map.emptyNote.textContent = 'No incidents match these filters';
  app.map.emptyNote.classList.toggle('hidden', features.length > 0);
}

/** The top-N network, or the ego network of app.networkFocus. */
async function loadNetwork() {
  if (!app.network) return;
  // No `limit`: the server's --network-limit (default 300) decides.
  const params = { ...app.sidebar.dateParams() };
  if (app.networkFocus) Object.assign(params, { focus: app.networkFocus, hops: 2 });
  app.network.loading();
  try {
    const data = await tracked(app.channels.network.get('/api/network', params));
    app.network.show(data, { focus: app.networkFocus, select: selectedNodeId() });
  } catch (error) {
    if (isAbort(error)) return;
    app.network.setState('error', error.message);
    showError(error.message);
  }
}

/** The id of the network node that matches what the detail panel shows. */
function selectedNodeId() {
  if (!app.view) return null;
  if (app.view.kind === 'place') return app.view.nodeId || null;
  return app.view.id;
}

function reloadView() {
  const view = app.view;
  if (view.kind === 'place') openPlace(view.id, { pan: false, reload: true });
  else if (view.kind === 'child') openChild(view.id, { reload: true });
}

// ---------------------------------------------------------------- views

/** Opens the place view; its ego network goes in the network panel. */
async function openPlace(id, { pan = false, reload = false } = {}) {
  if (!app.network || !id) return;
  app.view = { kind: 'place', id };
  if (!reload) {
    app.egoFollowsView = true;
    loadingDetail(app.detailRoot, 'the place');
  }
  if (app.egoFollowsView) app.channels.network.abort();
  try {
    const data = await tracked(app.channels.detail.get(placePath(id), app.sidebar.filterParams()));
    if (!sameView('place', id)) return;
    placeView(app.detailRoot, data, {
      onChild: (childId) => openChild(childId),
      onNode: (nodeId) => openNode(nodeId),
    });
    app.map.highlight([data], { fit: pan, select: id });
    showViewNetwork(data.network, (n) => n.place === id || n.id === id);
  } catch (error) {
    if (isAbort(error)) return;
    errorDetail(app.detailRoot, error.message);
    showError(error.message);
  }
}

/** Opens the child view; their places are ringed on the map. */
async function openChild(id, { reload = false } = {}) {
  if (!app.network || !id) return;
  app.view = { kind: 'child', id };
  if (!reload) {
    app.egoFollowsView = true;
    loadingDetail(app.detailRoot, 'the child');
  }
  if (app.egoFollowsView) app.channels.network.abort();
  try {
    const data = await tracked(app.channels.detail.get(childPath(id), app.sidebar.filterParams()));
    if (!sameView('child', id)) return;
    childView(app.detailRoot, data, {
      meta: app.meta,
      range: app.sidebar.range(),
      onPlace: (placeId) => openPlace(placeId, { pan: true }),
    });
    app.map.highlight(Array.isArray(data.places) ? data.places : [], { fit: !reload, select: '' });
    showViewNetwork(data.network, (n) => n.id === id);
  } catch (error) {
    if (isAbort(error)) return;
    errorDetail(app.detailRoot, error.message);
    showError(error.message);
  }
}

/**
 * Puts a view's ego network in the panel with the view's node selected, or
 * (after "Back to whole network") only selects the node in what is drawn.
 */
function showViewNetwork(network, isViewNode) {
  const nodes = network && Array.isArray(network.nodes) ? network.nodes : [];
  const node = nodes.find(isViewNode);
  app.view.nodeId = node ? node.id : null;
  if (app.egoFollowsView && node) {
    app.networkFocus = node.id;
    app.network.show(network, { focus: node.id, select: node.id });
    return;
  }
  if (!node && app.egoFollowsView && app.networkFocus) {
    // Someone else's ego network must not stand beside this view: back to
    // the whole network, saying why.
    app.networkFocus = null;
    loadNetwork().then(() => app.network.setNote(notInNetworkText()));
    return;
  }
  if (!node || !app.network.select(node.id)) app.network.clearSelection();
  if (!node) app.network.setNote(notInNetworkText());
}

function notInNetworkText() {
  const what = app.view && app.view.kind === 'child' ? 'This child' : 'This place';
  return `${what} has no links in the network for these dates: the whole network is shown.`;
}

function sameView(kind, id) {
  return app.view && app.view.kind === kind && app.view.id === id;
}

/** A click in the network panel. */
function onNetworkNode(node) {
  if (!node) return;
  if (node.kind === 'child') {
    openChild(node.id);
    return;
  }
  if (node.kind === 'place') {
    if (Number.isFinite(node.lat) && Number.isFinite(node.lon)) {
      app.map.highlight([node], { fit: true, select: node.place || '' });
    }
    if (node.place) {
      openPlace(node.place, { pan: false });
      return;
    }
  }
  showNode(node);
}

/** Any other node: what the network knows of it, selected in the panel. */
function showNode(node) {
  app.channels.detail.abort();
  app.view = { kind: 'node', id: node.id };
  app.network.select(node.id);
  nodeView(app.detailRoot, node, {
    neighbours: app.network.neighboursOf(node.id),
    onNode: (id) => openNode(id),
    onFocus: (id) => focusNetwork(id),
    onPlace: (placeId) => openPlace(placeId, { pan: true }),
  });
}

/** Opens a node by id: from the graph if drawn, else from its ego network. */
async function openNode(id) {
  const drawn = app.network.nodeById(id);
  if (drawn) {
    onNetworkNode(drawn);
    return;
  }
  await focusNetwork(id);
  const node = app.network.nodeById(id);
  if (node) showNode(node);
}

async function focusNetwork(id) {
  app.networkFocus = id;
  if (app.view && app.view.kind === 'node') app.view = { kind: 'node', id };
  await loadNetwork();
  if (app.view && app.view.kind === 'node' && app.network.nodeById(app.view.id)) showNode(app.network.nodeById(app.view.id));
}

function backToWholeNetwork() {
  app.networkFocus = null;
  app.egoFollowsView = false;
  app.channels.detail.abort();
  loadNetwork();
}

// ---------------------------------------------------------------- page state

/** Counts a request in the loading indicator while it runs. */
async function tracked(promise) {
  app.inFlight += 1;
  setBusy();
  try {
    return await promise;
  } finally {
    app.inFlight -= 1;
    setBusy();
  }
}

function setBusy() {
  const busy = app.inFlight > 0;
  byId('loading').classList.toggle('hidden', !busy);
  document.body.dataset.busy = busy ? 'true' : 'false';
}

/** The error banner, with the API's own sentence. */
function showError(message) {
  byId('error-text').textContent = message || 'Something went wrong.';
  byId('error-banner').classList.remove('hidden');
}

function byId(id) {
  return document.getElementById(id);
}
