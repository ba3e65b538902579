package io.netplane.agent.kernel;

/**
 * A network interface as the kernel reports it ({@code ip -d link show}). {@code kind} is the
 * IFLA_INFO_KIND ("bridge", "veth"…) or null for a physical device; {@code alias} is IFLA_IFALIAS or
 * null; {@code master} the index of the bridge it is enslaved to, 0 if none.
 */
public record Link(int index, String name, String kind, String alias, int flags, int master) {
    public static final int IFF_UP = 0x1;

    public boolean isUp() { return (flags & IFF_UP) != 0; }
}
