// The left sidebar: filters that re-query (debounced), layer switches, the
// hotspot role, the counts line, the top places and the engine's notes.

import { el, replaceChildren, formatCount, formatDate, plural, words, dayIndex, dayToIso, labelNode, swatch } from './dom.js';
import { roleColour } from './colours.js';
import { LAYER_TITLES } from './map.js';

// Long enough that dragging a slider sends one query, not one per pixel.
const DEBOUNCE_MS = 250;

const HOTSPOT_ROLES = ['all', 'from', 'found', 'visited', 'concern'];
// Partnership: one role at a time (a total less the roles could reveal a
// suppressed cell), so no "all".
const SINGLE_ROLES = ['from', 'found', 'visited', 'concern'];

export class Sidebar {
  /**
   * @param root the sidebar element
   * @param meta /api/meta
   * @param handlers { onFilters({dates}), onLayer(name, on), onHotspotRole(role), onPlace(placeId),
   *   onPerson(node), networkNodes() }
   */
  constructor(root, meta, handlers) {
    this.root = root;
    this.meta = meta;
    this.handlers = handlers;
    this.points = meta.points !== false;
    // The server refuses every filter where two selections could be
    // subtracted to reveal a suppressed cell (partnership): none are shown.
    this.filtersEnabled = meta.filters !== false;
    this.hotspotRoles = this.points ? HOTSPOT_ROLES : SINGLE_ROLES;
    this.hotspotRole = this.hotspotRoles[0];
    this.days = Math.max(0, dayIndex(meta.window.first, meta.window.last));
    this.state = {
      start: 0,
      end: this.days,
      roles: new Set(meta.roles || []),
      settings: new Set(),
      risk: new Set(),
      lookedAfter: '',
      indicators: new Set(),
    };
    this.pending = { dates: false };
    this.timer = null;
    this.build();
  }

  build() {
    const f = this.filtersEnabled;
    const blocks = [
      this.countsBlock(),
      f ? this.datesBlock() : this.noFiltersBlock(),
      f && this.points ? this.checkboxBlock('Incident roles', 'role', this.meta.roles || [], this.state.roles,
        'Untick a role to hide its incidents.', (role) => swatch('circle', roleColour(role), '#fff')) : null,
      f && this.checkboxBlock('Setting (where the child lives)', 'setting', this.meta.settings || [], this.state.settings,
        'None ticked: every setting.'),
      f && this.checkboxBlock('Risk grade', 'risk', this.meta.risk_grades || [], this.state.risk, 'None ticked: every grade.'),
      f && this.lookedAfterBlock(),
      f && this.checkboxBlock('Indicators', 'indicator', this.meta.indicators || [], this.state.indicators,
        'Ticked: only incidents with every ticked indicator.'),
      this.layersBlock(),
      this.points ? this.searchBlock() : null,
      this.points ? this.topPlacesBlock() : null,
      this.notesBlock(),
      f && el('div', { className: 'block' }, [
        el('button', { type: 'button', className: 'button', testid: 'reset-filters', text: 'Reset filters', onclick: () => this.reset() }),
      ]),
    ];
    replaceChildren(this.root, blocks);
    if (f) this.showDates();
  }

  noFiltersBlock() {
    const { first, last } = this.meta.window;
    return el('div', { className: 'block' }, [
      el('h2', { text: 'Dates' }),
      el('p', { className: 'date-label', text: `${formatDate(first)} – ${formatDate(last)}` }),
      el('p', { className: 'hint', testid: 'no-filters-note', text:
        'This profile shows the whole store only, without filters: counts of two selections could otherwise be subtracted to reveal a hidden cell.' }),
    ]);
  }

  countsBlock() {
    this.countsLine = el('p', { className: 'counts', testid: 'counts', attrs: { 'aria-live': 'polite' }, text: 'Loading…' });
    const note = this.points ? null : el('p', { className: 'suppression-note', testid: 'suppression-note', text:
      `Counts per grid cell only, with no people and no exact places. Cells with fewer than ${formatCount(this.meta.suppression_k)} children are hidden (suppressed, in grey) so that no child can be recognised; a few more may be hidden so that a hidden count cannot be worked out from its neighbours.` });
    const title = this.filtersEnabled ? 'In the chosen filters' : 'In the whole store';
    this.cellLine = this.points ? null : el('p', { className: 'hint', testid: 'cell-counts' });
    return el('div', { className: 'block' }, [el('h2', { text: title }), this.countsLine, this.cellLine, note]);
  }

