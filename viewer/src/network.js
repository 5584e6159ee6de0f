// The network panel: Cytoscape.js on its canvas renderer. Labels are drawn
// on the canvas, so names from records never become markup here.
//
// The panel's element carries what it shows as data attributes, for tests and
// for anyone reading the DOM: data-state (empty | loading | ready | error),
// data-nodes, data-selected (the selected node's id) and data-highlighted
// (how many neighbours of the selection are highlighted).

import cytoscape from 'cytoscape';
import { el, swatch, replaceChildren, formatCount, words, emptyLabelText } from './dom.js';
import { nodeColour, linkColour, NODE_COLOURS, LINK_COLOURS, HIGHLIGHT } from './colours.js';

// cose is readable but quadratic; past this many nodes a concentric layout
// by degree keeps the panel responsive.
const COSE_MAX_NODES = 300;

export class NetworkPanel {
  /**
   * @param root the panel's element (holds the data attributes)
   * @param parts { canvas, status, note, empty, back } elements inside the panel
   * @param handlers { onNode(nodeData), onBack() }
   */
  constructor(root, parts, handlers) {
    this.root = root;
    this.parts = parts;
    this.handlers = handlers;
    this.focus = null;
    this.cy = cytoscape({
      container: parts.canvas,
      style: networkStyle(),
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: false,
      autoungrabify: false,
      // Big graphs stay fluid while panning: edges hidden, a texture moved.
      hideEdgesOnViewport: true,
      textureOnViewport: true,
    });
    this.cy.on('tap', 'node', (event) => this.handlers.onNode(event.target.data('raw')));
    this.cy.on('tap', (event) => {
      if (event.target === this.cy) this.clearSelection();
    });
    parts.back.addEventListener('click', () => this.handlers.onBack());
    this.setState('empty', 'No network loaded yet.');
  }

  /** A one-line note under the status (e.g. why the graph shown is not the selection's). */
  setNote(text) {
    this.parts.note.textContent = text;
    this.parts.note.classList.toggle('hidden', !text);
  }

  /** Shows the panel as loading without dropping what is drawn. */
  loading() {
    this.root.dataset.state = 'loading';
    this.root.setAttribute('aria-busy', 'true');
  }

  /** Shows a message instead of the graph (no data, or an error). */
  setState(state, message) {
    this.root.dataset.state = state;
    this.root.removeAttribute('aria-busy');
    if (state !== 'ready') {
      this.cy.elements().remove();
      this.root.dataset.nodes = '0';
      this.root.dataset.selected = '';
      this.root.dataset.highlighted = '0';
      this.parts.empty.textContent = message || '';
      this.parts.empty.classList.remove('hidden');
      replaceChildren(this.parts.status, []);
    }
  }

  /**
   * Draws a network (/api/network shape). `focus` is the id the graph is the
   * ego network of, or null for the top-N network.
   */
  show(network, { focus = null, select = focus } = {}) {
    this.focus = focus;
    this.setNote('');
    this.parts.back.classList.toggle('hidden', !focus);
    const nodes = Array.isArray(network && network.nodes) ? network.nodes : [];
    const links = Array.isArray(network && network.links) ? network.links : [];
    if (!nodes.length) {
      this.setState('empty', focus
        ? 'No links for this one in the chosen dates.'
        : 'No links between people or places in the chosen dates.');
      return;
    }
    this.parts.empty.classList.add('hidden');
    const ids = new Set();
    const maxWeight = nodes.reduce((m, n) => Math.max(m, n.weighted_degree || n.degree || 0), 1);
    const elements = [];
    for (const n of nodes) {
      // Cytoscape throws on a repeated id: draw each node once.
      if (typeof n.id !== 'string' || ids.has(n.id)) continue;
      ids.add(n.id);
      elements.push({ group: 'nodes', data: nodeData(n, maxWeight), classes: nodeClasses(n) });
    }
    const edgeIds = new Set();
    for (const link of links) {
      // A link to a node beyond the limit has no end to draw.
      if (!ids.has(link.source) || !ids.has(link.target)) continue;
      const data = edgeData(link);
      if (edgeIds.has(data.id)) continue;
      edgeIds.add(data.id);
      elements.push({ group: 'edges', data, classes: link.weak ? 'weak' : '' });
    }
    markHubs(elements);
    const cy = this.cy;
    cy.batch(() => {
      cy.elements().remove();
      cy.add(elements);
    });
    this.runLayout(focus);
    this.root.dataset.nodes = String(cy.nodes().length);
    this.setStatus(network, cy.nodes().length, cy.edges().length, focus);
    this.root.dataset.state = 'ready';
    this.root.removeAttribute('aria-busy');
    if (select && cy.getElementById(select).nonempty()) this.select(select);
    else this.clearSelection();
  }

