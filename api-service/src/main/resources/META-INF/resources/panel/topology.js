// The topology picture: hosts side by side, each with the bridges it holds (one row per network, the same row on
// every host, so an overlay's VXLAN links run straight between hosts), the sandboxes below with a line per endpoint
// up to its bridge, their published ports, and the underlay joining the hosts at the bottom.

import {s, short} from './dom.js';

const PAD = 12;
const ROW = 40;
const BOX_W = 170;
const BOX_GAP = 14;
const HOST_GAP = 70;
const HEADER = 50;

function hostsOf(nodes, sandboxes) {
  const names = new Set(nodes.filter(n => n.state !== 'left').map(n => n.name));
  sandboxes.forEach(sb => sb.node && names.add(sb.node));
  return [...names].sort().map(name => nodes.find(n => n.name === name) || {name, state: 'unknown'});
}

/** Where a network is: the nodes that report it (not cleared) or hold a sandbox attached to it. */
function placement(network, sandboxes) {
  const on = new Set(Object.entries(network.nodes || {}).filter(([, st]) => st.state !== 'cleared').map(([n]) => n));
  for (const sb of sandboxes) {
    for (const att of Object.values(sb.networks || {})) if (att.networkId === network.id && sb.node) on.add(sb.node);
  }
  return on;
}

function boxHeight(sb) {
  return 40 + 15 * Object.keys(sb.networks || {}).length + 20 * (sb.ports || []).length + (sb.mode === 'container' ? 15 : 0);
}

// SVG text does not wrap: boxes are sized from their longest line (approximate glyph widths of the fonts used)
const MONO = 6.8;
const SANS = 7.2;

function endpointLabel(name, att) {
  return `${att.ifname || '?'} ${att.ipAddress || ''}${att.prefixLength ? '/' + att.prefixLength : ''} · ${name}`;
}

function portLabel(p) {
  return `published ${p.hostIp && p.hostIp !== '0.0.0.0' ? p.hostIp + ':' : ''}${p.hostPort} → ${p.containerPort}/${p.protocol}`;
}

function bridgeLabel(network, st) {
  const subnet = (network.subnets || []).map(x => x.subnet).filter(Boolean).join(' ');
  return [(st && st.bridge) || network.bridge || '', network.name, subnet].filter(Boolean).join(' · ');
}

function boxWidth(sb) {
  const lines = [sb.name.length * SANS, (sb.mode.length + 15) * SANS * 0.9,
    ...Object.entries(sb.networks || {}).map(([name, att]) => endpointLabel(name, att).length * MONO),
    ...(sb.ports || []).map(p => portLabel(p).length * 6.4 + 12)];
  return Math.max(BOX_W, Math.ceil(Math.max(...lines) + 18));
}