  datesBlock() {
    const max = String(this.days);
    this.startInput = el('input', {
      type: 'range', min: '0', max, step: '1', value: '0', testid: 'date-start', id: 'date-start',
      oninput: () => this.onSlider('start'),
    });
    this.endInput = el('input', {
      type: 'range', min: '0', max, step: '1', value: max, testid: 'date-end', id: 'date-end',
      oninput: () => this.onSlider('end'),
    });
    this.dateLabel = el('p', { className: 'date-label', testid: 'date-label', attrs: { 'aria-live': 'polite' } });
    return el('fieldset', { className: 'block' }, [
      el('legend', { text: 'Dates' }),
      this.dateLabel,
      el('label', { className: 'slider-row', attrs: { for: 'date-start' } }, [el('span', { text: 'From' }), this.startInput]),
      el('label', { className: 'slider-row', attrs: { for: 'date-end' } }, [el('span', { text: 'To' }), this.endInput]),
      el('button', {
        type: 'button', className: 'link-button small', text: 'All dates',
        onclick: () => this.setDates(0, this.days),
      }),
    ]);
  }

  /** Keeps the two sliders in order: moving one past the other drags it along. */
  onSlider(which) {
    let start = Number(this.startInput.value);
    let end = Number(this.endInput.value);
    if (start > end) {
      if (which === 'start') end = start;
      else start = end;
    }
    this.setDates(start, end);
  }

  setDates(start, end) {
    this.state.start = start;
    this.state.end = end;
    this.startInput.value = String(start);
    this.endInput.value = String(end);
    this.showDates();
    this.changed({ dates: true });
  }

  showDates() {
    const first = this.meta.window.first;
    const since = dayToIso(first, this.state.start);
    const until = dayToIso(first, this.state.end);
    this.dateLabel.textContent = `${formatDate(since)} – ${formatDate(until)}`;
    this.startInput.setAttribute('aria-valuetext', formatDate(since));
    this.endInput.setAttribute('aria-valuetext', formatDate(until));
  }

  checkboxBlock(title, name, codes, selected, hint, icon) {
    if (!codes.length) return null;
    const rows = codes.map((code) => {
      const box = el('input', {
        type: 'checkbox', value: code, checked: selected.has(code), testid: `${name}-${code}`,
        onchange: () => {
          if (box.checked) selected.add(code);
          else selected.delete(code);
          this.changed({ dates: false });
        },
      });
      return el('label', { className: 'check-row' }, [box, icon ? icon(code) : null, words(code)]);
    });
    return el('fieldset', { className: 'block', dataset: { filter: name } }, [
      el('legend', { text: title }), ...rows, el('p', { className: 'hint', text: hint }),
    ]);
  }

  lookedAfterBlock() {
    const options = [['', 'Any'], ['yes', 'Yes'], ['no', 'No']];
    const rows = options.map(([value, text]) => el('label', { className: 'check-row inline' }, [
      el('input', {
        type: 'radio', name: 'looked-after', value, checked: this.state.lookedAfter === value, testid: `looked-after-${value || 'any'}`,
        onchange: () => {
          this.state.lookedAfter = value;
          this.changed({ dates: false });
        },
      }),
      text,
    ]));
    return el('fieldset', { className: 'block' }, [el('legend', { text: 'Looked after (in care)' }), el('div', { className: 'inline-row' }, rows)]);
  }

