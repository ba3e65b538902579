package io.netplane.api.rest;

import java.util.List;

/** The bodies of {@code POST /api/v1/networks/{ref}/connect} and {@code /disconnect}. */
final class EndpointBodies {
    private EndpointBodies() {
    }

    /** {@code {"sandbox", "ipv4Address", "aliases"}}: sandbox by id, name or id prefix. */
    record Connect(String sandbox, String ipv4Address, List<String> aliases) {
    }

    /** {@code {"sandbox", "force"}}. */
    record Disconnect(String sandbox, Boolean force) {
    }
}
