// Colours, kept in one place and the same as the QGIS styles and the graph
// files Waymark exports (engine/export_qgis.cpp, engine/network_output.cpp),
// so an analyst who knows one knows the other.

/** One colour per incident role. */
export const ROLE_COLOURS = {
  from: '#2166ac',
  found: '#1b7837',
  visited: '#e66101',
  concern: '#b2182b',
  all: '#542788',
};

export function roleColour(role) {
  return ROLE_COLOURS[role] || ROLE_COLOURS.all;
}

/** Gi* bins −3..3 (99/95/90 % cold … hot), ColorBrewer RdBu; bin 0 is not drawn. */
export const GISTAR_BINS = [
  { bin: 3, colour: '#b2182b', confidence: '99 %', label: 'Hot spot, 99 % confidence' },
  { bin: 2, colour: '#ef8a62', confidence: '95 %', label: 'Hot spot, 95 % confidence' },
  { bin: 1, colour: '#fddbc7', confidence: '90 %', label: 'Hot spot, 90 % confidence' },
  { bin: -1, colour: '#d1e5f0', confidence: '90 %', label: 'Cold spot, 90 % confidence' },
  { bin: -2, colour: '#67a9cf', confidence: '95 %', label: 'Cold spot, 95 % confidence' },
  { bin: -3, colour: '#2166ac', confidence: '99 %', label: 'Cold spot, 99 % confidence' },
];

export function gistarColour(bin) {
  const entry = GISTAR_BINS.find((b) => b.bin === bin);
  return entry ? entry.colour : null;
}

/** ColorBrewer YlOrRd (9 classes), the density ramp from low to high. */
export const YLORRD = ['#ffffcc', '#ffeda0', '#fed976', '#feb24c', '#fd8d3c', '#fc4e2a', '#e31a1c', '#bd0026', '#800026'];

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}


// The density ramp leaves out YlOrRd's first, nearly white class: the
// lowest densities must still show against the plain map background.
export const DENSITY_RAMP = YLORRD.slice(1);
const DENSITY_RGB = DENSITY_RAMP.map(hexToRgb);

/** The density colour at t in [0, 1], linearly interpolated, as [r, g, b]. */
export function densityColour(t) {
  const x = Math.min(1, Math.max(0, t)) * (DENSITY_RGB.length - 1);
  const i = Math.min(DENSITY_RGB.length - 2, Math.floor(x));
  const f = x - i;
  const a = DENSITY_RGB[i];
  const b = DENSITY_RGB[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f));
}

/**
 * Where a density value (0..255, linear in the API) sits on the ramp. A
 * square root: one busy place would otherwise leave every other one at the
 * pale end. The legend labels the middle of the ramp accordingly (max / 4).
 */
export function densityPosition(value) {
  return Math.sqrt(Math.max(0, value) / 255);
}

/** Cells (partnership): a five-step sequential purple ramp, grey when suppressed. */
export const CELL_COLOURS = ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'];
export const SUPPRESSED_COLOUR = '#bdbdbd';

/** Network nodes by kind. */
export const NODE_COLOURS = {
  child: '#1f77b4',
  adult: '#f46d43',
  adult_of_concern: '#b2182b',
  unidentified: '#969696',
  place: '#41ab5d',
  vehicle: '#ff7f0e',
};

export function nodeColour(kind, flags = []) {
  if (kind === 'adult' && flags.includes('adult_of_concern')) return NODE_COLOURS.adult_of_concern;
  return NODE_COLOURS[kind] || NODE_COLOURS.unidentified;
}

/** Network links by type (ColorBrewer Paired, as in the GEXF/ANX files). */
export const LINK_COLOURS = {
  went_missing_with: '#1f78b4',
  co_missing: '#a6cee3',
  with_during_episode: '#33a02c',
  concern_named: '#e31a1c',
  cpi_mention: '#6a3d9a',
  found_at: '#b2df8a',
  stayed_at: '#fdbf6f',
  visited: '#cab2d6',
  associated_vehicle: '#ff7f00',
  possible_match: '#999999',
};

export function linkColour(type) {
  return LINK_COLOURS[type] || '#999999';
}

/** Risk grades on the child's timeline. */
export const RISK_CLASSES = {
  high: 'risk-high',
  medium: 'risk-medium',
  low: 'risk-low',
  no_apparent_risk: 'risk-none',
};

/** Highlight colour for the selected place / child's places. */
export const HIGHLIGHT = '#ffd400';