  layersBlock() {
    const names = this.points ? ['points', 'clusters', 'gistar', 'density'] : ['cells'];
    // Kept across "Reset filters" (which rebuilds the sidebar): layers are
    // not filters.
    if (!this.layers) this.layers = { points: true, clusters: true, gistar: true, density: false, cells: true };
    const rows = names.map((name) => {
      const box = el('input', {
        type: 'checkbox', checked: this.layers[name], testid: `layer-${name}`,
        onchange: () => {
          this.layers[name] = box.checked;
          this.handlers.onLayer(name, box.checked);
        },
      });
      return el('label', { className: 'check-row' }, [box, LAYER_TITLES[name]]);
    });
    this.hotspotSelect = el('select', {
      testid: 'hotspot-role', id: 'hotspot-role',
      onchange: () => {
        this.hotspotRole = this.hotspotSelect.value;
        this.handlers.onHotspotRole(this.hotspotRole);
      },
    }, this.hotspotRoles.map((role) => el('option', { value: role, text: words(role), selected: role === this.hotspotRole })));
    const hint = this.points
      ? 'Clusters, Gi* and density are computed for one role at a time.'
      : 'The cells count incidents of this role.';
    return el('fieldset', { className: 'block' }, [
      el('legend', { text: 'Map layers' }),
      ...rows,
      el('label', { className: 'select-row', attrs: { for: 'hotspot-role' } }, [el('span', { text: 'Hotspots for' }), this.hotspotSelect]),
      el('p', { className: 'hint', text: hint }),
    ]);
  }

  /** "Find a place or person": matches the labels of the sites and of the network's nodes. */
  searchBlock() {
    this.searchInput = el('input', {
      type: 'search', id: 'search', testid: 'search', placeholder: 'Name or label',
      autocomplete: 'off', oninput: () => this.showSearch(),
    });
    this.searchResults = el('ul', { className: 'item-list search-results', testid: 'search-results' });
    return el('div', { className: 'block' }, [
      el('label', { attrs: { for: 'search' } }, [el('h2', { text: 'Find a place or person' })]),
      this.searchInput,
      this.searchResults,
    ]);
  }

  showSearch() {
    const text = this.searchInput.value.trim().toLowerCase();
    if (!text) {
      replaceChildren(this.searchResults, []);
      return;
    }
    const matches = (label) => typeof label === 'string' && label.toLowerCase().includes(text);
    const places = this.placeEntries().filter((p) => matches(p.label)).slice(0, 8);
    const people = (this.handlers.networkNodes ? this.handlers.networkNodes() : [])
      .filter((n) => n.kind !== 'place' && (matches(n.label) || matches(n.id))).slice(0, 8);
    const rows = places.map((p) => el('li', {}, [
      el('button', {
        type: 'button', className: 'link-button', testid: 'search-place', dataset: { place: p.place },
        onclick: () => this.handlers.onPlace(p.place),
      }, [labelNode(p.label)]),
      el('span', { className: 'item-meta', text: `Place · ${plural(p.incidents, 'incident')}` }),
    ])).concat(people.map((n) => el('li', {}, [
      el('button', {
        type: 'button', className: 'link-button', testid: 'search-person', dataset: { id: n.id },
        onclick: () => this.handlers.onPerson(n),
      }, [labelNode(n.label, n.id)]),
      el('span', { className: 'item-meta', text: `${words(n.kind)} · in the network shown` }),
    ])));
    replaceChildren(this.searchResults, rows.length ? rows : [el('li', { className: 'empty-state', text: 'Nothing matches (people are searched in the network shown).' })]);
  }

  /** One entry per place (a place has a site per role), busiest first. */
  placeEntries() {
    const byPlace = new Map();
    for (const site of this.sites || []) {
      const entry = byPlace.get(site.place);
      if (entry) entry.incidents += site.incidents || 0;
      else byPlace.set(site.place, { place: site.place, label: site.label, type: site.type, incidents: site.incidents || 0 });
    }
    return [...byPlace.values()].sort((a, b) => b.incidents - a.incidents);
  }

  topPlacesBlock() {
    this.topList = el('ol', { className: 'top-places', testid: 'top-places' });
    return el('div', { className: 'block' }, [el('h2', { text: 'Top places' }), this.topList]);
  }

