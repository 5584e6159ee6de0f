// The map: Leaflet with its canvas renderer (no WebGL: it must run on VDI
// desktops without a GPU), no basemap unless the server offers its own tiles.
//
// All vector layers share ONE canvas renderer. Leaflet's canvas renderers do
// not pass mouse events down to a canvas below them, so separate panes with
// separate canvases would make the lower layers (Gi* hexes, clusters)
// unclickable. Their drawing order is kept instead by restack().

import * as L from 'leaflet/dist/leaflet-src.esm.js';
import { el, svg, swatch, labelNode, formatCount, formatDate, plural, words, replaceChildren } from './dom.js';
import {
  roleColour, gistarColour, GISTAR_BINS, DENSITY_RAMP, densityColour, densityPosition, CELL_COLOURS, SUPPRESSED_COLOUR, HIGHLIGHT,
} from './colours.js';

/** The layers a user can switch, in drawing order (bottom first). */
export const LAYER_NAMES = ['density', 'cells', 'gistar', 'clusters', 'points'];

export const LAYER_TITLES = {
  points: 'Incidents by role (points)',
  clusters: 'Clusters',
  gistar: 'Gi* hot and cold spots',
  density: 'Density surface',
  cells: 'Counts per cell',
};

export class MapView {
  /**
   * @param container the map's element
   * @param meta /api/meta
   * @param handlers { onPlace(placeId) }
   */
  constructor(container, meta, handlers) {
    this.container = container;
    this.meta = meta;
    this.handlers = handlers;
    this.visible = { points: true, clusters: true, gistar: true, density: false, cells: true };
    this.groups = {};
    this.counts = {};
    this.density = null;
    this.hotspotRole = 'all';
    this.cellsInfo = null;

    this.renderer = L.canvas({ padding: 0.3, tolerance: 4 });
    this.map = L.map(container, {
      preferCanvas: true,
      renderer: this.renderer,
      // Leaflet's attribution control renders HTML (and links to the web):
      // we show the basemap's attribution ourselves, as text.
      attributionControl: false,
      zoomSnap: 0.25,
      minZoom: 3,
      maxZoom: (meta.basemap && meta.basemap.max_zoom) || 19,
    });
    // Density is an <img>: its own pane, under the vector canvas. The
    // area's outline (filled, to set it apart from the plain background) is
    // lower still, or its fill would veil the density.
    this.map.createPane('outline').classList.add('pane-outline');
    this.map.createPane('density').classList.add('pane-density');
    L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(this.map);

    this.addBasemap();
    this.addOutline();
    for (const name of ['cells', 'gistar', 'clusters', 'points', 'highlight']) {
      this.groups[name] = L.featureGroup().addTo(this.map);
    }
    this.legend = this.addLegend();
    this.emptyNote = el('div', { className: 'map-empty hidden', testid: 'map-empty', attrs: { role: 'status' } });
    container.appendChild(this.emptyNote);
    this.fitToData();
    this.publishState();
  }

  addBasemap() {
    const basemap = this.meta.basemap;
    if (!basemap || !basemap.url) {
      this.container.classList.add('no-basemap');
      return;
    }
    // The template is served by Waymark itself (same origin), never a public server.
    L.tileLayer(basemap.url, { maxZoom: basemap.max_zoom || 18, crossOrigin: false }).addTo(this.map);
    if (basemap.attribution) {
      this.container.appendChild(el('div', { className: 'map-attribution', text: basemap.attribution }));
    }
  }

  addOutline() {
    if (!this.meta.outline) return;
    try {
      this.outline = L.geoJSON(this.meta.outline, {
        interactive: false,
        pane: 'outline',
        renderer: L.canvas({ pane: 'outline' }),
        // Without a basemap a light fill sets the area apart from the plain
        // background; over a basemap it would only veil it.
        style: {
          color: '#4d4d4d', weight: 1.5, fill: true, fillColor: '#ffffff',
          fillOpacity: this.meta.basemap && this.meta.basemap.url ? 0 : 0.55,
        },
      }).addTo(this.map);
    } catch {
      // A malformed outline is not worth a broken map: go on without it.
      this.outline = null;
    }
  }

