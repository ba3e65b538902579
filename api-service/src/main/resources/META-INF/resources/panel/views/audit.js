// The audit: GET /api/v1/events with its filters, and an entity's whole history (…/{id}/history), paged by cursor.

import {h, clear, short, dateTime, table} from '../dom.js';
import {get, path} from '../api.js';
import {Feedback} from '../feedback.js';

function subjectLink(subject) {
  if (!subject) return '';
  const route = {network: 'networks', sandbox: 'sandboxes'}[subject.kind];
  const text = `${subject.kind} ${short(subject.id)}`;
  return route ? h('a', {href: `#/history/${route}/${subject.id}`, title: subject.id}, text) : h('span', {title: subject.id}, text);
}

export function eventRow(item) {
  const e = item.event || {};
  const data = e.data || {};
  const what = data.name || data.message || data.error || '';
  return h('tr', {'data-type': e.type},
    h('td', {title: item.logTime}, dateTime(item.logTime || e.time)), h('td', {}, h('span', {class: 'type ' + kindOf(e.type)}, e.type)),
    h('td', {}, subjectLink(e.subject)), h('td', {}, what), h('td', {}, e.actor), h('td', {}, e.node),
    h('td', {title: e.correlationId}, short(e.correlationId)),
    h('td', {}, h('details', {}, h('summary', {}, 'json'), h('pre', {}, JSON.stringify(e, null, 2)))));
}

export function kindOf(type) {
  const t = String(type);
  if (t.endsWith('.failed') || t.endsWith('.rejected')) return 'bad';
  if (t.endsWith('.ready') || t.endsWith('.created') || t.endsWith('.scheduled') || t.endsWith('.allocated')) return 'good';
  if (t.endsWith('.requested')) return 'intent';
  return '';
}

function pagedTable(main, url, title) {
  const feedback = new Feedback();
  const tbody = h('tbody');
  const more = h('button', {class: 'secondary', hidden: true}, 'More…');
  let next = null;
  const load = async () => {
    const separator = url.includes('?') ? '&' : '?';
    await feedback.run(more, async () => {
      const page = (await get(url + separator + 'limit=200' + (next ? '&cursor=' + encodeURIComponent(next) : ''))).body;
      for (const item of page.events) tbody.append(eventRow(item));
      next = page.next;
      more.hidden = !next;
    });
  };
  more.addEventListener('click', load);
  main.append(title, feedback.el, h('table', {id: 'audit-table'},
    h('thead', {}, h('tr', {}, ['time', 'type', 'subject', 'what', 'actor', 'node', 'request', ''].map(x => h('th', {}, x)))),
    tbody), more);
  load();
}

export function history(main, kind, id) {
  pagedTable(main, `/${kind}/${path(id)}/history`, h('div', {class: 'toolbar'},
    h('h2', {}, `History of ${kind === 'networks' ? 'network' : 'sandbox'} `, h('a', {href: `#/${kind}/${id}`}, short(id)))));
  return {update() {}};
}

// without filters: the last hour, heartbeats left out (one a node every 5 s would bury the rest)
const DEFAULT_TYPES = 'network.*,sandbox.*,endpoint.*,node.joined,node.left,node.removed';

export function audit(main, params) {
  const q = new URLSearchParams([...params].filter(([, v]) => v));
  if (![...q.keys()].length) {
    q.set('type', DEFAULT_TYPES);
    q.set('since', new Date(Date.now() - 3600 * 1000).toISOString());
  }
  const form = h('form', {class: 'card filters', id: 'audit-form'},
    ['type', 'subject', 'actor', 'node', 'correlation', 'since', 'until'].map(name =>
      h('label', {}, name, h('input', {name, value: q.get(name) || '',
        placeholder: {type: 'network.*', subject: 'id or kind:id', since: 'RFC 3339', until: 'RFC 3339'}[name] || ''}))),
    h('button', {type: 'submit'}, 'Search'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const el of form.elements) if (el.name && el.value.trim()) next.set(el.name, el.value.trim());
    next.set('run', Date.now()); // a new hash even when the filters did not change: search again
    location.hash = '#/audit?' + next;
  });
  q.delete('run');
  const results = h('div');
  main.append(h('div', {class: 'toolbar'}, h('h2', {}, 'Audit log')), form, results);
  pagedTable(results, '/events?' + q, '');
  return {update() {}};
}