  notesBlock() {
    this.notesList = el('ul', { className: 'notes', testid: 'hotspot-notes' });
    this.notesBlockNode = el('details', { className: 'block notes-block hidden' }, [
      el('summary', { text: 'How the hotspots were computed' }),
      this.notesList,
    ]);
    return this.notesBlockNode;
  }

  /** Debounces filter changes into one re-query; remembers if dates moved. */
  changed({ dates }) {
    this.pending.dates = this.pending.dates || dates;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const pending = this.pending;
      this.pending = { dates: false };
      this.handlers.onFilters(pending);
    }, DEBOUNCE_MS);
  }

  reset() {
    this.state.roles = new Set(this.meta.roles || []);
    this.state.settings = new Set();
    this.state.risk = new Set();
    this.state.lookedAfter = '';
    this.state.indicators = new Set();
    this.state.start = 0;
    this.state.end = this.days;
    this.build();
    this.changed({ dates: true });
  }

  /** The dates only (what /api/network takes). */
  dateParams() {
    if (!this.filtersEnabled) return {};
    const first = this.meta.window.first;
    return {
      since: this.state.start > 0 ? dayToIso(first, this.state.start) : undefined,
      until: this.state.end < this.days ? dayToIso(first, this.state.end) : undefined,
    };
  }

  /** Every filter, as the API's query parameters (role left out when all are ticked). */
  filterParams({ withRoles = true } = {}) {
    if (!this.filtersEnabled) return {};
    const roles = (this.meta.roles || []).filter((r) => this.state.roles.has(r));
    return {
      ...this.dateParams(),
      setting: [...this.state.settings],
      risk: [...this.state.risk],
      looked_after: this.state.lookedAfter || undefined,
      indicator: [...this.state.indicators],
      role: withRoles && roles.length !== (this.meta.roles || []).length ? roles : undefined,
    };
  }

  /** No role ticked means nothing can match: said without asking the server. */
  noRoleTicked() {
    return this.filtersEnabled && this.points && this.state.roles.size === 0;
  }

  /** The displayed range (for the child's timeline). */
  range() {
    const p = this.dateParams();
    return { since: p.since, until: p.until };
  }

  setCounts({ incidents, children, places }) {
    const parts = [plural(incidents, 'incident'), plural(children, 'child', 'children')];
    if (Number.isFinite(places)) parts.push(plural(places, 'place'));
    this.countsLine.textContent = parts.join(' · ');
    this.countsLine.dataset.incidents = String(incidents ?? '');
  }

  /** Partnership: how many cells the map shows for the role, and how many are hidden. */
  setCellNote(cells, hidden) {
    if (!this.cellLine) return;
    this.cellLine.textContent = `Map: ${plural(cells, 'cell')} with incidents of this role, ${formatCount(hidden)} of them hidden`;
  }

  setCountsUnavailable(text) {
    this.countsLine.textContent = text;
    this.countsLine.dataset.incidents = '';
  }

  /** The ten busiest sites, as buttons that open the place. */
  setTopPlaces(sites) {
    this.sites = sites;
    if (this.searchInput && this.searchInput.value) this.showSearch();
    if (!this.topList) return;
    const top = this.placeEntries().slice(0, 10);
    if (!top.length) {
      replaceChildren(this.topList, [el('li', { className: 'empty-state', text: 'No incidents match these filters' })]);
      return;
    }
    replaceChildren(this.topList, top.map((p) => el('li', {}, [
      el('button', {
        type: 'button', className: 'link-button', testid: 'top-place', dataset: { place: p.place },
        onclick: () => this.handlers.onPlace(p.place),
      }, [labelNode(p.label)]),
      el('span', { className: 'item-meta', text: `${formatCount(p.incidents)}${p.type ? ` · ${words(p.type)}` : ''}` }),
    ])));
  }

  /** The engine's notes on the hotspots (e.g. "gistar refused: …"), as text. */
  setNotes(notes) {
    const list = Array.isArray(notes) ? notes.filter((n) => typeof n === 'string' && n) : [];
    replaceChildren(this.notesList, list.map((n) => el('li', { text: n })));
    this.notesBlockNode.classList.toggle('hidden', list.length === 0);
  }
}
