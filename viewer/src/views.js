// The detail panel: a place, a child, or another network node. Everything
// is built with el()/svg(), so record text is only ever text.

import {
  el, svg, swatch, labelNode, replaceChildren, formatCount, formatDate, formatDateTime, plural, words, parseDate,
} from './dom.js';
import { roleColour, nodeColour, RISK_CLASSES } from './colours.js';

// A place can have thousands of incidents: the list shows the newest ones
// and says how many more there are, so the panel stays quick.
const MAX_ROWS = 150;

/** Sets what the panel shows and records it for tests: data-view, data-id. */
function show(root, view, id, children) {
  root.dataset.view = view;
  root.dataset.id = id || '';
  root.removeAttribute('aria-busy');
  replaceChildren(root, children);
  root.scrollTop = 0;
}

export function emptyDetail(root, meta) {
  const text = meta.points === false
    ? 'This profile shows counts per cell only: there are no places or people to open.'
    : 'Click a place on the map (or under “Top places”) or a person in the network to see the details here.';
  show(root, 'empty', '', [el('p', { className: 'empty-state', testid: 'detail-empty', text })]);
}

export function loadingDetail(root, what) {
  root.dataset.view = 'loading';
  root.setAttribute('aria-busy', 'true');
  replaceChildren(root, [el('p', { className: 'empty-state', text: `Loading ${what}…` })]);
}

export function errorDetail(root, message) {
  show(root, 'error', '', [el('p', { className: 'empty-state error-text', text: message })]);
}

/**
 * The place view (/api/place/ID). `ctx`: { onChild(id), onNode(id) }.
 */
export function placeView(root, data, ctx) {
  const incidents = Array.isArray(data.incidents) ? data.incidents : [];
  const children = Array.isArray(data.children) ? data.children : [];
  const adults = Array.isArray(data.adults) ? data.adults : [];
  const header = el('header', { className: 'detail-header' }, [
    el('div', { className: 'detail-kind', text: 'Place' }),
    el('h2', { testid: 'detail-title' }, [labelNode(data.label)]),
    el('div', { className: 'detail-sub', text: [words(data.type), data.place].filter((t) => t && t !== '–').join(' · ') }),
    el('div', { className: 'detail-counts', text: `${plural(incidents.length, 'incident')} · ${plural(children.length, 'child', 'children')} · ${plural(adults.length, 'adult')} linked (in the chosen filters)` }),
  ]);

  const childList = children.length
    ? el('ul', { className: 'item-list' }, children.map((c) => el('li', {}, [
      el('button', {
        className: 'link-button', type: 'button', testid: 'place-child', dataset: { id: c.id },
        onclick: () => ctx.onChild(c.id),
      }, [labelNode(c.label, c.id)]),
      el('span', { className: 'item-meta', text: plural(c.incidents, 'incident') }),
    ])))
    : el('p', { className: 'empty-state', text: 'No children in the chosen filters.' });

  const adultList = adults.length
    ? el('ul', { className: 'item-list' }, adults.map((a) => el('li', {}, [
      el('button', {
        className: 'link-button', type: 'button', testid: 'place-adult', dataset: { id: a.id },
        onclick: () => ctx.onNode(a.id),
      }, [labelNode(a.label, a.id)]),
      flagBadges(a.flags),
      el('span', { className: 'item-meta', text: (a.links || []).map(words).join(', ') }),
    ])))
    : el('p', { className: 'empty-state', text: 'No adults linked to this place.' });

  show(root, 'place', data.place, [
    header,
    section('Children', childList),
    section('Adults linked', adultList),
    section('Incidents', incidentTable(incidents, children, ctx)),
  ]);
}