  fitToData() {
    const b = this.meta.bounds;
    if (Array.isArray(b) && b.length === 2 && b.every((p) => Array.isArray(p) && p.every(Number.isFinite))) {
      const bounds = L.latLngBounds(b);
      if (bounds.isValid()) {
        this.homeBounds = bounds;
        this.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
        return;
      }
    }
    if (this.outline && this.outline.getBounds().isValid()) {
      this.homeBounds = this.outline.getBounds();
      this.map.fitBounds(this.homeBounds, { padding: [24, 24] });
      return;
    }
    this.map.setView([54, -2], 6);
  }

  /**
   * Opens on the middle 95 % of incidents (as the QGIS project does): a few
   * far-off or mis-geocoded places would otherwise shrink the area to a dot.
   */
  fitToBulk(sites) {
    const lats = weightedRange(sites.map((s) => [s.lat, s.incidents || 1]));
    const lons = weightedRange(sites.map((s) => [s.lon, s.incidents || 1]));
    if (!lats || !lons) return;
    const bounds = L.latLngBounds([lats[0], lons[0]], [lats[1], lons[1]]);
    if (!bounds.isValid()) return;
    this.homeBounds = bounds;
    this.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  }

  /** Sites of /api/incidents: one circle per place and role, sized by incidents. */
  setSites(sites) {
    const group = this.groups.points;
    group.clearLayers();
    const max = sites.reduce((m, s) => Math.max(m, s.incidents || 0), 1);
    // Sites come sorted by incidents, descending: the big ones are drawn
    // first so that small ones at the same place stay visible on top.
    for (const site of sites) {
      if (!Number.isFinite(site.lat) || !Number.isFinite(site.lon)) continue;
      const marker = L.circleMarker([site.lat, site.lon], {
        renderer: this.renderer,
        radius: 3 + 10 * Math.sqrt((site.incidents || 0) / max),
        color: '#ffffff',
        weight: 1,
        fillColor: roleColour(site.role),
        fillOpacity: 0.8,
      });
      marker.bindTooltip(() => siteTooltip(site), { sticky: true, direction: 'top', offset: [0, -6] });
      marker.on('click', () => this.handlers.onPlace(site.place, site));
      group.addLayer(marker);
    }
    this.counts.points = group.getLayers().length;
    if (!this.fittedToData && sites.length) {
      this.fittedToData = true;
      this.fitToBulk(sites);
    }
    this.emptyNote.textContent = 'No incidents match these filters';
    this.emptyNote.classList.toggle('hidden', sites.length > 0);
    this.restack();
  }

  /** Clusters, Gi*, density and cells of /api/hotspots. */
  setHotspots(hotspots) {
    this.hotspotRole = hotspots.role || 'all';
    this.setClusters(hotspots.clusters);
    this.setGistar(hotspots.gistar);
    this.setDensity(hotspots.density);
    this.setCells(hotspots.cells);
    this.restack();
    this.updateLegend();
  }

