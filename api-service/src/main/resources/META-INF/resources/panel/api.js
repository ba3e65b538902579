// The public REST API, nothing else: every call the panel makes a script can make too.

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : 'HTTP ' + status);
    this.status = status;
    this.code = body && body.code;
    this.details = (body && body.details) || {};
  }
}

let onUnauthorized = () => {};

/** Called when a call answers 401: the session expired or was never there. */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

export async function call(method, path, body, headers = {}) {
  const init = {method, headers: {Accept: 'application/json', ...headers}, credentials: 'same-origin'};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch('/api/v1' + path, init);
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch (e) {
      json = {message: text};
    }
  }
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith('/session')) onUnauthorized();
    throw new ApiError(response.status, json);
  }
  return {status: response.status, body: json, operation: response.headers.get('X-Netplane-Operation')};
}

export const get = path => call('GET', path);

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/**
 * A mutating call as a long operation: sent with wait=false (202 + operation id), then
 * GET /api/v1/operations/{id} until it settles. progress(op) is told each state; a failed operation throws
 * ApiError with the status and message the synchronous call would have answered.
 */
export async function operate(method, path, body, progress = () => {}) {
  const separator = path.includes('?') ? '&' : '?';
  const accepted = await call(method, path + separator + 'wait=false', body);
  const id = accepted.body && accepted.body.operation;
  if (accepted.status !== 202 || !id) return accepted.body;
  const started = Date.now();
  progress({id, state: 'pending', elapsed: 0});
  for (let delay = 100; ; delay = Math.min(delay * 1.5, 1000)) {
    await sleep(delay);
    const op = (await get('/operations/' + encodeURIComponent(id))).body;
    progress({...op, elapsed: Date.now() - started});
    if (op.state === 'succeeded') return op.result;
    if (op.state === 'failed') {
      throw new ApiError(op.status || 500, {code: 'operation_failed', message: op.message, details: {operation: id}});
    }
    if (Date.now() - started > 180000) {
      throw new ApiError(504, {code: 'timeout', message: 'operation ' + id + ' still ' + op.state + ' after 3 min',
        details: {operation: id}});
    }
  }
}

export const path = (...parts) => parts.map(p => encodeURIComponent(p)).join('/');
