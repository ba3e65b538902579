package io.netplane.events.data;

/** A published port: host IP + host port (0 = ephemeral until allocated) + protocol → sandbox port. */
public record PortBinding(String protocol, String hostIp, int hostPort, int containerPort) {
}
