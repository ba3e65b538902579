// The control panel: sign-in, routing between the views, the live stream and the event log.

import {call, whenUnauthorized} from './api.js';
import {clear} from './dom.js';
import {state, connect, disconnect, onChange, refresh} from './store.js';
import {mountEventLog} from './eventlog.js';
import {topologyView} from './views/topology.js';
import {networkList, networkDetails} from './views/networks.js';
import {sandboxList, sandboxDetails} from './views/sandboxes.js';
import {nodeList} from './views/nodes.js';
import {audit, history} from './views/audit.js';

const $ = id => document.getElementById(id);
let current = null;
let poll = null;
let eventLogMounted = false;

function route() {
  const [pathPart, query] = (location.hash.replace(/^#\/?/, '') || 'topology').split('?');
  const [view, a, b] = pathPart.split('/').map(decodeURIComponent);
  const params = new URLSearchParams(query || '');
  const main = $('view');
  if (current && current.unmount) current.unmount();
  clear(main);
  switch (view) {
    case 'networks': current = a ? networkDetails(main, a) : networkList(main); break;
    case 'sandboxes': current = a ? sandboxDetails(main, a) : sandboxList(main); break;
    case 'nodes': current = nodeList(main); break;
    case 'audit': current = audit(main, params); break;
    case 'history': current = history(main, a, b); break;
    default: current = topologyView(main);
  }
  for (const link of $('nav').querySelectorAll('a')) link.classList.toggle('active', link.dataset.view === (view || 'topology'));
  document.body.dataset.view = view || 'topology';
  current.update(state);
}

function showSignIn(message) {
  disconnect();
  clearInterval(poll);
  state.session = null;
  $('app').hidden = true;
  $('signin').hidden = false;
  const error = $('signin-error');
  error.hidden = !message;
  error.textContent = message || '';
  $('signin-token').focus();
}

function start(session) {
  state.session = session;
  document.body.dataset.role = session.role;
  $('whoami').textContent = `${session.principal} · ${session.role}`;
  $('signin').hidden = true;
  $('app').hidden = false;
  if (!eventLogMounted) {
    mountEventLog($('eventlog'));
    eventLogMounted = true;
  }
  connect();
  route();
  refresh().catch(e => console.warn(e));
  // node health comes from heartbeats, which the stream leaves out: read the lists again now and then
  clearInterval(poll);
  poll = setInterval(() => refresh().catch(() => {}), 5000);
}

onChange(() => {
  const live = $('live');
  live.textContent = state.live;
  live.className = 'live ' + state.live;
  if (current) current.update(state);
});

whenUnauthorized(() => showSignIn('Your session ended: sign in again.'));
window.addEventListener('hashchange', () => state.session && route());

$('signin-form').addEventListener('submit', async e => {
  e.preventDefault();
  const token = $('signin-token').value.trim();
  const button = $('signin-submit');
  button.disabled = true;
  try {
    const session = (await call('POST', '/session', undefined, {Authorization: 'Bearer ' + token})).body;
    $('signin-token').value = '';
    start(session);
  } catch (err) {
    showSignIn(err.message);
  } finally {
    button.disabled = false;
  }
});

$('signout').addEventListener('click', async () => {
  try {
    await call('DELETE', '/session');
  } finally {
    showSignIn();
  }
});

call('GET', '/session').then(r => start(r.body), () => showSignIn());
