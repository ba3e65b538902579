import {h, clear, ago, badge, table} from '../dom.js';
import {operate, path} from '../api.js';
import {state, can, refresh} from '../store.js';
import {Feedback} from '../feedback.js';

export function nodeList(main) {
  const rows = h('div');
  const feedback = new Feedback();
  // admins may remove a node that is gone (unreachable or left): ipam releases what it held
  const remove = async (button, name) => {
    if (!confirm(`Remove node ${name}? Its sandboxes, addresses and host ports are released.`)) return;
    if (await feedback.run(button, p => operate('DELETE', '/nodes/' + path(name), undefined, p))) await refresh();
  };
  main.append(h('div', {class: 'toolbar'}, h('h2', {}, 'Nodes')), feedback.el, rows);
  return {
    update() {
      clear(rows).append(table(['node', 'health', 'last seen', 'underlay', 'kernel', 'agent', 'can build', 'sandboxes', ''],
        state.nodes.map(n => {
          const sandboxes = state.sandboxes.filter(sb => sb.node === n.name);
          return h('tr', {'data-node': n.name},
            h('td', {}, h('strong', {}, n.name), n.hostname && n.hostname !== n.name ? h('div', {class: 'muted'}, n.hostname) : ''),
            h('td', {}, badge(n.state)), h('td', {title: n.lastSeen || ''}, ago(n.lastSeen)),
            h('td', {}, n.underlayAddress || '—', (n.routedSubnets || []).length ? h('div', {class: 'muted'}, n.routedSubnets.join(', ')) : ''),
            h('td', {}, (n.versions || {}).kernel), h('td', {}, (n.versions || {}).netplane),
            h('td', {}, (n.capabilities || []).map(c => h('span', {class: 'tag'}, c))),
            h('td', {class: 'node-sandboxes'}, sandboxes.length
              ? sandboxes.map(sb => h('div', {}, h('a', {href: '#/sandboxes/' + sb.id}, sb.name), ' ', badge(sb.state)))
              : h('span', {class: 'muted'}, 'none')),
            h('td', {}, can('admin') && n.state !== 'ready'
              ? h('button', {class: 'danger small', onclick: e => remove(e.target, n.name)}, 'Remove') : ''));
        }), {id: 'node-table'}));
    },
  };
}
