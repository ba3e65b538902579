#!/usr/bin/env python3
"""Overlay convergence workload for deploy/bench/overlay.

On a stack started with `deploy/netplane up --hosts N`: one overlay network, on every simulated host an
"anchor" sandbox on it (so every host has the network's bridge + VXLAN device and a place to probe from) and a
"mover" sandbox on the host's local `bridge` network. One sample: the mover of host A is connected to the overlay
network with a fresh address, and the anchor of another host B probes that address from inside its own network
namespace, starting when the connect call is sent:

  * ARP requests (raw frames, every --interval-ms) until B's VXLAN device answers them (its ARP proxy answers
    only once B's agent programmed the neighbour entry of the new endpoint),
  * then ICMP echo requests to the MAC it answered until an echo reply comes back: B's FDB entry sends the
    frame through VXLAN to A's underlay address, A's bridge hands it to the new veth and A's sandbox answers.

The probe is a small program (this file, `probe-server`) run with `ip netns exec <anchor netns>`, one per host,
started before the samples and told each target on its stdin; its packets stay between the bench's sandboxes.
Times are CLOCK_MONOTONIC (system-wide, shared by the processes). Then the mover is disconnected again.

  driver.py setup   --url U --tag T --hosts N --subnet 10.231.0.0/16 --state F.json
  driver.py run     --url U --state F.json --samples S --warmup W --out R.json [--pids P]
  driver.py cleanup --url U --tag T
  driver.py probe-server --ifname IF --ip A --mac M      (inside a sandbox namespace; reads "go IP TIMEOUT")
  driver.py hops    --run R.json --dump topics.jsonl     (desired/status record times per sample)
"""
import argparse
import http.client
import ipaddress
import json
import os
import random
import select
import socket
import statistics
import struct
import subprocess
import sys
import time

TOKEN_FILE = os.environ.get("NETPLANE_TOKEN_FILE", "/var/lib/netplane/admin.token")
ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
PACKET_OUTGOING = 4


# ---------------------------------------------------------------- REST

class Client:
    """One keep-alive connection to api-service's native API."""

    def __init__(self, url):
        hostport = url.split("://", 1)[1].rstrip("/")
        self.host, port = hostport.rsplit(":", 1)
        self.port = int(port)
        self.headers = {"Content-Type": "application/json"}
        if os.path.exists(TOKEN_FILE):
            with open(TOKEN_FILE) as f:
                self.headers["Authorization"] = "Bearer " + f.read().strip()
        self.conn = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                self.conn.connect()
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self.conn.request(method, path, body=data, headers=self.headers)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (ConnectionError, http.client.RemoteDisconnected, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def ok(self, method, path, body=None, accept=(200, 201, 204)):
        status, payload = self.call(method, path, body)
        if status not in accept:
            raise RuntimeError(f"{method} {path} -> {status} {payload[:300]!r}")
        return json.loads(payload) if payload and payload[:1] in (b"{", b"[") else None


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


# ---------------------------------------------------------------- setup / cleanup

def names(tag):
    return f"npbo-{tag}-ov", (lambda i: f"npbo-{tag}-a{i}"), (lambda i: f"npbo-{tag}-m{i}")


def setup(args):
    c = Client(args.url)
    ov, anchor, mover = names(args.tag)
    net = c.ok("POST", "/api/v1/networks", {"name": ov, "driver": "overlay",
                                             "ipam": {"config": [{"subnet": args.subnet}]},
                                             "labels": {"netplane.bench": args.tag}})
    hosts = []
    for i in range(1, args.hosts + 1):
        a = c.ok("POST", "/api/v1/sandboxes", {"name": anchor(i), "network": ov, "node": f"host{i}"})
        m = c.ok("POST", "/api/v1/sandboxes", {"name": mover(i), "network": "bridge", "node": f"host{i}"})
        ep = a["networks"][ov]
        hosts.append({"node": f"host{i}", "anchor": a["id"], "netns": a["netns"], "ifname": ep["ifname"],
                      "ip": ep["ipAddress"].split("/")[0], "mac": ep["macAddress"], "mover": m["id"]})
    state = {"tag": args.tag, "network": net["id"], "networkName": ov, "subnet": args.subnet, "hosts": hosts}
    with open(args.state, "w") as f:
        json.dump(state, f)
    print(f"setup: overlay network {ov} ({args.subnet}, vni {net.get('vni', '?')}), an anchor sandbox on it and a "
          f"mover sandbox on 'bridge' on each of {args.hosts} hosts")


def cleanup(args):
    c = Client(args.url)
    ov, _, _ = names(args.tag)
    prefix = f"npbo-{args.tag}-"
    errors = 0
    st, payload = c.call("GET", "/api/v1/sandboxes")
    for s in (json.loads(payload) if st == 200 else []):
        if s["name"].startswith(prefix):
            st, p = c.call("DELETE", f"/api/v1/sandboxes/{s['id']}?force=true")
            if st not in (204, 404):
                print(f"cleanup: sandbox {s['name']}: {st} {p[:200]!r}")
                errors += 1
    st, p = c.call("DELETE", f"/api/v1/networks/{ov}")
    if st not in (204, 404):
        print(f"cleanup: network {ov}: {st} {p[:200]!r}")
        errors += 1
    print("cleanup: sandboxes and network removed" + ("" if not errors else f", {errors} errors"))
    return 1 if errors else 0


# ---------------------------------------------------------------- the probe (inside a sandbox namespace)

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def arp_request(src_mac, src_ip, target_ip):
    eth = b"\xff" * 6 + src_mac + struct.pack("!H", ETH_P_ARP)
    arp = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, 1, src_mac, src_ip, b"\0" * 6, target_ip)
    return eth + arp


