import {h, clear} from '../dom.js';
import {state, onEvent} from '../store.js';
import {render} from '../topology.js';

/** The picture, drawn again on every change; an entity an event just named is highlighted for a moment. */
export function topologyView(main) {
  const holder = h('div', {class: 'topology-holder'});
  const legend = h('div', {class: 'legend'},
    h('span', {class: 'key host'}, 'host'), h('span', {class: 'key bridge'}, 'bridge network'),
    h('span', {class: 'key overlay'}, 'overlay network'), h('span', {class: 'key vxlan'}, 'VXLAN link'),
    h('span', {class: 'key sandbox'}, 'sandbox'), h('span', {class: 'key port'}, 'published port'));
  main.append(h('div', {class: 'toolbar'}, h('h2', {}, 'Topology'), legend), holder);
  const recent = new Map();
  const open = (kind, id) => { location.hash = `#/${kind}/${id}`; };
  const draw = () => {
    const now = Date.now();
    for (const [id, at] of recent) if (now - at > 2000) recent.delete(id);
    render(holder, state, new Set(recent.keys()), open);
  };
  const stop = onEvent(env => {
    if (env.subject) recent.set(env.subject.id, Date.now());
    const d = env.data || {};
    for (const id of [d.networkId, d.sandboxId]) if (id) recent.set(id, Date.now());
  });
  const fade = setInterval(() => recent.size && draw(), 1000);
  return {
    update: draw,
    unmount() {
      stop();
      clearInterval(fade);
      clear(holder);
    },
  };
}
