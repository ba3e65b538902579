#!/usr/bin/env python3
"""Connect/disconnect workload for deploy/bench/e2e, one code path for netplane and for a Docker daemon.

Both targets get the same Docker Engine API calls (POST /v1.41/networks/{id}/connect|disconnect with
{"Container": name}); netplane over TCP, Docker over its unix socket. Only the setup differs: netplane's
"containers" are sandboxes made with its native API, Docker's are `docker run` containers made by the
calling script.

  driver.py setup    --target T --tag TAG --networks N --containers M   -> creates networks (+ netplane sandboxes)
  driver.py run      --target T --tag TAG --calls 500 --clients 8 --seconds 20 --out FILE.json
  driver.py cleanup  --target T --tag TAG                               -> removes what setup made (idempotent)

Targets: np:http://127.0.0.1:8480  or  docker:unix:///path/docker.sock
"""
import argparse
import json
import os
import re
import socket
import statistics
import sys
import threading
import time

TOKEN_FILE = os.environ.get("NETPLANE_TOKEN_FILE", "/var/lib/netplane/admin.token")
API = "/v1.41"


class Client:
    """One keep-alive HTTP/1.1 connection; one per thread. Written on the socket, not with http.client: its
    header parsing cost ~100 us of CPU per call, the load generator's share of a machine both targets share
    (this takes ~15 us; Docker's side is not CPU-bound)."""

    def __init__(self, target):
        self.kind, rest = target.split(":", 1)
        self.rest = rest
        headers = "Content-Type: application/json\r\n"
        if self.kind == "np" and os.path.exists(TOKEN_FILE):
            with open(TOKEN_FILE) as f:
                headers += "Authorization: Bearer " + f.read().strip() + "\r\n"
        self.headers = headers
        self.sock = None
        self.buf = b""

    def _connect(self):
        if self.rest.startswith("unix://"):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(60)
            s.connect(self.rest[len("unix://"):])
            return s
        host, port = self.rest.split("://", 1)[1].rstrip("/").rsplit(":", 1)
        s = socket.create_connection((host, int(port)), timeout=60)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed by the server")
        self.buf += data

    def _read(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _response(self, method):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            fields[k.strip().lower()] = v.strip().lower()
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            payload = b""
        elif fields.get(b"transfer-encoding") == b"chunked":
            parts = []
            while True:
                size = int(self._line().split(b";", 1)[0], 16)
                if size == 0:
                    while self._line():  # trailers, then the empty line
                        pass
                    break
                parts.append(self._read(size))
                self._read(2)
            payload = b"".join(parts)
        elif b"content-length" in fields:
            payload = self._read(int(fields[b"content-length"]))
        else:  # delimited by the end of the connection
            try:
                while True:
                    self._fill()
            except ConnectionError:
                pass
            payload, self.buf = self.buf, b""
            fields[b"connection"] = b"close"
        if fields.get(b"connection") == b"close":
            self.sock.close()
            self.sock = None
        return status, payload

    def call(self, method, path, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        request = (f"{method} {path} HTTP/1.1\r\nHost: localhost\r\n{self.headers}"
                   f"Content-Length: {len(data)}\r\n\r\n").encode() + data
        for attempt in (1, 2):
            fresh = self.sock is None
            if fresh:
                self.sock, self.buf = self._connect(), b""
            try:
                self.sock.sendall(request)
                return self._response(method)
            except (ConnectionError, BrokenPipeError):
                # a keep-alive connection the server closed between calls: reconnect once
                if self.sock is not None:
                    self.sock.close()
                self.sock = None
                if fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def ok(self, method, path, body=None, accept=(200, 201, 204)):
        status, payload = self.call(method, path, body)
        if status not in accept:
            raise RuntimeError(f"{method} {path} -> {status} {payload[:300]!r}")
        return json.loads(payload) if payload and payload[:1] in (b"{", b"[") else None


def names(tag, networks, containers):
    return ([f"npbe-{tag}-n{i}" for i in range(networks)], [f"npbe-{tag}-c{i}" for i in range(containers)])


def setup(args):
    c = Client(args.target)
    nets, ctrs = names(args.tag, args.networks, args.containers)
    for i, n in enumerate(nets):
        # 10.2xx.i.0/24: room for 253 endpoints, far more than the clients ever hold at once
        c.ok("POST", f"{API}/networks/create",
             {"Name": n, "Driver": "bridge", "CheckDuplicate": True,
              "IPAM": {"Config": [{"Subnet": f"10.{args.subnet_octet}.{i}.0/24"}]},
              "Labels": {"netplane.bench": args.tag}})
    if c.kind == "np":
        for s in ctrs:
            c.ok("POST", "/api/v1/sandboxes", {"name": s, "network": "bridge"})
    print(f"setup {c.kind}: {len(nets)} networks" + (f", {len(ctrs)} sandboxes" if c.kind == "np" else ""))


def cleanup(args):
    c = Client(args.target)
    prefix = f"npbe-{args.tag}-"
    errors = 0
    try:
        st, payload = c.call("GET", f"{API}/networks")
        nets = [n for n in json.loads(payload) if n["Name"].startswith(prefix)] if st == 200 else []
    except Exception as e:  # noqa: BLE001 - report and go on with what else can be removed
        print(f"cleanup {c.kind}: cannot list networks: {e}")
        nets, errors = [], 1
    if c.kind == "np":
        st, payload = c.call("GET", "/api/v1/sandboxes")
        for s in (json.loads(payload) if st == 200 else []):
            if s["name"].startswith(prefix):
                st, p = c.call("DELETE", f"/api/v1/sandboxes/{s['id']}?force=true")
                if st not in (204, 404):
                    print(f"cleanup np: sandbox {s['name']}: {st} {p[:200]!r}")
                    errors += 1
    for n in nets:
        st, payload = c.call("GET", f"{API}/networks/{n['Id']}")
        if st == 200:
            for cid in (json.loads(payload).get("Containers") or {}):
                c.call("POST", f"{API}/networks/{n['Id']}/disconnect", {"Container": cid, "Force": True})
        st, p = c.call("DELETE", f"{API}/networks/{n['Id']}")
        if st not in (204, 404):
            print(f"cleanup {c.kind}: network {n['Name']}: {st} {p[:200]!r}")
            errors += 1
    print(f"cleanup {c.kind}: removed {len(nets)} networks" + ("" if not errors else f", {errors} errors"))
    return 1 if errors else 0


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def connect(c, net, ctr):
    t0 = time.time()
    st, payload = c.call("POST", f"{API}/networks/{net}/connect", {"Container": ctr})
    t1 = time.time()
    if st != 200:
        raise RuntimeError(f"connect {ctr} to {net}: {st} {payload[:300]!r}")
    return t0, t1


def disconnect(c, net, ctr):
    t0 = time.time()
    st, payload = c.call("POST", f"{API}/networks/{net}/disconnect", {"Container": ctr, "Force": False})
    t1 = time.time()
    if st != 200:
        raise RuntimeError(f"disconnect {ctr} from {net}: {st} {payload[:300]!r}")
    return t0, t1


def run(args):
    nets, ctrs = names(args.tag, args.networks, args.containers)
    c = Client(args.target)
    out = {"target": c.kind, "calls": args.calls, "clients": args.clients, "networks": len(nets),
           "containers": len(ctrs)}

    # warm-up: connections, JIT, caches
    for i in range(args.warmup):
        connect(c, nets[i % len(nets)], ctrs[0])
        disconnect(c, nets[i % len(nets)], ctrs[0])

    # phase 1: sequential connect latency (each followed by a disconnect, timed apart)
    seq = []
    for i in range(args.calls):
        net = nets[i % len(nets)]
        a0, a1 = connect(c, net, ctrs[0])
        d0, d1 = disconnect(c, net, ctrs[0])
        seq.append((a0, a1, d0, d1))
    conn_ms = [(a1 - a0) * 1000 for a0, a1, _, _ in seq]
    disc_ms = [(d1 - d0) * 1000 for _, _, d0, d1 in seq]
    out["sequential"] = [[round(x, 6) for x in row] for row in seq]
    out["connect_p50_ms"] = statistics.median(conn_ms)
    out["connect_p90_ms"] = pct(conn_ms, 90)
    out["connect_p99_ms"] = pct(conn_ms, 99)
    out["disconnect_p50_ms"] = statistics.median(disc_ms)
    out["disconnect_p99_ms"] = pct(disc_ms, 99)
    print(f"{c.kind}: {args.calls} sequential connects: p50 {out['connect_p50_ms']:.2f} ms, "
          f"p90 {out['connect_p90_ms']:.2f} ms, p99 {out['connect_p99_ms']:.2f} ms; "
          f"disconnect p50 {out['disconnect_p50_ms']:.2f} ms, p99 {out['disconnect_p99_ms']:.2f} ms", flush=True)

    # phase 2: sustained connect+disconnect cycles, `clients` threads, client k uses container k and
    # walks the networks starting at k (so the clients spread over every bridge)
    stop_at = [0.0]
    counts = [0] * args.clients
    lat = [[] for _ in range(args.clients)]
    errors = []
    start_barrier = threading.Barrier(args.clients + 1)

    def worker(k):
        wc = Client(args.target)
        ctr = ctrs[k % len(ctrs)]
        i = k
        try:
            # open the connection before the clock starts
            wc.call("GET", f"{API}/networks/{nets[0]}")
            start_barrier.wait()
            while time.time() < stop_at[0]:
                net = nets[i % len(nets)]
                a0, a1 = connect(wc, net, ctr)
                disconnect(wc, net, ctr)
                lat[k].append((a1 - a0) * 1000)
                counts[k] += 1
                i += 1
        except Exception as e:  # noqa: BLE001 - counted and reported, the run then fails
            errors.append(f"client {k}: {e}")
            try:
                start_barrier.abort()
            except Exception:  # noqa: BLE001
                pass

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(args.clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.time() + args.seconds  # before the release: a client must never see the 0
    start_barrier.wait()
    t_start = time.time()
    for t in threads:
        t.join()
    t_end = time.time()
    if errors:
        out["errors"] = errors
        print("\n".join(errors), file=sys.stderr)
    cycles = sum(counts)
    all_lat = [x for l in lat for x in l]
    out["cycles"] = cycles
    out["cycle_seconds"] = t_end - t_start
    out["connects_per_s"] = cycles / (t_end - t_start)
    out["concurrent_connect_p50_ms"] = statistics.median(all_lat) if all_lat else float("nan")
    out["concurrent_connect_p99_ms"] = pct(all_lat, 99)
    out["concurrent_window"] = [t_start, t_end]
    print(f"{c.kind}: {args.clients} clients x {len(nets)} networks, {t_end - t_start:.1f} s: {cycles} connect+disconnect "
          f"cycles = {out['connects_per_s']:.1f}/s; connect p50 {out['concurrent_connect_p50_ms']:.2f} ms, "
          f"p99 {out['concurrent_connect_p99_ms']:.2f} ms", flush=True)
    with open(args.out, "w") as f:
        json.dump(out, f)
    return 1 if errors else 0


def iso_ms(t):
    """Envelope time (ISO-8601, ns) -> epoch ms as float."""
    import datetime
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", t)
    base = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return base.timestamp() * 1000 + (float("0." + m.group(2)) * 1000 if m.group(2) else 0.0)


def hops(args):
    """Where a sequential connect/disconnect spends its time, from the records' envelope times and the
    broker's CreateTime, joined to the driver's own send/answer times."""
    run = json.load(open(args.run))
    by_corr, intents, desired, cleared = {}, [], {}, {}
    for line in open(args.dump):
        r = json.loads(line)
        v = r["value"]
        if r["topic"].endswith(".desired"):
            desired.setdefault(r["key"], []).append((r["ts"], v is None))
            continue
        if v is None:
            continue
        rec = {"ts": r["ts"], "t": iso_ms(v["time"]), "type": v["type"], "data": v.get("data") or {}}
        if r["topic"].endswith(".intents"):
            intents.append(rec | {"corr": v["correlationId"]})
        if v["type"] == "endpoint.cleared":
            cleared.setdefault(rec["data"].get("id"), []).append(rec)
        else:
            by_corr.setdefault(v["correlationId"], {})[v["type"]] = rec
    intents.sort(key=lambda x: x["ts"])
    rows = {"connect": [], "disconnect": []}
    for a0, a1, d0, d1 in run["sequential"]:
        for kind, t0, t1, itype in (("connect", a0, a1, "endpoint.connect.requested"),
                                    ("disconnect", d0, d1, "endpoint.disconnect.requested")):
            t0, t1 = t0 * 1000, t1 * 1000
            it = [i for i in intents if i["type"] == itype and t0 - 2 <= i["ts"] <= t1 + 2]
            if len(it) != 1:
                continue
            i = it[0]
            ev = by_corr.get(i["corr"], {})
            if kind == "connect":
                ch, st = ev.get("endpoint.allocated"), ev.get("endpoint.ready")
                if not ch or not st:
                    continue
                ds = [ts for ts, tomb in desired.get("endpoint/" + ch["data"]["id"], []) if not tomb]
            else:
                ch = ev.get("endpoint.released")
                if not ch:
                    continue
                eid = ch["data"]["endpointId"]
                ds = [ts for ts, tomb in desired.get("endpoint/" + eid, []) if tomb and ts >= ch["ts"] - 2]
                st = next((c for c in cleared.get(eid, []) if c["ts"] >= ch["ts"] - 2), None)
                if not st:
                    continue
            if not ds:  # compacted away (desired is a compacted topic): same outbox batch as the change
                ds = [ch["ts"]]
            dts = min(ds, key=lambda x: abs(x - ch["ts"]))
            rows[kind].append({
                "api: request -> intent built": i["t"] - t0,
                "api: intent built -> produced (CreateTime)": i["ts"] - i["t"],
                "ipam: intent -> change built (consume + allocate)": ch["t"] - i["ts"],
                "ipam: change built -> produced (commit + outbox send)": ch["ts"] - ch["t"],
                "ipam: change -> desired produced": dts - ch["ts"],
                "agent: desired -> status built (consume + kernel)": st["t"] - dts,
                "agent: status built -> produced": st["ts"] - st["t"],
                "api: status -> answer (watcher + projection + reply)": t1 - st["ts"],
                "total (client)": t1 - t0,
            })
    # the concurrent phase: no client time per call, but every hop between the intent and the status
    w0, w1 = (x * 1000 for x in run.get("concurrent_window", [0, 0]))
    conc = []
    for i in intents:
        if i["type"] != "endpoint.connect.requested" or not (w0 <= i["ts"] <= w1):
            continue
        ev = by_corr.get(i["corr"], {})
        ch, st = ev.get("endpoint.allocated"), ev.get("endpoint.ready")
        if not ch or not st:
            continue
        ds = [ts for ts, tomb in desired.get("endpoint/" + ch["data"]["id"], []) if not tomb]
        if not ds:  # compacted away: same outbox batch as the change
            ds = [ch["ts"]]
        dts = min(ds, key=lambda x: abs(x - ch["ts"]))
        conc.append({
            "api: intent built -> produced (CreateTime)": i["ts"] - i["t"],
            "ipam: intent -> change built (consume + allocate)": ch["t"] - i["ts"],
            "ipam: change built -> produced (commit + outbox send)": ch["ts"] - ch["t"],
            "ipam: change -> desired produced": dts - ch["ts"],
            "agent: desired -> status built (consume + kernel)": st["t"] - dts,
            "intent produced -> status produced": st["ts"] - i["ts"],
        })
    if conc:
        rows["connect under load (concurrent phase)"] = conc
    lines = []
    for kind, rs in rows.items():
        if not rs:
            lines.append(f"{kind}: no call could be followed through the topics")
            continue
        lines.append(f"{run['target']} {'sequential ' if kind in ('connect', 'disconnect') else ''}{kind}: {len(rs)} calls followed hop by hop (ms; CreateTime has 1 ms resolution)")
        lines.append(f"  {'hop':58s} {'p50':>8s} {'p90':>8s} {'p99':>8s} {'mean':>8s}")
        for k in rs[0]:
            xs = [r[k] for r in rs]
            lines.append(f"  {k:58s} {statistics.median(xs):8.2f} {pct(xs, 90):8.2f} {pct(xs, 99):8.2f} {statistics.fmean(xs):8.2f}")
    print("\n".join(lines))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("verb", choices=["setup", "run", "cleanup", "hops"])
    p.add_argument("--target", default="np:")
    p.add_argument("--tag", default="")
    p.add_argument("--networks", type=int, default=4)
    p.add_argument("--containers", type=int, default=8)
    p.add_argument("--subnet-octet", type=int, default=231)
    p.add_argument("--calls", type=int, default=500)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--out")
    p.add_argument("--run")
    p.add_argument("--dump")
    a = p.parse_args()
    sys.exit({"setup": setup, "run": run, "cleanup": cleanup, "hops": hops}[a.verb](a) or 0)


if __name__ == "__main__":
    main()
