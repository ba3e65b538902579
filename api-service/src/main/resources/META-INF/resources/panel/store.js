// What the panel knows: networks, sandboxes and nodes read from the API, kept fresh by the event stream.

import {get} from './api.js';

const listeners = new Set();
const eventListeners = new Set();
let refreshTimer = null;
let source = null;

export const state = {networks: [], sandboxes: [], nodes: [], session: null, live: 'connecting', loaded: false};
/** The last events of the stream, newest last: an operation's first events can arrive before its 202 answer. */
export const recentEvents = [];

export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** listener(envelope) for every event of the stream. */
export function onEvent(listener) {
  eventListeners.add(listener);
  return () => eventListeners.delete(listener);
}

function changed() {
  for (const l of listeners) {
    try {
      l(state);
    } catch (e) {
      console.error(e);
    }
  }
}

export async function refresh() {
  const [networks, sandboxes, nodes] = await Promise.all([get('/networks'), get('/sandboxes'), get('/nodes')]);
  state.networks = networks.body;
  state.sandboxes = sandboxes.body;
  state.nodes = nodes.body;
  state.loaded = true;
  changed();
}

/** Coalesces a burst of events (one create is a dozen) into one refresh. */
export function refreshSoon(ms = 150) {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    refresh().catch(e => console.warn('refresh failed', e));
  }, ms);
}

// the wire names of io.netplane.events.EventType the stream can carry (SSE names each event by its type)
const STREAM_TYPES = [
  'network.created', 'network.rejected', 'network.removed', 'network.ready', 'network.failed', 'network.cleared',
  'sandbox.scheduled', 'sandbox.rejected', 'sandbox.removed', 'sandbox.ready', 'sandbox.failed', 'sandbox.cleared',
  'endpoint.allocated', 'endpoint.rejected', 'endpoint.released', 'endpoint.ready', 'endpoint.failed', 'endpoint.cleared',
  'node.joined', 'node.heartbeat', 'node.left', 'node.removed', 'node.rejected'];

export function connect() {
  disconnect();
  source = new EventSource('/api/v1/events/stream');
  source.addEventListener('subscribed', () => {
    state.live = 'live';
    changed();
    refreshSoon(0); // nothing is missed from here on: read what happened before
  });
  source.onerror = () => {
    state.live = 'reconnecting';
    changed();
  };
  source.onmessage = e => deliver(e);
  for (const type of STREAM_TYPES) source.addEventListener(type, deliver);
}

function deliver(e) {
  let envelope;
  try {
    envelope = JSON.parse(e.data);
  } catch (err) {
    return;
  }
  recentEvents.push(envelope);
  if (recentEvents.length > 200) recentEvents.shift();
  for (const l of eventListeners) {
    try {
      l(envelope);
    } catch (err) {
      console.error(err);
    }
  }
  if (!String(envelope.type).endsWith('.heartbeat')) refreshSoon();
}

export function disconnect() {
  if (source) source.close();
  source = null;
}

export function can(role) {
  const order = ['viewer', 'operator', 'admin'];
  return state.session && order.indexOf(state.session.role) >= order.indexOf(role);
}

export const networkById = id => state.networks.find(n => n.id === id);
export const sandboxById = id => state.sandboxes.find(s => s.id === id);
