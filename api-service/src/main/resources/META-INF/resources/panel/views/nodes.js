import {h, clear, ago, badge, table} from '../dom.js';
import {state} from '../store.js';

export function nodeList(main) {
  const rows = h('div');
  main.append(h('div', {class: 'toolbar'}, h('h2', {}, 'Nodes')), rows);
  return {
    update() {
      clear(rows).append(table(['node', 'health', 'last seen', 'underlay', 'kernel', 'agent', 'can build', 'sandboxes'],
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
              : h('span', {class: 'muted'}, 'none')));
        }), {id: 'node-table'}));
    },
  };
}
