package io.netplane.agent.kernel;

import java.net.InetAddress;

/** One neighbour (ARP) entry ({@code ip neigh show}): on device {@code index}, {@code address} is at {@code mac}. */
public record Neighbour(int index, InetAddress address, String mac, int state) {
    public boolean isPermanent() { return (state & Neighbours.NUD_PERMANENT) != 0; }
}
