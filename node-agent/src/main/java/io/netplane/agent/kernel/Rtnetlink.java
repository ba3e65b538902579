package io.netplane.agent.kernel;

/**
 * The host namespace's links, addresses and routes over one route socket. Use it from one thread only.
 * A namespace-bound twin (opened from a thread inside the netns) comes with sandboxes.
 */
public final class Rtnetlink implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 10_000;

    private final NetlinkSocket socket;
    private final Links links;
    private final Addresses addresses;
    private final Routes routes;

    private Rtnetlink(NetlinkSocket socket) {
        this.socket = socket;
        this.links = new Links(socket);
        this.addresses = new Addresses(socket);
        this.routes = new Routes(socket);
    }

    public static Rtnetlink open() {
        return new Rtnetlink(NetlinkSocket.open(TIMEOUT_MILLIS));
    }

    public Links links() { return links; }

    public Addresses addresses() { return addresses; }

    public Routes routes() { return routes; }

    @Override
    public void close() {
        socket.close();
    }
}