  runLayout(focus) {
    const cy = this.cy;
    const n = cy.nodes().length;
    let options;
    if (n <= COSE_MAX_NODES) {
      // cose's cost grows with the square of the nodes: fewer iterations for
      // bigger graphs keep it near a second (300 nodes with 6,000 links
      // took 1.7 s at 110 iterations in headless Chromium on 2 cores). The
      // cooling is set to reach cose's minimum temperature by the last
      // iteration, so a short run still settles instead of stopping hot.
      const numIter = Math.max(60, Math.min(1000, Math.round(600 * (100 / n) ** 2)));
      const initialTemp = 1000;
      const minTemp = 1;
      options = {
        name: 'cose', animate: false, randomize: true, fit: true, padding: 20,
        numIter, initialTemp, minTemp, coolingFactor: (minTemp / initialTemp) ** (1 / numIter),
        nodeRepulsion: () => 6000, idealEdgeLength: () => 40, nodeOverlap: 8, gravity: 0.8,
      };
    } else if (focus && cy.getElementById(focus).nonempty()) {
      // A big ego network: rings around the person or place, nearest inside.
      const distance = hopDistances(cy, focus);
      options = {
        name: 'concentric', animate: false, minNodeSpacing: 4,
        concentric: (node) => 10 - (distance.get(node.id()) ?? 9),
        levelWidth: () => 1,
      };
    } else {
      options = {
        name: 'concentric', animate: false, minNodeSpacing: 4,
        concentric: (node) => node.degree(), levelWidth: () => 4,
      };
    }
    cy.layout(options).run();
    cy.fit(undefined, 20);
  }

  setStatus(network, shownNodes, shownLinks, focus) {
    const total = Number.isFinite(network.total_nodes) ? network.total_nodes : shownNodes;
    const links = `${formatCount(shownLinks)} links`;
    const parts = [];
    if (focus) {
      // An ego network: total_nodes counts the whole network, not just the
      // part within reach of the selection, so it is said as such.
      parts.push(el('strong', { text: `${formatCount(shownNodes)} nearest` }));
      parts.push(` people and places around the selection (of ${formatCount(total)} in the whole network) · ${links}`);
    } else if (network.truncated || total > shownNodes) {
      parts.push(el('strong', { text: `Showing ${formatCount(shownNodes)} of ${formatCount(total)}` }));
      parts.push(` people and places (the most connected) · ${links}`);
    } else {
      parts.push(`${formatCount(shownNodes)} people and places · ${links}`);
    }
    replaceChildren(this.parts.status, parts);
    this.parts.status.dataset.truncated = network.truncated ? 'true' : 'false';
  }

