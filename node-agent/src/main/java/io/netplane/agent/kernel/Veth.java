package io.netplane.agent.kernel;

/**
 * A veth pair to create: {@code name} in this namespace (enslaved to {@code master} if > 0, up), the peer
 * {@code peerName} born in the namespace open as {@code peerNamespaceFd} (-1: this one) with {@code peerMac}
 * (null: random); {@code mtu} 0 keeps the kernel's default.
 */
public record Veth(String name, int master, int mtu, String peerName, int peerNamespaceFd, String peerMac) {

    public Veth {
        if (peerMac != null) {
            macBytes(peerMac); // fail early on a malformed MAC
        }
    }

    static byte[] macBytes(String mac) {
        String[] parts = mac.split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + mac);
        }
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (!parts[i].matches("[0-9a-fA-F]{2}")) {
                throw new IllegalArgumentException("not a MAC address: " + mac);
            }
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }

    public Veth withPeerNamespaceFd(int fd) {
        return new Veth(name, master, mtu, peerName, fd, peerMac);
    }
}