export function render(svgParent, {nodes, networks, sandboxes}, recent = new Set(), open = () => {}) {
  const hosts = hostsOf(nodes, sandboxes);
  const drawn = networks.filter(n => n.driver === 'bridge' || n.driver === 'overlay')
    .map(n => ({network: n, on: placement(n, sandboxes)}))
    .filter(x => x.on.size > 0)
    .sort((a, b) => (b.network.predefined - a.network.predefined) || a.network.name.localeCompare(b.network.name));
  const rowOf = new Map(drawn.map((x, i) => [x.network.id, i]));
  const rowY = i => HEADER + 20 + i * ROW;
  const sandboxTop = rowY(drawn.length) + 36;

  const layout = hosts.map(host => {
    const mine = sandboxes.filter(sb => sb.node === host.name).sort((a, b) => a.name.localeCompare(b.name))
      .map(sb => ({sb, width: boxWidth(sb)}));
    const boxes = mine.reduce((sum, b) => sum + b.width + BOX_GAP, -BOX_GAP);
    const bars = drawn.filter(d => d.on.has(host.name))
      .map(d => bridgeLabel(d.network, (d.network.nodes || {})[host.name]).length * SANS + 24);
    return {host, sandboxes: mine, width: Math.ceil(Math.max(300, PAD * 2 + boxes, PAD * 2 + Math.max(0, ...bars)))};
  });
  let x = 20;
  for (const l of layout) {
    l.x = x;
    x += l.width + HOST_GAP;
  }
  const tallest = Math.max(0, ...sandboxes.map(boxHeight));
  const hostBottom = sandboxTop + tallest + 24;
  const width = Math.max(x - HOST_GAP + 20, 400);
  const height = hostBottom + 70;

  const svg = s('svg', {id: 'topology', class: 'topology', width, height, viewBox: `0 0 ${width} ${height}`,
    role: 'img', 'aria-label': 'topology'});
  svg.append(s('defs', {}, s('marker', {id: 'dot', viewBox: '0 0 6 6', refX: 3, refY: 3, markerWidth: 6, markerHeight: 6},
    s('circle', {cx: 3, cy: 3, r: 3, class: 'port-dot'}))));

  if (!hosts.length) {
    svg.append(s('text', {x: 20, y: 40, class: 'muted'}, 'No node has joined yet.'));
    return svgParent.replaceChildren(svg);
  }

  // the underlay: a bus the hosts hang on, with each host's tunnel endpoint address
  const busY = hostBottom + 40;
  svg.append(s('line', {x1: 20, x2: width - 20, y1: busY, y2: busY, class: 'underlay'}),
    s('text', {x: 24, y: busY + 16, class: 'underlay-label'}, 'underlay'));

  for (const l of layout) {
    const {host} = l;
    const g = s('g', {class: 'host ' + (host.state || 'unknown'), 'data-node': host.name});
    g.append(s('rect', {x: l.x, y: 10, width: l.width, height: hostBottom - 10, rx: 10, class: 'host-box'}),
      s('text', {x: l.x + PAD, y: 32, class: 'host-name'}, host.name),
      s('text', {x: l.x + PAD, y: 48, class: 'host-sub'},
        [host.state, host.underlayAddress && 'underlay ' + host.underlayAddress, host.versions && host.versions.kernel]
          .filter(Boolean).join(' · ')));
    const cx = l.x + l.width / 2;
    g.append(s('line', {x1: cx, x2: cx, y1: hostBottom, y2: busY, class: 'underlay'}));
    if (host.underlayAddress) g.append(s('text', {x: cx + 6, y: busY - 8, class: 'underlay-label'}, host.underlayAddress));

    const bars = []; // drawn over the endpoint lines, which then pass behind the bridges they do not join
    for (const {network, on} of drawn) {
      if (!on.has(host.name)) continue;
      const st = (network.nodes || {})[host.name];
      const y = rowY(rowOf.get(network.id));
      bars.push(s('g', {class: 'bridge ' + network.driver + ' ' + (st ? st.state : 'pending') + (recent.has(network.id) ? ' recent' : ''),
        'data-network': network.name, onclick: () => open('networks', network.id)},
      s('title', {}, `${network.name} (${network.driver}) on ${host.name}: ${st ? st.state : 'not built yet'}` +
        (st && st.error ? ' — ' + st.error : '')),
      s('rect', {x: l.x + PAD, y, width: l.width - 2 * PAD, height: 22, rx: 4}),
      s('text', {x: l.x + PAD + 8, y: y + 15}, bridgeLabel(network, st))));
    }

    let bx = l.x + PAD;
    for (const {sb, width: boxW} of l.sandboxes) {
      const by = sandboxTop;
      const attachments = Object.entries(sb.networks || {});
      const g2 = s('g', {class: 'sandbox mode-' + sb.mode + ' ' + sb.state + (recent.has(sb.id) ? ' recent' : ''),
        'data-name': sb.name, 'data-id': sb.id, onclick: () => open('sandboxes', sb.id)});
      g2.append(s('title', {}, `${sb.name} (${sb.mode}) ${sb.state}${sb.error ? ' — ' + sb.error : ''}`),
        s('rect', {x: bx, y: by, width: boxW, height: boxHeight(sb), rx: 6, class: 'sandbox-box'}),
        s('text', {x: bx + 8, y: by + 16, class: 'sandbox-name'}, sb.name),
        s('text', {x: bx + 8, y: by + 31, class: 'sandbox-sub'}, `mode ${sb.mode} · ${short(sb.id)}`));
      attachments.forEach(([name, att], k) => {
        const row = rowOf.get(att.networkId);
        const ex = bx + 14 + k * 18;
        if (row !== undefined) {
          g2.append(s('line', {x1: ex, x2: ex, y1: by, y2: rowY(row) + 22, class: 'endpoint ' + att.state,
            'marker-end': 'url(#dot)', 'data-network': name}));
        }
        g2.append(s('text', {x: bx + 8, y: by + 46 + k * 15, class: 'endpoint-label', 'data-network': name}, endpointLabel(name, att)));
      });
      let py = by + 40 + attachments.length * 15;
      if (sb.mode === 'container') {
        const owner = sandboxes.find(o => o.id === sb.containerOf);
        g2.append(s('text', {x: bx + 8, y: py + 10, class: 'sandbox-sub'}, 'shares ' + (owner ? owner.name : short(sb.containerOf))));
        py += 15;
      }
      for (const p of sb.ports || []) {
        g2.append(s('g', {class: 'port', 'data-port': `${p.hostPort}:${p.containerPort}/${p.protocol}`},
          s('rect', {x: bx + 6, y: py, width: boxW - 12, height: 16, rx: 8}),
          s('text', {x: bx + 14, y: py + 12}, portLabel(p))));
        py += 20;
      }
      g.append(g2);
      bx += boxW + BOX_GAP;
    }
    g.append(...bars);
    svg.append(g);
  }

  // VXLAN: each overlay joins its bridges on consecutive hosts holding it (the tunnels form a full mesh)
  for (const {network, on} of drawn) {
    if (network.driver !== 'overlay') continue;
    const holders = layout.filter(l => on.has(l.host.name));
    const y = rowY(rowOf.get(network.id)) + 11;
    for (let i = 1; i < holders.length; i++) {
      const a = holders[i - 1];
      const b = holders[i];
      const x1 = a.x + a.width - PAD;
      const x2 = b.x + PAD;
      svg.append(s('g', {class: 'vxlan', 'data-network': network.name},
        s('line', {x1, x2, y1: y, y2: y}),
        s('text', {x: (x1 + x2) / 2, y: y - 6, 'text-anchor': 'middle'}, 'VXLAN')));
    }
  }
  svgParent.replaceChildren(svg);
}