def echo_request(src_mac, dst_mac, src_ip, dst_ip, ident, seq):
    payload = b"netplane-overlay-bench"
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq & 0xffff, 0x4000, 64, 1, 0, src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return dst_mac + src_mac + struct.pack("!H", ETH_P_IP) + ip + icmp


def open_socket(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    s.setblocking(False)
    return s


def probe_once(s, src_mac, src_ip, target_ip, timeout, interval):
    """ARP until answered, then ICMP echo until answered. Returns (t_start, t_arp, t_echo, arps, echoes)."""
    while True:  # what queued up since the last probe (the socket is opened ahead, so a go starts at once)
        try:
            s.recv(2048)
        except BlockingIOError:
            break
    ident = random.randrange(1, 0xffff)
    t_start = time.monotonic()
    deadline = t_start + timeout
    t_arp = t_echo = None
    peer_mac = None
    arps = echoes = 0
    next_send = t_start
    while True:
        now = time.monotonic()
        if now >= deadline:
            return t_start, t_arp, None, arps, echoes
        if now >= next_send:
            if peer_mac is None:
                s.send(arp_request(src_mac, src_ip, target_ip))
                arps += 1
            else:
                echoes += 1
                s.send(echo_request(src_mac, peer_mac, src_ip, target_ip, ident, echoes))
            next_send = now + interval
        r, _, _ = select.select([s], [], [], max(0.0, min(next_send, deadline) - now))
        if not r:
            continue
        while True:
            try:
                pkt, addr = s.recvfrom(2048)
            except BlockingIOError:
                break
            if addr[2] == PACKET_OUTGOING or len(pkt) < 42:
                continue
            etype = struct.unpack("!H", pkt[12:14])[0]
            if etype == ETH_P_ARP and peer_mac is None:
                op = struct.unpack("!H", pkt[20:22])[0]
                if op == 2 and pkt[28:32] == target_ip:
                    peer_mac = pkt[22:28]
                    t_arp = time.monotonic()
                    next_send = t_arp  # the first echo right away
            elif etype == ETH_P_IP and peer_mac is not None:
                ihl = (pkt[14] & 0x0f) * 4
                if pkt[23] == 1 and pkt[26:30] == target_ip and len(pkt) >= 14 + ihl + 8:
                    icmp = pkt[14 + ihl:]
                    if icmp[0] == 0 and struct.unpack("!H", icmp[4:6])[0] == ident:
                        t_echo = time.monotonic()
                        return t_start, t_arp, t_echo, arps, echoes


def probe_server(args):
    src_mac = mac_bytes(args.mac)
    src_ip = socket.inet_aton(args.ip)
    interval = args.interval_ms / 1000.0
    s = open_socket(args.ifname)
    print("ready", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] != "go":
            print("error unknown command", flush=True)
            continue
        target = socket.inet_aton(parts[1])
        t_start, t_arp, t_echo, arps, echoes = probe_once(s, src_mac, src_ip, target, float(parts[2]), interval)
        print(json.dumps({"start": t_start, "arp": t_arp, "echo": t_echo, "arps": arps, "echoes": echoes}), flush=True)


# ---------------------------------------------------------------- run

def start_probes(state, interval_ms, pids_file):
    probes = []
    me = os.path.abspath(__file__)
    for h in state["hosts"]:
        p = subprocess.Popen(["ip", "netns", "exec", h["netns"], sys.executable, me, "probe-server",
                              "--ifname", h["ifname"], "--ip", h["ip"], "--mac", h["mac"],
                              "--interval-ms", str(interval_ms)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        probes.append(p)
        if pids_file:
            with open(pids_file, "a") as f:
                f.write(f"{p.pid}\n")
    for p, h in zip(probes, state["hosts"]):
        line = p.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"probe in {h['netns']} did not start: {line!r}")
    return probes


def addresses(subnet, taken):
    """Fresh addresses for the movers, from the upper half of the subnet (ipam's auto picks start low)."""
    net = ipaddress.ip_network(subnet)
    start = int(net.network_address) + net.num_addresses // 2
    for n in range(start, int(net.broadcast_address)):
        a = str(ipaddress.ip_address(n))
        if a not in taken and (n & 0xff) not in (0, 255):
            yield a


def run(args):
    with open(args.state) as f:
        state = json.load(f)
    hosts = state["hosts"]
    n = len(hosts)
    if n < 2:
        raise SystemExit("run: needs at least 2 hosts")
    c = Client(args.url)
    ov = state["network"]
    name = state["networkName"]
    pool = addresses(state["subnet"], {h["ip"] for h in hosts})
    probes = start_probes(state, args.interval_ms, args.pids)
    wall_offset = time.time() - time.monotonic()
    samples = []
    failures = 0
    try:
        total = args.warmup + args.samples
        for k in range(total):
            a = k % n
            b = (a + 1 + (k // n) % (n - 1)) % n  # every ordered pair in turn
            ip = next(pool)
            probe = probes[b]
            probe.stdin.write(f"go {ip} {args.timeout}\n")
            probe.stdin.flush()
            t_send = time.monotonic()
            st, payload = c.call("POST", f"/api/v1/networks/{ov}/connect", {"sandbox": hosts[a]["mover"], "ipv4Address": ip})
            t_answer = time.monotonic()
            result = json.loads(probe.stdout.readline())
            if st != 200:
                raise RuntimeError(f"connect {hosts[a]['node']} {ip}: {st} {payload[:300]!r}")
            endpoint = json.loads(payload)["networks"][name]["endpointId"]
            c.ok("POST", f"/api/v1/networks/{ov}/disconnect", {"sandbox": hosts[a]["mover"]})
            row = {"k": k, "warmup": k < args.warmup, "a": hosts[a]["node"], "b": hosts[b]["node"], "ip": ip,
                   "endpoint": endpoint, "send": t_send, "answer": t_answer, "probe_start": result["start"],
                   "arp": result["arp"], "echo": result["echo"], "arps": result["arps"], "echoes": result["echoes"]}
            samples.append(row)
            if result["echo"] is None:
                failures += 1
                print(f"sample {k}: {hosts[b]['node']} did not reach {ip} on {hosts[a]['node']} within {args.timeout} s "
                      f"(ARP {'answered' if result['arp'] else 'unanswered'})", flush=True)
            if (k + 1) % 50 == 0:
                print(f"  {k + 1}/{total} samples", flush=True)
            time.sleep(args.gap_ms / 1000.0)  # the disconnect's removals (and A's batched veth delete) settle first
    finally:
        for p in probes:
            try:
                p.stdin.close()
            except OSError:
                pass
        for p in probes:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
    measured = [s for s in samples if not s["warmup"] and s["echo"] is not None]
    conv = [(s["echo"] - s["send"]) * 1000 for s in measured]
    arp = [(s["arp"] - s["send"]) * 1000 for s in measured]
    api = [(s["answer"] - s["send"]) * 1000 for s in samples if not s["warmup"]]
    trail = [(s["echo"] - s["answer"]) * 1000 for s in measured]
    lag = [(s["probe_start"] - s["send"]) * 1000 for s in measured]
    out = {"hosts": n, "samples": args.samples, "warmup": args.warmup, "failures": failures,
           "interval_ms": args.interval_ms, "wall_offset": wall_offset, "rows": samples}
    for key, values in (("converge", conv), ("arp", arp), ("connect", api), ("trail", trail)):
        out[f"{key}_p50_ms"] = statistics.median(values) if values else float("nan")
        out[f"{key}_p90_ms"] = pct(values, 90)
        out[f"{key}_p99_ms"] = pct(values, 99)
        out[f"{key}_max_ms"] = max(values) if values else float("nan")
    out["reached_before_answer"] = sum(1 for t in trail if t < 0)
    out["probe_start_lag_p50_ms"] = statistics.median(lag) if lag else float("nan")
    print(f"{n} hosts, {len(measured)}/{args.samples} samples reached (+{args.warmup} warm-up), probe every {args.interval_ms} ms:")
    print(f"  {'ms after the connect call was sent':44s} {'p50':>8s} {'p90':>8s} {'p99':>8s} {'max':>8s}")
    for label, key in (("REST connect answered", "connect"), ("B's VXLAN answers ARP for it (neighbour)", "arp"),
                       ("B reaches it (ICMP echo answered)", "converge"), ("  reach minus answer (trail)", "trail")):
        print(f"  {label:44s} {out[key + '_p50_ms']:8.2f} {out[key + '_p90_ms']:8.2f} {out[key + '_p99_ms']:8.2f} {out[key + '_max_ms']:8.2f}")
    print(f"  reached before the REST answer: {out['reached_before_answer']}/{len(measured)}; probe start lag p50 "
          f"{out['probe_start_lag_p50_ms']:.2f} ms; unreached within {args.timeout} s: {failures}", flush=True)
    with open(args.out, "w") as f:
        json.dump(out, f)
    return 0  # unreached samples are a finding, reported in the summary and the RESULT line


# ---------------------------------------------------------------- where the time goes

def hops(args):
    """Per sample, from the records of `desired` and `status` (their CreateTime, ms): when ipam produced the
    endpoint's desired record, when A's agent produced endpoint.ready, against the probe's times."""
    with open(args.run) as f:
        run_ = json.load(f)
    off = run_["wall_offset"]
    desired, ready = {}, {}
    with open(args.dump) as f:
        for line in f:
            r = json.loads(line)
            if r["value"] is None:
                continue
            v = r["value"] if isinstance(r["value"], dict) else json.loads(r["value"])
            if r["topic"].endswith(".desired") and r["key"].startswith("endpoint/"):
                desired.setdefault(r["key"][len("endpoint/"):], r["ts"])
            elif r["topic"].endswith(".status") and v.get("type") == "endpoint.ready":
                ready.setdefault((v.get("data") or {}).get("endpointId"), r["ts"])
    cols = {"send -> desired produced (api + ipam)": [], "desired -> A's endpoint.ready produced": [],
            "desired -> B answers ARP (B's agent)": [], "desired -> B reaches it": [],
            "A's endpoint.ready -> B reaches it": []}
    for s in run_["rows"]:
        if s["warmup"] or s["echo"] is None or s["endpoint"] not in desired:
            continue
        send = (s["send"] + off) * 1000
        d = desired[s["endpoint"]]
        cols["send -> desired produced (api + ipam)"].append(d - send)
        cols["desired -> B answers ARP (B's agent)"].append((s["arp"] + off) * 1000 - d)
        cols["desired -> B reaches it"].append((s["echo"] + off) * 1000 - d)
        if s["endpoint"] in ready:
            cols["desired -> A's endpoint.ready produced"].append(ready[s["endpoint"]] - d)
            cols["A's endpoint.ready -> B reaches it"].append((s["echo"] + off) * 1000 - ready[s["endpoint"]])
    print(f"  hops ({len(cols['desired -> B reaches it'])} samples; record times are the producers' CreateTime, ms):")
    print(f"  {'':44s} {'p50':>8s} {'p90':>8s} {'p99':>8s}")
    for label, values in cols.items():
        if values:
            print(f"  {label:44s} {statistics.median(values):8.1f} {pct(values, 90):8.1f} {pct(values, 99):8.1f}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--url", required=True)
    p.add_argument("--tag", required=True)
    p.add_argument("--hosts", type=int, required=True)
    p.add_argument("--subnet", default="10.231.0.0/16")
    p.add_argument("--state", required=True)
    p = sub.add_parser("run")
    p.add_argument("--url", required=True)
    p.add_argument("--state", required=True)
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--interval-ms", type=float, default=1.0)
    p.add_argument("--gap-ms", type=float, default=300.0)
    p.add_argument("--pids")
    p.add_argument("--out", required=True)
    p = sub.add_parser("cleanup")
    p.add_argument("--url", required=True)
    p.add_argument("--tag", required=True)
    p = sub.add_parser("probe-server")
    p.add_argument("--ifname", required=True)
    p.add_argument("--ip", required=True)
    p.add_argument("--mac", required=True)
    p.add_argument("--interval-ms", type=float, default=1.0)
    p = sub.add_parser("hops")
    p.add_argument("--run", required=True)
    p.add_argument("--dump", required=True)
    args = ap.parse_args()
    rc = {"setup": setup, "run": run, "cleanup": cleanup, "probe-server": probe_server, "hops": hops}[args.cmd](args)
    sys.exit(rc or 0)


if __name__ == "__main__":
    main()
