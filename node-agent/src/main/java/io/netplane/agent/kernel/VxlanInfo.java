package io.netplane.agent.kernel;

import java.net.InetAddress;

/** What the kernel reports of a VXLAN device ({@code ip -d link show}): its VNI, local address, port, learning, proxy. */
public record VxlanInfo(Link link, int vni, InetAddress local, int port, boolean learning, boolean proxy) {
}
