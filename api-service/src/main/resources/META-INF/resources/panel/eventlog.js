// The live event log: every change and status event of the stream as it comes, newest first, filterable
// (node heartbeats are not on the stream: the node list shows their effect).

import {h, clear, short, time} from './dom.js';
import {onChange, onEvent, state} from './store.js';
import {get} from './api.js';
import {kindOf} from './views/audit.js';

const KEEP = 500;

export function mountEventLog(pane) {
  const events = [];
  const list = h('ol', {class: 'events', id: 'event-list'});
  const filter = h('input', {type: 'search', id: 'event-filter', placeholder: 'filter: type, name, id, actor, node'});
  const kind = h('select', {id: 'event-kind'}, ['all', 'network', 'sandbox', 'endpoint', 'node'].map(k => h('option', {value: k}, k)));
  const count = h('span', {class: 'muted'});
  let paused = false;
  const pause = h('button', {class: 'secondary small', type: 'button', onclick: () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) draw();
  }}, 'Pause');
  const collapse = h('button', {class: 'link small', type: 'button', title: 'fold', onclick: () => {
    collapse.textContent = pane.classList.toggle('collapsed') ? '▴' : '▾';
  }}, '▾');

  pane.append(h('div', {class: 'eventlog-bar'}, h('strong', {}, 'Live events'), filter, kind,
    pause, count, h('span', {class: 'spacer'}), collapse), list);

  const name = env => {
    const d = env.data || {};
    if (d.name) return d.name;
    const id = env.subject && env.subject.id;
    const known = state.networks.find(n => n.id === id) || state.sandboxes.find(sb => sb.id === id);
    return known ? known.name : '';
  };
  const text = env => [env.type, env.actor, env.node, env.subject && env.subject.id, name(env)].join(' ').toLowerCase();
  const keeps = env => {
    if (kind.value !== 'all' && !(env.subject && env.subject.kind === kind.value)) return false;
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    const haystack = text(env);
    return words.every(w => haystack.includes(w));
  };
  const line = env => h('li', {class: 'event ' + kindOf(env.type), 'data-type': env.type},
    h('span', {class: 'time'}, time(env.time)), h('span', {class: 'type'}, env.type),
    h('span', {class: 'subject', title: env.subject ? env.subject.id : ''}, env.subject ? `${env.subject.kind} ${short(env.subject.id)}` : ''),
    h('span', {class: 'name'}, name(env)),
    h('span', {class: 'who'}, [env.actor && 'by ' + env.actor, env.node && '@' + env.node].filter(Boolean).join(' ')),
    (env.data && (env.data.error || env.data.message)) ? h('span', {class: 'why'}, env.data.error || env.data.message) : '');

  function draw() {
    const shown = events.filter(keeps);
    clear(list).append(...shown.slice(0, 200).map(line));
    count.textContent = `${shown.length} of ${events.length}`;
  }
  [filter, kind].forEach(el => el.addEventListener('input', draw));
  const add = env => {
    events.unshift(env);
    if (events.length > KEEP) events.length = KEEP;
    if (paused) return;
    if (keeps(env)) list.prepend(line(env));
    while (list.children.length > 200) list.lastChild.remove();
    count.textContent = `${events.filter(keeps).length} of ${events.length}`;
  };
  onEvent(add);
  // names of entities the lists learnt after their events arrived (a status event carries only the id)
  onChange(() => paused || draw());
  // what happened in the last 10 minutes, from the audit index, so the pane is not empty when the page opens
  const since = new Date(Date.now() - 600000).toISOString();
  get('/events?type=network.*,sandbox.*,endpoint.*&limit=500&since=' + encodeURIComponent(since)).then(page => {
    const seen = new Set(events.map(e => e.id));
    const earlier = page.body.events.map(item => item.event).filter(e => !seen.has(e.id) && !String(e.type).endsWith('.requested'));
    events.push(...earlier.reverse());
    events.sort((a, b) => new Date(b.time) - new Date(a.time));
    if (events.length > KEEP) events.length = KEEP;
    draw();
  }).catch(e => console.warn('no earlier events', e));
  draw();
}
