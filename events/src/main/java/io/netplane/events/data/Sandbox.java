package io.netplane.events.data;

import io.netplane.events.EventData;

import java.time.Instant;
import java.util.List;

/**
 * The network side of a container on one node: the data of {@code sandbox.scheduled} and of the desired
 * record {@code sandbox/<id>}. {@code mode}: bridge, host, none or container; {@code containerOf} names the
 * sandbox whose netns a container-mode sandbox shares. {@code dns}, {@code dnsSearch}, {@code dnsOptions}: the
 * nameservers, search domains and resolver options asked for at create ({@code docker run --dns --dns-search
 * --dns-option}); empty = the host's. Events written before the last two fields decode with null.
 */
public record Sandbox(String id, String name, String node, String mode, String netns, String hostname,
                      String containerOf, List<String> dns, Instant created, List<String> dnsSearch,
                      List<String> dnsOptions) implements EventData {

    public Sandbox(String id, String name, String node, String mode, String netns, String hostname, String containerOf,
                   List<String> dns, Instant created) {
        this(id, name, node, mode, netns, hostname, containerOf, dns, created, null, null);
    }
}
