package io.netplane.ipam.allocation;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/** The Linux bridge name of a network: the user's {@code com.docker.network.bridge.name}, or np-&lt;12 hex&gt;. */
public final class BridgeName {
    public static final String OPTION = "com.docker.network.bridge.name";
    // IFNAMSIZ is 16 with the terminating NUL; '/', ':' and whitespace are refused by the kernel or by iproute2
    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9_.-]+");

    private BridgeName() {
    }

    public static String of(String networkId, Map<String, String> options) {
        String given = options == null ? null : options.get(OPTION);
        if (given == null) {
            return "np-" + networkId.substring(0, 12);
        }
        if (given.getBytes(StandardCharsets.UTF_8).length > 15 || !VALID.matcher(given).matches()
                || given.equals(".") || given.equals("..")) {
            throw new RejectedIntent(400, "invalid bridge name \"" + given + "\" in option " + OPTION
                    + ": a Linux interface name is 1 to 15 bytes of a-z, A-Z, 0-9, '_', '.', '-'");
        }
        return given;
    }
}
