// The viewer's side of docs/viewer-api.md. The session cookie set by the
// landing URL rides along with every same-origin fetch, so no token handling
// is needed here.

/** An error the user can act on: the API's own `error` sentence when it gave one. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** True for the error fetch() throws when we abort a superseded request. */
export function isAbort(error) {
  return error && error.name === 'AbortError';
}

/**
 * GETs a JSON resource. `params` are query parameters; empty values are left
 * out. `signal` lets a newer request cancel this one.
 */
export async function getJson(path, params = {}, signal) {
  const url = path + queryString(params);
  let response;
  try {
    response = await fetch(url, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      signal,
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError('The Waymark server cannot be reached. Is `waymark serve` still running?', 0);
  }
  if (!response.ok) throw new ApiError(await errorText(response), response.status);
  try {
    return await response.json();
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(`The server sent an unreadable answer for ${path}.`, response.status);
  }
}

/** The `error` sentence of an error response, or a generic one by status. */
async function errorText(response) {
  let body = '';
  try {
    body = await response.text();
  } catch {
    // fall through to the generic text
  }
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed.error === 'string' && parsed.error) return parsed.error;
  } catch {
    // not JSON: a 401's short plain-text body, for example
  }
  if (response.status === 401) {
    return 'This session is not signed in (or it expired). Open the address that `waymark serve` printed again.';
  }
  if (response.status === 403) return 'This profile may not see that.';
  if (response.status === 404) return 'Not found: it may be withheld for this profile, or outside the data.';
  return `The server answered ${response.status} ${response.statusText || ''}`.trim() + '.';
}

/** "?a=1&b=x%2Cy" from an object; undefined, null, "" and empty arrays are skipped. */
export function queryString(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length) search.set(key, value.join(','));
    } else {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Keeps one request per channel in flight: starting a new one aborts the
 * previous, so a slow answer to an old filter never overwrites a newer one.
 */
export class Channel {
  constructor() {
    this.controller = null;
  }

  async get(path, params) {
    if (this.controller) this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    try {
      return await getJson(path, params, controller.signal);
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }

  abort() {
    if (this.controller) this.controller.abort();
    this.controller = null;
  }
}

/** The path of one child or place, with the id escaped. */
export function childPath(id) {
  return `/api/child/${encodeURIComponent(id)}`;
}

export function placePath(id) {
  return `/api/place/${encodeURIComponent(id)}`;
}
