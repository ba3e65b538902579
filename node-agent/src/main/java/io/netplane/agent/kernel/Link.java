package io.netplane.agent.kernel;

/**
 * A network interface as the kernel reports it ({@code ip -d link show}). {@code kind} is the
 * IFLA_INFO_KIND ("bridge", "veth"…) or null for a physical device; {@code alias} is IFLA_IFALIAS or
 * null; {@code master} the index of the bridge it is enslaved to, 0 if none; {@code link} the iflink
 * (for a veth: the peer's ifindex, even in another namespace), 0 if none; {@code mac} the hardware address
 * ("02:42:ac:11:00:02") or null; {@code mtu} 0 when not reported.
 */
public record Link(int index, String name, String kind, String alias, int flags, int master, int link, String mac,
                   int mtu) {
    public static final int IFF_UP = 0x1;

    public Link(int index, String name, String kind, String alias, int flags, int master) {
        this(index, name, kind, alias, flags, master, 0, null, 0);
    }

    public boolean isUp() { return (flags & IFF_UP) != 0; }
}