  setClusters(collection) {
    const group = this.groups.clusters;
    group.clearLayers();
    const colour = roleColour(this.hotspotRole);
    const layer = L.geoJSON(featuresOf(collection), {
      renderer: this.renderer,
      style: () => ({ color: colour, weight: 2, dashArray: '5 4', fillColor: colour, fillOpacity: 0.12 }),
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
        renderer: this.renderer, radius: 9, color: colour, weight: 2, dashArray: '4 3', fillOpacity: 0.1,
      }),
      onEachFeature: (feature, l) => l.bindTooltip(() => clusterTooltip(feature.properties || {}), { sticky: true }),
    });
    layer.eachLayer((l) => group.addLayer(l));
    this.counts.clusters = group.getLayers().length;
  }

  setGistar(collection) {
    const group = this.groups.gistar;
    group.clearLayers();
    // Bin 0 (not significant) is left undrawn so that only the hot and cold
    // spots stand out.
    const features = featuresOf(collection).filter((f) => gistarColour(Number(f.properties && f.properties.bin)));
    const layer = L.geoJSON(features, {
      renderer: this.renderer,
      style: (f) => {
        const colour = gistarColour(Number(f.properties.bin));
        return { color: colour, weight: 0.6, fillColor: colour, fillOpacity: 0.6 };
      },
      onEachFeature: (feature, l) => l.bindTooltip(() => gistarTooltip(feature.properties || {}), { sticky: true }),
    });
    layer.eachLayer((l) => group.addLayer(l));
    this.counts.gistar = group.getLayers().length;
  }

  /** Paints the 0..255 grid with YlOrRd (0 transparent) and lays it over the map. */
  setDensity(density) {
    if (this.densityLayer) {
      this.densityLayer.remove();
      this.densityLayer = null;
    }
    this.density = density && density.width > 0 && density.height > 0 ? density : null;
    this.counts.density = 0;
    if (!this.density) return;
    const url = densityDataUrl(this.density);
    if (!url) return;
    this.densityLayer = L.imageOverlay(url, this.density.bounds, {
      pane: 'density', opacity: 0.8, interactive: false, className: 'density-image',
    });
    this.counts.density = this.density.values.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
    if (this.visible.density) this.densityLayer.addTo(this.map);
  }

  /** Partnership: counts per cell, cells below k children suppressed (grey). */
  setCells(collection) {
    const group = this.groups.cells;
    group.clearLayers();
    const features = featuresOf(collection);
    const counts = features
      .filter((f) => f.properties && !f.properties.suppressed && Number.isFinite(f.properties.episodes))
      .map((f) => f.properties.episodes)
      .sort((a, b) => a - b);
    const breaks = quantileBreaks(counts, CELL_COLOURS.length);
    this.cellsInfo = features.length ? { breaks, suppressed: features.length - counts.length } : null;
    const layer = L.geoJSON(features, {
      renderer: this.renderer,
      style: (f) => {
        const p = f.properties || {};
        if (p.suppressed) {
          return { color: '#969696', weight: 0.5, fillColor: SUPPRESSED_COLOUR, fillOpacity: 0.35 };
        }
        const colour = CELL_COLOURS[classOf(p.episodes, breaks)];
        return { color: '#6a51a3', weight: 0.5, fillColor: colour, fillOpacity: 0.75 };
      },
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, { renderer: this.renderer, radius: 6 }),
      onEachFeature: (feature, l) => l.bindTooltip(() => cellTooltip(feature.properties || {}, this.meta), { sticky: true }),
    });
    layer.eachLayer((l) => group.addLayer(l));
    this.counts.cells = features.length;
    if (!this.fittedToData && features.length) {
      this.fittedToData = true;
      // The cells with counts set the view: a few stray hidden ones far off
      // would otherwise shrink the area to a dot.
      const shown = group.getLayers().filter((l) => l.getBounds && !(l.feature.properties || {}).suppressed);
      const bounds = L.latLngBounds([]);
      for (const l of shown.length ? shown : group.getLayers().filter((x) => x.getBounds)) bounds.extend(l.getBounds());
      if (bounds.isValid()) {
        this.homeBounds = bounds;
        this.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
      }
    }
  }

  /** Shows or hides one of LAYER_NAMES. */
  setVisible(name, on) {
    this.visible[name] = on;
    if (name === 'density') {
      if (this.densityLayer) {
        if (on) this.densityLayer.addTo(this.map);
        else this.densityLayer.remove();
      }
    } else if (this.groups[name]) {
      if (on) this.groups[name].addTo(this.map);
      else this.groups[name].remove();
    }
    this.restack();
    this.updateLegend();
  }

  /**
   * Keeps the drawing order on the shared canvas: cells, Gi*, clusters,
   * points, then the highlight on top (layers re-filled after a query would
   * otherwise be drawn over the others).
   */
  restack() {
    for (const name of ['cells', 'gistar', 'clusters', 'points', 'highlight']) {
      if (this.map.hasLayer(this.groups[name])) this.groups[name].bringToFront();
    }
    this.publishState();
  }

  /**
   * Rings the given places (the open place, or a child's places). `fit`
   * zooms to them; `select` is the id written to data-highlighted-place.
   */
  highlight(places, { fit = false, select = '' } = {}) {
    const group = this.groups.highlight;
    group.clearLayers();
    const points = places.filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon));
    // One place gets a bold ring; a child's many places get lighter ones
    // that leave the sites underneath readable.
    const radius = points.length > 5 ? 11 : 15;
    const weight = points.length > 5 ? 2 : 3;
    for (const p of points) {
      group.addLayer(L.circleMarker([p.lat, p.lon], {
        renderer: this.renderer, interactive: false, radius, color: '#1a1a1a', weight: weight + 2, fill: false, opacity: 0.9,
      }));
      group.addLayer(L.circleMarker([p.lat, p.lon], {
        renderer: this.renderer, interactive: false, radius, color: HIGHLIGHT, weight, fill: false,
      }));
    }
    this.container.dataset.highlightedPlace = select;
    this.container.dataset.highlightCount = String(points.length);
    if (fit && points.length) {
      const bounds = L.latLngBounds(points.map((p) => [p.lat, p.lon]));
      if (points.length === 1) this.map.setView(bounds.getCenter(), Math.max(this.map.getZoom(), 15));
      else this.map.fitBounds(bounds, { padding: [60, 60], maxZoom: Math.max(this.map.getZoom(), 14) });
    }
    this.restack();
  }

  clearHighlight() {
    this.highlight([]);
  }

  resetView() {
    if (this.homeBounds) this.map.fitBounds(this.homeBounds, { padding: [24, 24], maxZoom: 16 });
  }

  invalidateSize() {
    this.map.invalidateSize();
  }

  /**
   * Writes which layers are shown, and how many features each has, on the
   * map's element: data-layer-NAME="on|off", data-count-NAME="N". Tests and
   * assistive tools read these; the canvas itself says nothing.
   */
  publishState() {
    for (const name of LAYER_NAMES) {
      const shown = name === 'density'
        ? Boolean(this.visible.density && this.densityLayer && this.map.hasLayer(this.densityLayer))
        : Boolean(this.visible[name] && this.groups[name] && this.map.hasLayer(this.groups[name]));
      this.container.dataset[`layer${capitalise(name)}`] = shown ? 'on' : 'off';
      this.container.dataset[`count${capitalise(name)}`] = String(this.counts[name] || 0);
    }
  }

  addLegend() {
    const Legend = L.Control.extend({
      options: { position: 'bottomright' },
      onAdd: () => {
        // Collapsible, so that it never has to hide the map on a small screen.
        const node = el('details', { className: 'legend', testid: 'legend', open: true }, [
          el('summary', { text: 'Legend' }),
          el('div', { className: 'legend-body' }),
        ]);
        L.DomEvent.disableClickPropagation(node);
        L.DomEvent.disableScrollPropagation(node);
        return node;
      },
    });
    const control = new Legend();
    control.addTo(this.map);
    return control.getContainer().querySelector('.legend-body');
  }

  /** Rebuilds the legend from what is on the map now. */
  updateLegend() {
    const sections = [];
    const points = this.meta.points !== false;
    if (points && this.visible.points) {
      sections.push(legendSection('Incidents (one circle per place and role)', this.meta.roles.map((role) => legendRow(
        swatch('circle', roleColour(role), '#ffffff'), words(role),
      )).concat([el('div', { className: 'legend-hint', text: 'Larger circle: more incidents' })])));
    }
    const roleName = words(this.hotspotRole).toLowerCase();
    if (points && this.visible.clusters && this.counts.clusters) {
      sections.push(legendSection(`Clusters (${roleName})`, [
        legendRow(swatch('rect', roleColour(this.hotspotRole), roleColour(this.hotspotRole), { fillOpacity: 0.15, strokeWidth: 2 }),
          'Area of a DBSCAN cluster'),
      ]));
    }
    if (points && this.visible.gistar && this.counts.gistar) {
      // Hot on the left, cold on the right: 99, 95, 90 % down each column.
      const hot = GISTAR_BINS.filter((b) => b.bin > 0);
      const cold = GISTAR_BINS.filter((b) => b.bin < 0).reverse();
      const cells = [];
      hot.forEach((h, i) => {
        cells.push(legendRow(swatch('rect', h.colour, h.colour), `Hot ${h.confidence}`));
        cells.push(legendRow(swatch('rect', cold[i].colour, cold[i].colour), `Cold ${cold[i].confidence}`));
      });
      sections.push(legendSection(`Gi* hot and cold spots (${roleName})`, [el('div', { className: 'legend-grid' }, cells)]));
    }
    if (points && this.visible.density && this.density) {
      sections.push(legendSection(`Density (${roleName})`, [densityRamp(this.density)]));
    }
    if (this.visible.cells && this.cellsInfo) {
      const rows = [];
      const { breaks } = this.cellsInfo;
      CELL_COLOURS.forEach((colour, i) => {
        if (i >= breaks.length) return;
        const low = i === 0 ? 1 : breaks[i - 1] + 1;
        const high = breaks[i];
        if (high < low) return;
        rows.push(legendRow(swatch('rect', colour, '#6a51a3'), low === high ? formatCount(low) : `${formatCount(low)} – ${formatCount(high)}`));
      });
      rows.push(legendRow(swatch('rect', SUPPRESSED_COLOUR, '#969696'),
        `Suppressed (fewer than ${formatCount(this.meta.suppression_k)} children)`));
      sections.push(legendSection(`Incidents per cell (${roleName})`, rows));
    }
    if (!sections.length) sections.push(el('div', { className: 'legend-hint', text: 'No layer shown' }));
    replaceChildren(this.legend, sections);
  }
}

