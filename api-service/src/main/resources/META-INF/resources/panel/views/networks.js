import {h, clear, short, dateTime, badge, facts, table} from '../dom.js';
import {call, operate, path} from '../api.js';
import {state, can, refresh} from '../store.js';
import {Feedback} from '../feedback.js';

function subnetText(n, key) {
  return (n.subnets || []).map(x => x[key]).filter(Boolean).join(', ');
}

function labelsOf(text) {
  const labels = {};
  for (const line of text.split(/[\n,]/).map(x => x.trim()).filter(Boolean)) {
    const eq = line.indexOf('=');
    labels[eq < 0 ? line : line.slice(0, eq).trim()] = eq < 0 ? '' : line.slice(eq + 1).trim();
  }
  return labels;
}

/** What the form says, as the API's create body; a non-numeric MTU goes as typed so the API words the error. */
export function createBody(form) {
  const v = name => form.elements[name].value.trim();
  const body = {name: v('name'), driver: v('driver')};
  const config = {subnet: v('subnet'), gateway: v('gateway'), ipRange: v('ipRange')};
  Object.keys(config).forEach(k => config[k] || delete config[k]);
  if (Object.keys(config).length) body.ipam = {config: [config]};
  if (form.elements.internal.checked) body.internal = true;
  if (form.elements.attachable.checked) body.attachable = true;
  const labels = labelsOf(form.elements.labels.value);
  if (Object.keys(labels).length) body.labels = labels;
  if (v('mtu')) body.mtu = /^\d+$/.test(v('mtu')) ? Number(v('mtu')) : v('mtu');
  return body;
}

function createForm(onDone) {
  const feedback = new Feedback();
  const submit = h('button', {type: 'submit', id: 'network-create-submit'}, 'Create');
  const form = h('form', {id: 'network-form', class: 'card form-grid', hidden: true},
    h('h3', {}, 'New network'),
    h('label', {}, 'Name', h('input', {name: 'name', required: true, placeholder: 'web'})),
    h('label', {}, 'Driver', h('select', {name: 'driver'}, h('option', {value: 'bridge'}, 'bridge (one host)'),
      h('option', {value: 'overlay'}, 'overlay (VXLAN, every host)'))),
    h('label', {}, 'Subnet', h('input', {name: 'subnet', placeholder: 'auto, e.g. 10.20.0.0/24'})),
    h('label', {}, 'Gateway', h('input', {name: 'gateway', placeholder: 'first address'})),
    h('label', {}, 'IP range', h('input', {name: 'ipRange', placeholder: 'whole subnet'})),
    h('label', {}, 'MTU', h('input', {name: 'mtu', placeholder: '1500', inputmode: 'numeric'})),
    h('label', {class: 'wide'}, 'Labels (k=v, one a line)', h('textarea', {name: 'labels', rows: 2})),
    h('label', {class: 'check'}, h('input', {type: 'checkbox', name: 'internal'}), 'internal (no outside access)'),
    h('label', {class: 'check'}, h('input', {type: 'checkbox', name: 'attachable'}), 'attachable'),
    h('div', {class: 'actions wide'}, submit, h('button', {type: 'button', class: 'link', onclick: () => { form.hidden = true; }}, 'Cancel')),
    h('div', {class: 'wide'}, feedback.el));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const ok = await feedback.run(submit, progress => operate('POST', '/networks', createBody(form), progress));
    if (ok) {
      form.reset();
      form.hidden = true;
      await refresh();
      onDone();
    }
  });
  return form;
}

export function networkList(main) {
  const rows = h('div');
  const form = createForm(() => {});
  const prune = new Feedback();
  const pruned = h('div', {class: 'notice', hidden: true});
  const pruneButton = h('button', {class: 'secondary', id: 'network-prune', onclick: async () => {
    if (!confirm('Remove every custom network without endpoints?')) return;
    pruned.hidden = true;
    await prune.run(pruneButton, async () => {
      const names = (await call('POST', '/networks/prune')).body.networksDeleted || [];
      pruned.textContent = names.length ? 'Removed ' + names.join(', ') : 'No unused network to remove';
      pruned.hidden = false;
    });
    await refresh();
  }}, 'Prune unused');
  main.append(h('div', {class: 'toolbar'}, h('h2', {}, 'Networks'),
    can('operator') ? h('button', {id: 'network-new', onclick: () => { form.hidden = false; form.elements.name.focus(); }}, 'New network') : '',
    can('admin') ? pruneButton : ''), can('admin') ? h('div', {}, prune.el, pruned) : '', can('operator') ? form : '', rows);
  return {
    update() {
      clear(rows).append(table(['name', 'driver', 'scope', 'subnet', 'gateway', 'sandboxes', 'nodes', 'created'],
        state.networks.map(n => h('tr', {'data-network': n.name},
          h('td', {}, h('a', {href: '#/networks/' + n.id}, n.name), n.internal ? h('span', {class: 'tag'}, 'internal') : ''),
          h('td', {}, n.driver), h('td', {}, n.scope), h('td', {}, subnetText(n, 'subnet')), h('td', {}, subnetText(n, 'gateway')),
          h('td', {}, Object.keys(n.containers || {}).length),
          h('td', {}, Object.entries(n.nodes || {}).map(([node, st]) => h('span', {class: 'badge ' + st.state, title: st.error || st.bridge || ''}, node))),
          h('td', {}, dateTime(n.created)))), {id: 'network-table'}));
    },
  };
}

