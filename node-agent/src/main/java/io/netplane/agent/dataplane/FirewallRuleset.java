package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The nftables text of netplane's {@code inet} table and of each change to it. Pure: unit-tested without root.
 * Per-network and per-port facts are set and map elements, never rules, so the 1,000th published port costs
 * what the 1st did and a change never re-reads the ruleset.
 *
 * <pre>
 * sets   bridges (every netplane bridge), same (bridge . bridge: traffic inside one network), internal (bridges
 *        of --internal networks), subnets (all netplane subnets), nat_subnets (those of non-internal networks)
 * maps   ports (proto . port → address . port, any host address), host_ports (proto . host address . port → …)
 * nat    prerouting/output: DNAT to local addresses (from outside, from sandboxes, from the host itself incl.
 *        127.0.0.1 — route_localnet on the bridges); postrouting: masquerade DNATed traffic from a sandbox
 *        (hairpin) or from 127/8, and traffic leaving a non-internal network for anything but a bridge
 * filter forward: established/related, inside one network, nothing in or out of internal networks, published
 *        ports, nothing else into a network (isolation); guard: 127/8 arriving from outside is dropped
 *        (CVE-2020-8558, the price of route_localnet)
 * </pre>
 */
public final class FirewallRuleset {
    private FirewallRuleset() {
    }

    /** One transaction that replaces the whole table (add+delete so it also works when there is none). */
    public static String replace(String table, Collection<FirewallNetwork> networks, Collection<PortMapping> ports) {
        StringBuilder text = new StringBuilder();
        text.append("add table inet ").append(table).append('\n');
        text.append("delete table inet ").append(table).append('\n');
        text.append("table inet ").append(table).append(" {\n");
        set(text, "bridges", "type ifname;");
        set(text, "same", "type ifname . ifname;");
        set(text, "internal", "type ifname;");
        set(text, "subnets", "type ipv4_addr; flags interval;");
        set(text, "nat_subnets", "type ipv4_addr; flags interval;");
        text.append("  map ports { type inet_proto . inet_service : ipv4_addr . inet_service; }\n");
        text.append("  map host_ports { type inet_proto . ipv4_addr . inet_service : ipv4_addr . inet_service; }\n");
        String dnat = """
                    fib daddr type local dnat ip to meta l4proto . ip daddr . th dport map @host_ports
                    fib daddr type local dnat ip to meta l4proto . th dport map @ports
                """;
        text.append("  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n")
                .append(dnat).append("  }\n");
        text.append("  chain output {\n    type nat hook output priority -100; policy accept;\n")
                .append(dnat).append("  }\n");
        text.append("""
                  chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    ct status dnat ip saddr @subnets masquerade
                    ct status dnat ip saddr 127.0.0.0/8 masquerade
                    ip saddr @nat_subnets oifname != @bridges masquerade
                  }
                  chain forward {
                    type filter hook forward priority filter; policy accept;
                    ct state established,related accept
                    iifname . oifname @same accept
                    iifname @internal drop
                    oifname @internal drop
                    ct status dnat oifname @bridges accept
                    oifname @bridges drop
                  }
                  chain guard {
                    type filter hook prerouting priority raw; policy accept;
                    iifname != "lo" ip daddr 127.0.0.0/8 drop
                  }
                }
                """);
        for (FirewallNetwork network : networks) {
            text.append(networkElements("add", table, network));
        }
        text.append(portElements("add", table, ports));
        return text.toString();
    }

    public static String addNetwork(String table, FirewallNetwork network) {
        return networkElements("add", table, network);
    }

    public static String removeNetwork(String table, FirewallNetwork network) {
        return networkElements("delete", table, network);
    }

    public static String addPorts(String table, Collection<PortMapping> ports) {
        return portElements("add", table, ports);
    }

    public static String removePorts(String table, Collection<PortMapping> ports) {
        return portElements("delete", table, ports);
    }

    private static void set(StringBuilder text, String name, String spec) {
        text.append("  set ").append(name).append(" { ").append(spec).append(" }\n");
    }

    private static String networkElements(String verb, String table, FirewallNetwork network) {
        String bridge = quoted(network.bridge());
        StringBuilder text = new StringBuilder();
        element(text, verb, table, "bridges", bridge);
        element(text, verb, table, "same", bridge + " . " + bridge);
        if (network.internal()) {
            element(text, verb, table, "internal", bridge);
        }
        List<String> subnets = network.subnets().stream().filter(Cidr::isIpv4)
                .map(s -> s.network().toString()).toList();
        if (!subnets.isEmpty()) {
            element(text, verb, table, "subnets", String.join(", ", subnets));
            if (!network.internal()) {
                element(text, verb, table, "nat_subnets", String.join(", ", subnets));
            }
        }
        return text.toString();
    }

    private static String portElements(String verb, String table, Collection<PortMapping> ports) {
        StringBuilder text = new StringBuilder();
        List<String> any = new ArrayList<>();
        List<String> host = new ArrayList<>();
        boolean delete = verb.equals("delete");
        for (PortMapping port : ports) {
            String target = delete ? "" : " : " + port.address() + " . " + port.containerPort();
            if (port.hostIp() == null) {
                any.add(port.protocol() + " . " + port.hostPort() + target);
            } else {
                host.add(port.protocol() + " . " + port.hostIp() + " . " + port.hostPort() + target);
            }
        }
        if (!any.isEmpty()) {
            element(text, verb, table, "ports", String.join(", ", any));
        }
        if (!host.isEmpty()) {
            element(text, verb, table, "host_ports", String.join(", ", host));
        }
        return text.toString();
    }

    private static void element(StringBuilder text, String verb, String table, String set, String elements) {
        text.append(verb).append(" element inet ").append(table).append(' ').append(set)
                .append(" { ").append(elements).append(" }\n");
    }

    static String quoted(String name) {
        if (!name.chars().allMatch(c -> c > ' ' && c < 127 && c != '"' && c != '\\')) {
            throw new DataplaneException("bridge name not usable in nftables: " + name);
        }
        return '"' + name + '"';
    }

    static String names(Collection<FirewallNetwork> networks) {
        return networks.stream().map(FirewallNetwork::bridge).collect(Collectors.joining(","));
    }
}
