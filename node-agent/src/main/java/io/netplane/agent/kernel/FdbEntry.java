package io.netplane.agent.kernel;

import java.net.InetAddress;

/**
 * One forwarding-database entry ({@code bridge fdb show}): on device {@code index}, frames to {@code mac} go to
 * {@code destination} (a VXLAN remote; null for a plain bridge entry). {@code state} NUD_*, {@code flags} NTF_*.
 */
public record FdbEntry(int index, String mac, InetAddress destination, int state, int flags) {
    public boolean isPermanent() { return (state & Neighbours.NUD_PERMANENT) != 0; }

    /** The device's own entry ({@code self}), not the bridge's entry for the port ({@code master}). */
    public boolean isSelf() { return (flags & Neighbours.NTF_SELF) != 0; }
}
