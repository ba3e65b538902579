package io.netplane.e2e;

import java.io.IOException;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The simulated hosts of the multi-host tests: host i is a namespace whose {@code eth0} has 198.18.0.(10+i)/24
 * (the benchmarking range, never routed) on a bridge {@code underlay} in a switch namespace of its own. Each
 * namespace goes into {@code made} before it is filled, so a failure half-way still cleans it up.
 */
final class SimulatedUnderlay {
    private SimulatedUnderlay() {
    }

    static String address(int i) {
        return "198.18.0." + (10 + i);
    }

    static void addSwitch(String switchNamespace, List<String> made) throws IOException, InterruptedException {
        made.add(switchNamespace);
        Kernel.sh("ip", "netns", "add", switchNamespace);
        Kernel.sh("ip", "-n", switchNamespace, "link", "add", "underlay", "type", "bridge");
        Kernel.sh("ip", "-n", switchNamespace, "link", "set", "underlay", "up");
    }

    static void addHost(String switchNamespace, int i, String host, List<String> made)
            throws IOException, InterruptedException {
        made.add(host);
        Kernel.sh("ip", "netns", "add", host);
        Kernel.sh("ip", "-n", switchNamespace, "link", "add", "h" + i, "type", "veth", "peer", "name", "eth0", "netns", host);
        Kernel.sh("ip", "-n", switchNamespace, "link", "set", "h" + i, "master", "underlay", "up");
        Kernel.sh("ip", "-n", host, "addr", "add", address(i) + "/24", "dev", "eth0");
        Kernel.sh("ip", "-n", host, "link", "set", "eth0", "up");
        Kernel.sh("ip", "-n", host, "link", "set", "lo", "up");
        Kernel.sh("ip", "-n", host, "route", "add", "default", "via", "198.18.0.1"); // the agent's underlay: this link's address
        Kernel.sh("ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    }

    /** The switch, then hosts 1..{@code count} on it, each with a simulated agent of {@code stack}. */
    static void startHosts(Stack stack, String switchNamespace, int count, IntFunction<String> hostNamespace,
                           IntFunction<String> nodeName, List<String> made) throws IOException, InterruptedException {
        addSwitch(switchNamespace, made);
        for (int i = 1; i <= count; i++) {
            addHost(switchNamespace, i, hostNamespace.apply(i), made);
            stack.startSimulatedAgent(nodeName.apply(i), hostNamespace.apply(i));
        }
    }
}
