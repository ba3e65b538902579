package io.netplane.agent.bench;

/**
 * One way to attach an endpoint with one published port to a bridge network inside a host namespace: netplane's
 * agent classes, netavark, or the CNI bridge+host-local+portmap chain. Sandbox namespaces are made untimed
 * (podman, a CNI runtime and netplane's sandbox step all make them before the endpoint).
 */
interface EndpointTool extends AutoCloseable {
    String name();

    HostNamespace host();

    /** The gateway address of the network on the host: published ports are tried through it. */
    String gateway();

    /** The Linux bridge of the network. */
    String bridge();

    /** Makes a sandbox namespace named {@code netns}, untimed. */
    void createSandbox(String netns);

    void removeSandbox(String netns);

    /** Attaches {@code eth0} in {@code netns}, address chosen by {@code slot}, publishing hostPort→80 (none if 0). */
    Attachment attach(String netns, int slot, int hostPort) throws Exception;

    void detach(Attachment attachment) throws Exception;

    /** Returns once work a detach left behind (netplane's deferred veth delete) is done; others have none. */
    default void settle() throws Exception {
    }

    record Attachment(String id, String netns, String address, int hostPort, Object detail) {
    }
}