  /**
   * Selects a node and highlights it with its neighbours, fading the rest.
   * Returns false when the node is not in the graph.
   */
  select(id) {
    const cy = this.cy;
    const node = cy.getElementById(id);
    if (node.empty()) return false;
    const neighbourhood = node.closedNeighborhood();
    cy.batch(() => {
      cy.elements().removeClass('highlighted faded').unselect();
      cy.elements().not(neighbourhood).addClass('faded');
      neighbourhood.addClass('highlighted');
      node.select();
    });
    this.root.dataset.selected = id;
    this.root.dataset.highlighted = String(neighbourhood.nodes().length - 1);
    if (!node.visible() || !isInView(cy, node)) cy.animate({ center: { eles: node } }, { duration: 0 });
    return true;
  }

  clearSelection() {
    const cy = this.cy;
    cy.batch(() => {
      cy.elements().removeClass('highlighted faded').unselect();
    });
    this.root.dataset.selected = '';
    this.root.dataset.highlighted = '0';
  }

  /** The node data we were given for an id, if it is drawn. */
  nodeById(id) {
    const node = this.cy.getElementById(id);
    return node.nonempty() ? node.data('raw') : null;
  }

  /** Every drawn node's data, as the API gave it. */
  nodes() {
    return this.cy.nodes().map((node) => node.data('raw'));
  }

  /**
   * Neighbours of a drawn node as raw node data, each once, with the types
   * of the links to it (two people can be linked several ways), most records first.
   */
  neighboursOf(id) {
    const node = this.cy.getElementById(id);
    if (node.empty()) return [];
    const byId = new Map();
    node.connectedEdges().forEach((edge) => {
      const other = edge.source().id() === id ? edge.target() : edge.source();
      let entry = byId.get(other.id());
      if (!entry) {
        entry = { node: other.data('raw'), types: [], weak: true, records: 0 };
        byId.set(other.id(), entry);
      }
      entry.types.push(edge.data('type'));
      entry.weak = entry.weak && edge.hasClass('weak');
      entry.records += edge.data('records') || 0;
    });
    return [...byId.values()].sort((a, b) => b.records - a.records);
  }

  resize() {
    this.cy.resize();
  }
}

// How many of the most connected nodes keep their label at any zoom.
const HUB_LABELS = 12;

/** Gives the most connected nodes the `hub` class, so their names show. */
function markHubs(elements) {
  const nodes = elements.filter((e) => e.group === 'nodes');
  nodes
    .slice()
    .sort((a, b) => (b.data.raw.weighted_degree || 0) - (a.data.raw.weighted_degree || 0))
    .slice(0, HUB_LABELS)
    .forEach((e) => {
      e.classes = `${e.classes} hub`;
    });
}

function isInView(cy, node) {
  const ext = cy.extent();
  const p = node.position();
  return p.x >= ext.x1 && p.x <= ext.x2 && p.y >= ext.y1 && p.y <= ext.y2;
}

/** Hop distance of every node from `focus` (breadth first). */
function hopDistances(cy, focus) {
  const distance = new Map([[focus, 0]]);
  let frontier = [cy.getElementById(focus)];
  while (frontier.length) {
    const next = [];
    for (const node of frontier) {
      node.neighborhood('node').forEach((other) => {
        if (!distance.has(other.id())) {
          distance.set(other.id(), distance.get(node.id()) + 1);
          next.push(other);
        }
      });
    }
    frontier = next;
  }
  return distance;
}

function nodeLabel(n) {
  if (n.label) return n.label;
  // Panel profile: people are shown by pseudonym, places may have no label.
  return n.kind === 'place' ? emptyLabelText() : n.id;
}

function nodeData(n, maxWeight) {
  const weight = n.weighted_degree || n.degree || 0;
  return {
    id: n.id,
    label: nodeLabel(n),
    kind: n.kind,
    colour: nodeColour(n.kind, n.flags || []),
    size: Math.round(12 + 22 * Math.sqrt(weight / maxWeight)),
    raw: n,
  };
}

function nodeClasses(n) {
  const classes = [n.kind || 'unknown'];
  if ((n.flags || []).includes('adult_of_concern')) classes.push('of-concern');
  if (!n.label) classes.push('unlabelled');
  return classes.join(' ');
}