function incidentTable(incidents, children, ctx) {
  // The incidents name the child by id: show the label the children list has.
  const labels = new Map(children.map((c) => [c.id, c.label]));
  if (!incidents.length) return el('p', { className: 'empty-state', text: 'No incidents match these filters.' });
  const sorted = incidents.slice().sort((a, b) => String(b.at).localeCompare(String(a.at)));
  const rows = sorted.slice(0, MAX_ROWS).map((i) => el('tr', {}, [
    el('td', { className: 'nowrap', text: formatDateTime(i.at) }),
    el('td', {}, [swatch('circle', roleColour(i.role)), ` ${words(i.role)}`]),
    el('td', {}, [i.child
      ? el('button', { className: 'link-button', type: 'button', onclick: () => ctx.onChild(i.child) }, [labelNode(labels.get(i.child), i.child)])
      : '–']),
    el('td', { text: words(i.setting) }),
    el('td', { text: words(i.risk_grade) }),
  ]));
  const table = el('table', { className: 'data-table', testid: 'incident-table' }, [
    el('thead', {}, [el('tr', {}, ['When (UTC)', 'Role', 'Child', 'Setting', 'Risk'].map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]),
    el('tbody', {}, rows),
  ]);
  const more = sorted.length > MAX_ROWS
    ? el('p', { className: 'item-meta', text: `…and ${formatCount(sorted.length - MAX_ROWS)} older incidents. Narrow the dates to see them.` })
    : null;
  return el('div', { className: 'table-wrap' }, [table, more]);
}

/**
 * The child view (/api/child/ID): timeline, places, episodes.
 * `ctx`: { meta, range: {since, until}, onPlace(placeId) }.
 */
export function childView(root, data, ctx) {
  const episodes = Array.isArray(data.episodes) ? data.episodes : [];
  const places = Array.isArray(data.places) ? data.places : [];
  const header = el('header', { className: 'detail-header' }, [
    el('div', { className: 'detail-kind', text: 'Child' }),
    el('h2', { testid: 'detail-title' }, [labelNode(data.label, data.id)]),
    el('div', { className: 'detail-sub', text: data.id }),
    el('div', { className: 'detail-counts', text: `${plural(episodes.length, 'episode')} · ${plural(places.length, 'place')} (in the chosen filters)` }),
  ]);
  const placeList = places.length
    ? el('ul', { className: 'item-list' }, places.map((p) => el('li', {}, [
      swatch('circle', roleColour(p.role)),
      el('button', {
        className: 'link-button', type: 'button', testid: 'child-place', dataset: { id: p.place },
        onclick: () => ctx.onPlace(p.place),
      }, [labelNode(p.label)]),
      el('span', { className: 'item-meta', text: `${words(p.role)} · ${plural(p.incidents, 'incident')}` }),
    ])))
    : el('p', { className: 'empty-state', text: 'No places in the chosen filters.' });

  show(root, 'child', data.id, [
    header,
    section('Episodes over time', episodes.length
      ? timeline(episodes, ctx.meta.window, ctx.range)
      : el('p', { className: 'empty-state', text: 'No episodes in the chosen filters.' })),
    section('Places', placeList),
    episodes.length ? section('Episodes', episodeTable(episodes, ctx)) : null,
  ]);
}

function episodeTable(episodes, ctx) {
  const sorted = episodes.slice().sort((a, b) => String(b.start).localeCompare(String(a.start)));
  const placeCell = (p) => (p
    ? el('button', { className: 'link-button', type: 'button', onclick: () => ctx.onPlace(p.place) }, [labelNode(p.label)])
    : el('span', { className: 'withheld', text: 'unknown' }));
  const rows = sorted.slice(0, MAX_ROWS).map((e) => el('tr', {}, [
    el('td', { text: formatDateTime(e.start) }),
    el('td', { text: words(e.risk_grade) }),
    el('td', {}, [placeCell(e.from)]),
    el('td', {}, [placeCell(e.found)]),
  ]));
  return el('div', { className: 'table-wrap' }, [
    el('table', { className: 'data-table', testid: 'episode-table' }, [
      el('thead', {}, [el('tr', {}, ['Missing from (UTC)', 'Risk', 'From', 'Found'].map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]),
      el('tbody', {}, rows),
    ]),
    sorted.length > MAX_ROWS ? el('p', { className: 'item-meta', text: `…and ${formatCount(sorted.length - MAX_ROWS)} older episodes.` }) : null,
  ]);
}

/**
 * An SVG timeline of episodes across the data's window, the chosen date
 * range shaded. Geometry is set as SVG attributes and colour by class: no
 * style="" (the Content-Security-Policy forbids it).
 */
export function timeline(episodes, window, range) {
  const W = 320;
  const H = 62;
  const pad = 8;
  const t0 = parseDate(window.first).getTime();
  const t1 = parseDate(window.last).getTime() + 86400000;
  const x = (t) => pad + ((Math.min(t1, Math.max(t0, t)) - t0) / Math.max(1, t1 - t0)) * (W - 2 * pad);
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`, class: 'timeline', role: 'img', 'data-testid': 'timeline',
    'aria-label': `${episodes.length} episodes between ${formatDate(window.first)} and ${formatDate(window.last)}`,
  });
  if (range && (range.since || range.until)) {
    const a = x(range.since ? parseDate(range.since).getTime() : t0);
    const b = x(range.until ? parseDate(range.until).getTime() + 86400000 : t1);
    root.appendChild(svg('rect', { x: a, y: 6, width: Math.max(0, b - a), height: 34, class: 'tl-range' }));
  }
  root.appendChild(svg('line', { x1: pad, y1: 42, x2: W - pad, y2: 42, class: 'tl-axis' }));
  const firstYear = new Date(t0).getUTCFullYear();
  const lastYear = new Date(t1).getUTCFullYear();
  for (let year = firstYear; year <= lastYear; year += 1) {
    const jan1 = Date.UTC(year, 0, 1);
    if (jan1 > t0 && jan1 < t1) root.appendChild(svg('line', { x1: x(jan1), y1: 38, x2: x(jan1), y2: 46, class: 'tl-tick' }));
    // The year's label sits in the middle of the part of it that is shown,
    // kept clear of the edges; a sliver of a year gets no label.
    const a = x(Math.max(t0, jan1));
    const b = x(Math.min(t1, Date.UTC(year + 1, 0, 1)));
    if (b - a < 26) continue;
    const mid = Math.min(W - pad - 12, Math.max(pad + 12, (a + b) / 2));
    root.appendChild(svg('text', { x: mid, y: 57, 'text-anchor': 'middle', class: 'tl-label', text: String(year) }));
  }
  for (const e of episodes) {
    const start = parseDate(e.start);
    if (!start) continue;
    const end = parseDate(e.end) || start;
    const a = x(start.getTime());
    const b = x(end.getTime());
    const mark = svg('rect', {
      x: a - 1, y: 10, width: Math.max(2, b - a), height: 28,
      class: `tl-episode ${RISK_CLASSES[e.risk_grade] || 'risk-unknown'}`,
    });
    mark.appendChild(svg('title', { text: `${formatDateTime(e.start)} · ${words(e.risk_grade)} risk${e.from && e.from.label ? ` · from ${e.from.label}` : ''}` }));
    root.appendChild(mark);
  }
  const key = el('div', { className: 'tl-key' }, Object.entries(RISK_CLASSES).map(([grade, cls]) => el('span', { className: 'tl-key-item' }, [
    el('span', { className: `tl-key-swatch ${cls}` }), words(grade),
  ])));
  return el('div', { className: 'timeline-wrap' }, [root, key]);
}

/**
 * Any other network node: what the network knows of it.
 * `ctx`: { neighbours: [{node, types, weak, records}], onNode(id), onFocus(id), onPlace(id) }.
 */
export function nodeView(root, node, ctx) {
  const neighbours = ctx.neighbours || [];
  const facts = [
    ['Kind', words(node.kind)],
    ['Links', formatCount(node.degree)],
    ['Weighted degree', Number.isFinite(node.weighted_degree) ? node.weighted_degree.toLocaleString('en-GB', { maximumFractionDigits: 2 }) : '–'],
  ];
  const children = [
    el('header', { className: 'detail-header' }, [
      el('div', { className: 'detail-kind', text: words(node.kind) }),
      el('h2', { testid: 'detail-title' }, [labelNode(node.label, node.kind === 'place' ? '' : node.id)]),
      el('div', { className: 'detail-sub', text: node.id }),
      flagBadges(node.flags),
    ]),
    el('dl', { className: 'facts' }, facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])),
    el('div', { className: 'button-row' }, [
      el('button', { type: 'button', className: 'button', testid: 'focus-node', text: 'Show their network', onclick: () => ctx.onFocus(node.id) }),
      node.place ? el('button', { type: 'button', className: 'button', text: 'Open the place', onclick: () => ctx.onPlace(node.place) }) : null,
    ]),
  ];
  if (neighbours.length) {
    children.push(section('Linked to (in the network shown)', el('ul', { className: 'item-list' }, neighbours.slice(0, MAX_ROWS).map((n) => el('li', {}, [
      swatch('circle', nodeColour(n.node.kind, n.node.flags || [])),
      el('button', { className: 'link-button', type: 'button', onclick: () => ctx.onNode(n.node.id) }, [labelNode(n.node.label, n.node.kind === 'place' ? '' : n.node.id)]),
      el('span', { className: 'item-meta', text: `${n.types.map(words).join(', ')}${n.weak ? ' (weak intelligence only)' : ''}` }),
    ])))));
  }
  show(root, 'node', node.id, children);
}

function flagBadges(flags) {
  if (!Array.isArray(flags) || !flags.length) return null;
  return el('span', { className: 'badges' }, flags.map((f) => el('span', { className: `badge flag-${f === 'adult_of_concern' ? 'concern' : 'other'}`, text: words(f) })));
}

function section(title, body) {
  return el('section', { className: 'detail-section' }, [el('h3', { text: title }), body]);
}
