// Small DOM helpers. Every string that comes from a record goes into the page
// through textContent / createTextNode, never through innerHTML: names and
// labels are data, not markup (docs: PRIVACY.md, "free text is data").

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Builds an element. `props` sets a few known properties (className, text,
 * title, type, value, testid, dataset, attrs, on*); `children` are nodes or
 * strings (strings become text nodes).
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  applyProps(node, props);
  appendChildren(node, children);
  return node;
}

/** The SVG counterpart of el(): geometry goes in attrs (CSP allows those). */
export function svg(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') node.setAttribute('class', value);
    else if (name === 'text') node.textContent = String(value);
    else if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  appendChildren(node, children);
  return node;
}

function applyProps(node, props) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'className') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'testid') node.dataset.testid = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'attrs') {
      for (const [name, v] of Object.entries(value)) {
        if (v !== undefined && v !== null && v !== false) node.setAttribute(name, v === true ? '' : String(v));
      }
    } else if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else {
      node[key] = value;
    }
  }
}

function appendChildren(node, children) {
  for (const child of [].concat(children)) {
    if (child === undefined || child === null || child === false) continue;
    node.appendChild(typeof child === 'string' || typeof child === 'number'
      ? document.createTextNode(String(child))
      : child);
  }
}

/** Removes every child of a node. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** Replaces a node's children with the given ones. */
export function replaceChildren(node, children) {
  clear(node);
  appendChildren(node, children);
  return node;
}

// What an empty label means depends on the profile: the panel's are
// withheld; the analyst's are places that simply have no name.
let emptyLabel = { text: '(withheld)', title: 'Not shown for this profile' };

/** Called once /api/meta is known. */
export function setProfile(profile) {
  emptyLabel = profile === 'analyst'
    ? { text: '(no name)', title: 'This place has no name in the records' }
    : { text: '(withheld)', title: 'Not shown for this profile' };
}

/**
 * A record's label as a text node. An empty label is said in grey (withheld
 * for the panel, no name for the analyst) rather than shown as nothing.
 */
export function labelNode(label, fallbackId) {
  if (label) return el('span', { className: 'label-text', text: label });
  if (fallbackId) return el('span', { className: 'label-text', text: fallbackId });
  return el('span', { className: 'withheld', text: emptyLabel.text, title: emptyLabel.title });
}

/** The empty-label text, for canvas labels (the network). */
export function emptyLabelText() {
  return emptyLabel.text;
}

/** A small SVG colour swatch; colours are SVG attributes, not style="". */
export function swatch(shape, fill, stroke, options = {}) {
  const size = 14;
  const root = svg('svg', { width: size, height: size, viewBox: `0 0 ${size} ${size}`, class: 'swatch', 'aria-hidden': 'true' });
  if (shape === 'circle') {
    root.appendChild(svg('circle', { cx: 7, cy: 7, r: 5, fill, stroke: stroke || 'none', 'stroke-width': options.strokeWidth || 1.5 }));
  } else if (shape === 'line') {
    root.appendChild(svg('line', {
      x1: 1, y1: 7, x2: 13, y2: 7, stroke: fill, 'stroke-width': 2.5,
      'stroke-dasharray': options.dashed ? '3 2' : undefined,
    }));
  } else {
    root.appendChild(svg('rect', {
      x: 1, y: 1, width: 12, height: 12, fill, stroke: stroke || 'none',
      'stroke-width': options.strokeWidth || 1, 'fill-opacity': options.fillOpacity,
    }));
  }
  return root;
}

const numberFormat = new Intl.NumberFormat('en-GB');

/** 1234 → "1,234". */
export function formatCount(n) {
  return Number.isFinite(n) ? numberFormat.format(n) : '–';
}

/** "1 incident" / "3 incidents". */
export function plural(n, one, many) {
  return `${formatCount(n)} ${n === 1 ? one : (many || `${one}s`)}`;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC',
});

/** "2024-01-03" → "3 Jan 2024"; anything unparseable is shown as given. */
export function formatDate(iso) {
  if (!iso) return '–';
  const d = parseDate(iso);
  return d ? dateFormat.format(d) : String(iso);
}

/** "2024-01-03T21:00:00Z" → "3 Jan 2024, 21:00" (UTC, as the API gives it). */
export function formatDateTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateTimeFormat.format(d);
}

/** Parses "YYYY-MM-DD" (or a longer ISO stamp) as a UTC date; null if invalid. */
export function parseDate(iso) {
  const d = new Date(String(iso).length === 10 ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

const DAY_MS = 86400000;

/** Whole days from `first` (YYYY-MM-DD) to `iso`. */
export function dayIndex(first, iso) {
  return Math.round((parseDate(iso) - parseDate(first)) / DAY_MS);
}

/** The YYYY-MM-DD date `days` after `first`. */
export function dayToIso(first, days) {
  return new Date(parseDate(first).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

// Codes the API uses, in words a panel member understands. Unknown codes
// fall back to the code with underscores turned into spaces.
const WORDS = {
  from: 'Missing from',
  found: 'Found at',
  visited: 'Visited',
  concern: 'Place of concern',
  all: 'All roles',
  childrens_home: "Children's home",
  children_home: "Children's home",
  foster_care: 'Foster care',
  foster: 'Foster care',
  home: 'Home',
  supported_accommodation: 'Supported accommodation',
  health: 'Health',
  care_leaver: 'Care leaver',
  other: 'Other',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  no_apparent_risk: 'No apparent risk',
  cse: 'CSE (sexual exploitation)',
  cce: 'CCE (criminal exploitation)',
  child: 'Child',
  adult: 'Adult',
  unidentified: 'Unidentified person',
  place: 'Place',
  vehicle: 'Vehicle',
  adult_of_concern: 'Adult of concern',
  went_missing_with: 'Went missing with',
  co_missing: 'Missing at the same time (inferred)',
  with_during_episode: 'With them while missing',
  concern_named: 'Named as a concern',
  cpi_mention: 'Named together in intelligence',
  found_at: 'Found at',
  stayed_at: 'Stayed at',
  associated_vehicle: 'Associated vehicle',
  possible_match: 'Possible match',
};

/** A code in words ("childrens_home" → "Children's home"). */
export function words(code) {
  if (code === undefined || code === null || code === '') return '–';
  const known = WORDS[code];
  if (known) return known;
  const text = String(code).replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