function edgeData(link) {
  return {
    id: `e:${link.id}:${link.source}:${link.target}`,
    source: link.source,
    target: link.target,
    type: link.type,
    records: link.records,
    colour: linkColour(link.type),
    width: Math.min(6, 1 + Math.log2(1 + (link.records || 1))),
  };
}

function networkStyle() {
  return [
    {
      selector: 'node',
      style: {
        'background-color': 'data(colour)',
        width: 'data(size)',
        height: 'data(size)',
        label: 'data(label)',
        'font-size': 9,
        'font-family': 'system-ui, sans-serif',
        color: '#222',
        'text-valign': 'bottom',
        'text-margin-y': 2,
        'text-outline-color': '#ffffff',
        'text-outline-width': 1.5,
        // Labels appear once zoomed in enough to read them: thousands of
        // overlapping names help nobody.
        'min-zoomed-font-size': 11,
        'border-width': 1,
        'border-color': '#ffffff',
      },
    },
    { selector: 'node.place', style: { shape: 'round-rectangle' } },
    { selector: 'node.vehicle', style: { shape: 'triangle' } },
    { selector: 'node.unidentified', style: { 'border-style': 'dashed', 'border-color': '#555', 'border-width': 1.5 } },
    { selector: 'node.of-concern', style: { 'border-width': 3, 'border-color': '#67000d' } },
    { selector: 'node.unlabelled.place', style: { color: '#888' } },
    { selector: 'node.hub', style: { 'min-zoomed-font-size': 0 } },
    {
      selector: 'edge',
      style: {
        'curve-style': 'haystack',
        'haystack-radius': 0,
        'line-color': 'data(colour)',
        width: 'data(width)',
        opacity: 0.8,
      },
    },
    { selector: 'edge.weak', style: { 'curve-style': 'straight', 'line-style': 'dashed', 'line-dash-pattern': [5, 4] } },
    { selector: '.faded', style: { opacity: 0.12, 'text-opacity': 0 } },
    { selector: 'node.highlighted', style: { 'min-zoomed-font-size': 0, 'z-index': 10 } },
    { selector: 'edge.highlighted', style: { opacity: 1, 'z-index': 9 } },
    {
      selector: 'node:selected',
      style: {
        'border-width': 5,
        'border-color': HIGHLIGHT,
        'min-zoomed-font-size': 0,
        'font-weight': 'bold',
        'font-size': 11,
        'z-index': 20,
      },
    },
  ];
}

/** The network's legend: node kinds and link types, as text and SVG swatches. */
export function networkLegend() {
  const kinds = [
    ['child', NODE_COLOURS.child, 'circle'],
    ['adult', NODE_COLOURS.adult, 'circle'],
    ['adult_of_concern', NODE_COLOURS.adult_of_concern, 'circle'],
    ['unidentified', NODE_COLOURS.unidentified, 'circle'],
    ['place', NODE_COLOURS.place, 'rect'],
    ['vehicle', NODE_COLOURS.vehicle, 'rect'],
  ];
  const kindRows = kinds.map(([kind, colour, shape]) => el('span', { className: 'legend-chip' }, [
    swatch(shape, colour, kind === 'adult_of_concern' ? '#67000d' : undefined, { strokeWidth: 2 }), words(kind),
  ]));
  const linkRows = Object.entries(LINK_COLOURS).map(([type, colour]) => el('span', { className: 'legend-chip' }, [
    swatch('line', colour), words(type),
  ]));
  linkRows.push(el('span', { className: 'legend-chip' }, [swatch('line', '#666', undefined, { dashed: true }), 'Weak intelligence only']));
  return el('details', { className: 'network-legend', testid: 'network-legend' }, [
    el('summary', { text: 'Legend' }),
    el('div', { className: 'legend-chips' }, kindRows),
    el('div', { className: 'legend-chips' }, linkRows),
  ]);
}
