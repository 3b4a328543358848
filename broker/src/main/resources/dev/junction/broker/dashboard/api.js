// The management API, called with the user's HTTP basic credentials. They live in sessionStorage: this tab only,
// gone when it closes. Requests use credentials: 'omit' so the browser neither sends credentials it remembers
// nor shows its own login prompt on a 401 (Fetch standard, HTTP-network-or-cache fetch); the Authorization
// header set here is sent all the same.

const KEY = 'junction.credentials';

/** A refused call: the HTTP status and the API's reason (RabbitMQ's {"error":..,"reason":..} body). */
export class ApiError extends Error {
  constructor(status, reason, body) {
    super(reason ? `${status}: ${reason}` : `HTTP ${status}`);
    this.status = status;
    this.reason = reason;
    this.body = body;
  }
}

/** The basic credentials token for user and password, UTF-8 encoded as RFC 7617 recommends. */
export function token(user, password) {
  let binary = '';
  for (const b of new TextEncoder().encode(`${user}:${password}`)) {
    binary += String.fromCharCode(b);
  }
  return btoa(binary);
}

export function saved() {
  return sessionStorage.getItem(KEY);
}

export function save(credentials) {
  sessionStorage.setItem(KEY, credentials);
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

/** A vhost, queue, user or other name as one path segment: '/' becomes %2F, as the API expects. */
export const seg = encodeURIComponent;

/** Calls the API; resolves to the parsed JSON (null for an empty answer), rejects with an ApiError. */
export async function call(method, path, body, extraHeaders = {}, credentials = saved()) {
  const headers = { Accept: 'application/json', ...extraHeaders };
  if (credentials) {
    headers.Authorization = `Basic ${credentials}`;
  }
  const init = { method, headers, credentials: 'omit', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'the broker did not answer');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = text;
    }
  }
  if (!response.ok) {
    const reason = data && typeof data === 'object' ? data.reason || data.error : response.statusText;
    throw new ApiError(response.status, reason, data);
  }
  return data;
}

export const get = (path) => call('GET', path);
export const put = (path, body) => call('PUT', path, body);
export const post = (path, body) => call('POST', path, body);
export const del = (path, headers) => call('DELETE', path, undefined, headers);
