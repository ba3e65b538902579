import {h, clear, short, dateTime, badge, facts, table} from '../dom.js';
import {operate, path} from '../api.js';
import {state, can, refresh} from '../store.js';
import {Feedback} from '../feedback.js';

/**
 * "8080:80", "80", "127.0.0.1:8443:443/tcp", "5353:53/udp" → the API's port objects. What does not parse is sent
 * as typed, so the API's message names it.
 */
export function parsePorts(text) {
  return text.split(',').map(x => x.trim()).filter(Boolean).map(spec => {
    const [addr, protocol] = spec.split('/');
    const parts = addr.split(':');
    const num = x => (/^\d+$/.test(x) ? Number(x) : x);
    const port = {containerPort: num(parts[parts.length - 1])};
    if (parts.length >= 2) port.hostPort = num(parts[parts.length - 2]);
    if (parts.length >= 3) port.hostIp = parts.slice(0, parts.length - 2).join(':');
    if (protocol) port.protocol = protocol;
    return port;
  });
}

function createForm() {
  const feedback = new Feedback();
  const submit = h('button', {type: 'submit', id: 'sandbox-create-submit'}, 'Create');
  const network = h('select', {name: 'network'});
  const node = h('select', {name: 'node'});
  const form = h('form', {id: 'sandbox-form', class: 'card form-grid', hidden: true},
    h('h3', {}, 'New sandbox'),
    h('label', {}, 'Name', h('input', {name: 'name', required: true, placeholder: 'web1'})),
    h('label', {}, 'Network (mode)', network),
    h('label', {}, 'Node', node),
    h('label', {}, 'IPv4 address', h('input', {name: 'ipv4Address', placeholder: 'next free'})),
    h('label', {}, 'Published ports', h('input', {name: 'ports', placeholder: '8080:80, 53/udp'})),
    h('label', {}, 'Aliases', h('input', {name: 'aliases', placeholder: 'api, www'})),
    h('label', {}, 'Hostname', h('input', {name: 'hostname', placeholder: '12 hex of the id'})),
    h('div', {class: 'actions wide'}, submit, h('button', {type: 'button', class: 'link', onclick: () => { form.hidden = true; }}, 'Cancel')),
    h('div', {class: 'wide'}, feedback.el));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const v = name => form.elements[name].value.trim();
    const body = {name: v('name'), network: network.value};
    if (node.value) body.node = node.value;
    if (v('ipv4Address')) body.ipv4Address = v('ipv4Address');
    if (v('hostname')) body.hostname = v('hostname');
    const ports = parsePorts(v('ports'));
    if (ports.length) body.ports = ports;
    const aliases = v('aliases').split(',').map(x => x.trim()).filter(Boolean);
    if (aliases.length) body.aliases = aliases;
    if (await feedback.run(submit, p => operate('POST', '/sandboxes', body, p))) {
      form.reset();
      form.hidden = true;
      await refresh();
    }
  });
  form.fill = () => {
    const keep = (select, options) => {
      const current = select.value;
      clear(select).append(...options.map(([value, text]) => h('option', {value}, text)));
      if (options.some(([value]) => value === current)) select.value = current;
    };
    keep(network, [
      ...state.networks.filter(n => n.driver === 'bridge' || n.driver === 'overlay').map(n => [n.name, `${n.name} (${n.driver})`]),
      ['host', 'host (the node\'s own stack)'], ['none', 'none (loopback only)'],
      ...state.sandboxes.filter(sb => sb.mode !== 'container').map(sb => ['container:' + sb.name, 'container:' + sb.name])]);
    keep(node, [['', 'any ready node'], ...state.nodes.filter(n => n.state === 'ready').map(n => [n.name, n.name])]);
  };
  return form;
}

function portText(p) {
  return `${p.hostIp && p.hostIp !== '0.0.0.0' ? p.hostIp + ':' : ''}${p.hostPort}→${p.containerPort}/${p.protocol}`;
}