/** The 2.5 % and 97.5 % weighted quantiles of [value, weight] pairs. */
function weightedRange(pairs) {
  const valid = pairs.filter(([v, w]) => Number.isFinite(v) && w > 0).sort((a, b) => a[0] - b[0]);
  if (!valid.length) return null;
  const total = valid.reduce((sum, [, w]) => sum + w, 0);
  const at = (q) => {
    let seen = 0;
    for (const [v, w] of valid) {
      seen += w;
      if (seen >= q * total) return v;
    }
    return valid[valid.length - 1][0];
  };
  const low = at(0.025);
  const high = at(0.975);
  // A single place: pad it so that the map does not zoom to the maximum.
  return high > low ? [low, high] : [low - 0.005, high + 0.005];
}

function capitalise(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function featuresOf(collection) {
  return collection && Array.isArray(collection.features) ? collection.features : [];
}

/** Upper bounds of `classes` quantile classes of sorted counts (deduplicated). */
function quantileBreaks(sorted, classes) {
  if (!sorted.length) return [];
  const breaks = [];
  for (let i = 1; i <= classes; i += 1) {
    const v = sorted[Math.min(sorted.length - 1, Math.ceil((i / classes) * sorted.length) - 1)];
    if (!breaks.length || v > breaks[breaks.length - 1]) breaks.push(v);
  }
  return breaks;
}

function classOf(value, breaks) {
  const i = breaks.findIndex((b) => value <= b);
  return i < 0 ? breaks.length - 1 : i;
}

/** A PNG data: URL of the density grid (img-src allows data:). */
function densityDataUrl(density) {
  const { width, height, values } = density;
  if (!Array.isArray(values) || values.length < width * height) return null;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(width, height);
  // Rows come north first, as canvas rows do: no flip needed.
  for (let i = 0; i < width * height; i += 1) {
    const v = values[i];
    if (!(v > 0)) continue;
    const t = densityPosition(v);
    const [r, g, b] = densityColour(t);
    image.data[i * 4] = r;
    image.data[i * 4 + 1] = g;
    image.data[i * 4 + 2] = b;
    // The faintest values a little transparent, so the surface does not end
    // in a hard edge; the rest opaque (the layer's opacity applies on top).
    image.data[i * 4 + 3] = Math.round(255 * Math.min(1, 0.55 + t));
  }
  ctx.putImageData(image, 0, 0);
  return canvas.toDataURL('image/png');
}

function legendSection(title, rows) {
  return el('div', { className: 'legend-section' }, [el('div', { className: 'legend-title', text: title })].concat(rows));
}

function legendRow(icon, text) {
  return el('div', { className: 'legend-row' }, [icon, el('span', { text })]);
}

let rampId = 0;

/** A YlOrRd ramp with 0 and the maximum, as SVG (a gradient needs no CSS). */
function densityRamp(density) {
  rampId += 1;
  const id = `ramp-${rampId}`;
  const gradient = svg('linearGradient', { id, x1: 0, x2: 1, y1: 0, y2: 0 },
    DENSITY_RAMP.map((colour, i) => svg('stop', { offset: i / (DENSITY_RAMP.length - 1), 'stop-color': colour })));
  const ramp = svg('svg', { width: 160, height: 12, viewBox: '0 0 160 12', class: 'ramp', 'aria-hidden': 'true' }, [
    svg('defs', {}, [gradient]),
    svg('rect', { x: 0, y: 0, width: 160, height: 12, fill: `url(#${id})` }),
  ]);
  const number = (x) => (Number.isFinite(x) ? x.toLocaleString('en-GB', { maximumFractionDigits: x < 10 ? 2 : 0 }) : '?');
  // The ramp is a square-root scale (densityPosition): its middle is max / 4.
  return el('div', { className: 'legend-ramp' }, [
    ramp,
    el('div', { className: 'legend-ramp-labels' }, [
      el('span', { text: '0' }), el('span', { text: number(density.max / 4) }), el('span', { text: number(density.max) }),
    ]),
    el('div', { className: 'legend-hint', text: `${density.units || ''}${density.units ? ', ' : ''}square-root scale` }),
  ]);
}

function tooltipNode(title, lines) {
  return el('div', { className: 'tip' }, [el('div', { className: 'tip-title' }, [title])]
    .concat(lines.filter(Boolean).map((line) => el('div', { text: line }))));
}

function siteTooltip(site) {
  return tooltipNode(labelNode(site.label), [
    `${words(site.role)}${site.type ? ` · ${words(site.type)}` : ''}`,
    `${plural(site.incidents, 'incident')} · ${plural(site.children, 'child', 'children')}`,
    site.first ? `${formatDate(site.first)} – ${formatDate(site.last)}` : '',
    'Click for details',
  ]);
}

function clusterTooltip(p) {
  // top_places is a ready-made text ("Bus Station (223); …") or a list.
  let top = '';
  if (typeof p.top_places === 'string') top = p.top_places;
  else if (Array.isArray(p.top_places)) {
    top = p.top_places.map((t) => (typeof t === 'string' ? t : (t && (t.label || t.place)) || '')).filter(Boolean).slice(0, 3).join('; ');
  }
  const first = p.first_date || p.first;
  const last = p.last_date || p.last;
  return tooltipNode(document.createTextNode(`Cluster ${p.cluster ?? ''}`), [
    `${plural(p.episodes, 'episode')} · ${plural(p.children, 'child', 'children')} · ${plural(p.places, 'place')}`,
    first ? `${formatDate(first)} – ${formatDate(last)}` : '',
    top ? `Top places: ${top}` : '',
  ]);
}

function gistarTooltip(p) {
  const entry = GISTAR_BINS.find((b) => b.bin === Number(p.bin));
  return tooltipNode(document.createTextNode(entry ? entry.label : 'Not significant'), [
    `${plural(p.episodes, 'episode')} · ${plural(p.children, 'child', 'children')}`,
    Number.isFinite(p.z) ? `z = ${p.z.toFixed(2)}${Number.isFinite(p.p) ? `, p = ${p.p.toPrecision(2)}` : ''}` : '',
  ]);
}

function cellTooltip(p, meta) {
  // `suppressed` is true/"primary" (too few children) or "secondary" (hidden
  // so that a primary one cannot be worked out from the totals).
  if (p.suppressed === 'secondary') {
    return tooltipNode(document.createTextNode('Hidden'), [
      'Hidden so that a suppressed neighbouring count cannot be worked out.',
    ]);
  }
  if (p.suppressed) {
    return tooltipNode(document.createTextNode('Suppressed'), [
      `Fewer than ${formatCount(meta.suppression_k)} children: the count is hidden to protect them.`,
    ]);
  }
  return tooltipNode(document.createTextNode('Cell'), [
    `${plural(p.episodes, 'incident')}${Number.isFinite(p.children) ? ` · ${plural(p.children, 'child', 'children')}` : ''}`,
  ]);
}
