package io.netplane.agent.kernel;

/**
 * Links, addresses and routes of one network namespace over one route socket: {@link #open()} the calling
 * thread's, {@link #in(NetNamespace)} another's. Use it from one thread only.
 */
public final class Rtnetlink implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 10_000;

    private final NetlinkSocket socket;
    private final Links links;
    private final Addresses addresses;
    private final Routes routes;
    private final Vxlans vxlans;
    private final Neighbours neighbours;

    private Rtnetlink(NetlinkSocket socket) {
        this.socket = socket;
        this.links = new Links(socket);
        this.addresses = new Addresses(socket);
        this.routes = new Routes(socket);
        this.vxlans = new Vxlans(socket);
        this.neighbours = new Neighbours(socket);
    }

    public static Rtnetlink open() {
        return new Rtnetlink(NetlinkSocket.open(TIMEOUT_MILLIS));
    }

    /**
     * A route socket that lives in {@code namespace} (like vishvananda/netlink's NewHandleAt): opened by this
     * thread from inside it, then the thread returns home; the socket keeps acting there.
     */
    public static Rtnetlink in(NetNamespace namespace) {
        return new Rtnetlink(NetNamespaces.inside(namespace, () -> NetlinkSocket.open(TIMEOUT_MILLIS)));
    }

    public Links links() { return links; }

    public Addresses addresses() { return addresses; }

    public Routes routes() { return routes; }

    public Vxlans vxlans() { return vxlans; }

    /** FDB and ARP entries (overlay networks). */
    public Neighbours neighbours() { return neighbours; }

    @Override
    public void close() {
        socket.close();
    }
}