function connectForm(network) {
  const feedback = new Feedback();
  const submit = h('button', {type: 'submit', id: 'connect-submit'}, 'Connect');
  const select = h('select', {name: 'sandbox', required: true});
  const form = h('form', {id: 'connect-form', class: 'card form-grid'}, h('h3', {}, 'Connect a sandbox'),
    h('label', {}, 'Sandbox', select),
    h('label', {}, 'IPv4 address', h('input', {name: 'ipv4Address', placeholder: 'next free'})),
    h('label', {class: 'wide'}, 'Aliases (DNS names on this network, comma separated)', h('input', {name: 'aliases'})),
    h('div', {class: 'actions wide'}, submit), h('div', {class: 'wide'}, feedback.el));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const body = {sandbox: select.value};
    if (form.elements.ipv4Address.value.trim()) body.ipv4Address = form.elements.ipv4Address.value.trim();
    const aliases = form.elements.aliases.value.split(',').map(x => x.trim()).filter(Boolean);
    if (aliases.length) body.aliases = aliases;
    if (await feedback.run(submit, p => operate('POST', '/networks/' + path(network().id) + '/connect', body, p))) {
      form.reset();
      await refresh();
    }
  });
  form.fill = n => {
    const attached = new Set(Object.keys(n.containers || {}));
    const choices = state.sandboxes.filter(sb => !attached.has(sb.id) && (sb.mode === 'bridge' || sb.mode === 'none'));
    const current = select.value;
    clear(select).append(...choices.map(sb => h('option', {value: sb.id}, `${sb.name} (${sb.node})`)));
    if (!choices.length) select.append(h('option', {value: '', disabled: true}, 'no sandbox left to connect'));
    if (choices.some(sb => sb.id === current)) select.value = current;
    if (!feedback.op) submit.disabled = !choices.length;
  };
  return form;
}

export function networkDetails(main, id) {
  const body = h('div');
  const actions = new Feedback();
  let network = null;
  const connect = can('operator') ? connectForm(() => network) : null;
  main.append(body, actions.el, connect || '');
  const remove = async button => {
    if (await actions.run(button, p => operate('DELETE', '/networks/' + path(network.id), undefined, p))) {
      await refresh();
      location.hash = '#/networks';
    }
  };
  const disconnect = async (button, sandboxId) => {
    if (await actions.run(button, p => operate('POST', '/networks/' + path(network.id) + '/disconnect', {sandbox: sandboxId}, p))) {
      await refresh();
    }
  };
  return {
    update() {
      network = state.networks.find(n => n.id === id || n.name === id);
      if (!network) {
        if (connect) connect.hidden = true;
        clear(body).append(h('div', {class: 'toolbar'}, h('h2', {}, 'Network ' + short(id))),
          h('p', {class: 'muted'}, state.loaded ? 'Not a live network (removed?). ' : 'Loading… ',
            h('a', {href: '#/history/networks/' + id}, 'Its history')));
        return;
      }
      const n = network;
      if (connect) {
        connect.hidden = n.predefined && n.driver !== 'bridge';
        connect.fill(n);
      }
      const sandboxes = Object.entries(n.containers || {}).map(([sid, c]) => {
        const sb = state.sandboxes.find(x => x.id === sid);
        const att = sb && Object.values(sb.networks || {}).find(a => a.networkId === n.id);
        return h('tr', {'data-sandbox': c.name},
          h('td', {}, h('a', {href: '#/sandboxes/' + sid}, c.name)), h('td', {}, c.ipv4Address), h('td', {}, c.macAddress),
          h('td', {}, att ? att.ifname : ''), h('td', {}, sb ? sb.node : ''), h('td', {}, att ? badge(att.state) : ''),
          h('td', {}, att && att.aliases && att.aliases.length ? att.aliases.join(', ') : ''),
          h('td', {}, can('operator') ? h('button', {class: 'secondary small', onclick: e => disconnect(e.target, sid)}, 'Disconnect') : ''));
      });
      clear(body).append(
        h('div', {class: 'toolbar'}, h('h2', {}, 'Network ', h('span', {id: 'detail-name'}, n.name)),
          badge(n.ready ? 'ready' : 'pending'),
          h('a', {href: '#/history/networks/' + n.id, class: 'button secondary'}, 'History'),
          can('operator') && !n.predefined ? h('button', {class: 'danger', id: 'network-remove', onclick: e => remove(e.target)}, 'Remove') : ''),
        facts([['id', n.id], ['driver', n.driver], ['scope', n.scope], ['subnet', subnetText(n, 'subnet')],
          ['gateway', subnetText(n, 'gateway')], ['ip range', subnetText(n, 'ipRange')], ['bridge', n.bridge],
          ['internal', String(n.internal)], ['attachable', String(n.attachable)],
          ['options', Object.entries(n.options || {}).map(([k, v]) => k + '=' + v).join(', ')],
          ['labels', Object.entries(n.labels || {}).map(([k, v]) => k + '=' + v).join(', ')],
          ['created', dateTime(n.created)]]),
        h('h3', {}, 'Per node'),
        table(['node', 'state', 'bridge', 'ifindex', 'error'], Object.entries(n.nodes || {}).map(([node, st]) =>
          h('tr', {}, h('td', {}, node), h('td', {}, badge(st.state)), h('td', {}, st.bridge), h('td', {}, st.ifindex), h('td', {}, st.error)))),
        h('h3', {}, 'Endpoints'),
        table(['sandbox', 'address', 'MAC', 'interface', 'node', 'state', 'aliases', ''], sandboxes, {id: 'endpoint-table'}));
    },
  };
}