export function sandboxList(main) {
  const rows = h('div');
  const form = can('operator') ? createForm() : null;
  main.append(h('div', {class: 'toolbar'}, h('h2', {}, 'Sandboxes'),
    form ? h('button', {id: 'sandbox-new', onclick: () => { form.fill(); form.hidden = false; form.elements.name.focus(); }}, 'New sandbox') : ''),
  form || '', rows);
  return {
    update() {
      if (form) form.fill();
      clear(rows).append(table(['name', 'mode', 'node', 'networks', 'published ports', 'state', 'created'],
        state.sandboxes.map(sb => h('tr', {'data-sandbox': sb.name},
          h('td', {}, h('a', {href: '#/sandboxes/' + sb.id}, sb.name)), h('td', {}, sb.mode), h('td', {}, sb.node),
          h('td', {}, Object.entries(sb.networks || {}).map(([name, a]) => h('div', {}, `${name} ${a.ipAddress || ''}`))),
          h('td', {}, (sb.ports || []).map(p => h('span', {class: 'tag'}, portText(p)))),
          h('td', {}, badge(sb.state)), h('td', {}, dateTime(sb.created)))), {id: 'sandbox-table'}));
    },
  };
}

export function sandboxDetails(main, id) {
  const body = h('div');
  const actions = new Feedback();
  main.append(body, actions.el);
  let sandbox = null;
  const remove = async button => {
    if (await actions.run(button, p => operate('DELETE', '/sandboxes/' + path(sandbox.id), undefined, p))) {
      await refresh();
      location.hash = '#/sandboxes';
    }
  };
  return {
    update() {
      sandbox = state.sandboxes.find(x => x.id === id || x.name === id);
      if (!sandbox) {
        clear(body).append(h('div', {class: 'toolbar'}, h('h2', {}, 'Sandbox ' + short(id))),
          h('p', {class: 'muted'}, state.loaded ? 'Not a live sandbox (removed?). ' : 'Loading… ',
            h('a', {href: '#/history/sandboxes/' + id}, 'Its history')));
        return;
      }
      const sb = sandbox;
      const owner = sb.containerOf && state.sandboxes.find(x => x.id === sb.containerOf);
      const attachments = Object.entries(sb.networks || {});
      // Docker's embedded DNS answers a container's name and its aliases on each user network it joins
      const dnsNames = attachments.map(([name, a]) => `${name}: ${[sb.name, ...(a.aliases || [])].join(', ')}`).join('; ');
      clear(body).append(
        h('div', {class: 'toolbar'}, h('h2', {}, 'Sandbox ', h('span', {id: 'detail-name'}, sb.name)), badge(sb.state),
          h('a', {href: '#/history/sandboxes/' + sb.id, class: 'button secondary'}, 'History'),
          can('operator') ? h('button', {class: 'danger', id: 'sandbox-remove', onclick: e => remove(e.target)}, 'Remove') : ''),
        sb.error ? h('div', {class: 'error'}, sb.error) : '',
        facts([['id', sb.id], ['mode', sb.mode], ['node', h('a', {href: '#/nodes'}, sb.node)], ['namespace', sb.netns],
          ['hostname', sb.hostname], ['shares', owner ? h('a', {href: '#/sandboxes/' + owner.id}, owner.name) : sb.containerOf],
          ['DNS names', dnsNames], ['created', dateTime(sb.created)]]),
        h('h3', {}, 'Endpoints'),
        table(['network', 'interface', 'address', 'gateway', 'MAC', 'aliases', 'state'], attachments.map(([name, a]) =>
          h('tr', {}, h('td', {}, h('a', {href: '#/networks/' + a.networkId}, name)), h('td', {}, a.ifname),
            h('td', {}, a.ipAddress ? a.ipAddress + '/' + a.prefixLength : ''), h('td', {}, a.gateway), h('td', {}, a.macAddress),
            h('td', {}, (a.aliases || []).join(', ')), h('td', {}, badge(a.state), a.error ? ' ' + a.error : '')))),
        h('h3', {}, 'Published ports'),
        table(['host address', 'host port', 'container port', 'protocol'], (sb.ports || []).map(p =>
          h('tr', {}, h('td', {}, p.hostIp), h('td', {}, p.hostPort), h('td', {}, p.containerPort), h('td', {}, p.protocol)))));
    },
  };
}
