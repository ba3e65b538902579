package io.netplane.api.rest;

import io.netplane.api.operations.SandboxRequest;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * The native create body: {@code {"name", "network", "node", "hostname", "ipv4Address", "aliases",
 * "ports": [{"containerPort", "hostPort", "protocol", "hostIp"}], "dns", "dnsSearch", "dnsOptions"}}; all but
 * name optional.
 */
@Schema(name = "SandboxCreate")
public record CreateSandboxBody(
        @Schema(required = true, examples = "c1")
        @NotNull(message = "sandbox name is required")
        @Size(max = 255, message = "invalid sandbox name: at most 255 characters")
        @Pattern(regexp = CreateNetworkBody.NAME,
                message = "Invalid container name (<value>), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        String name,
        @Schema(description = "network name, id or id prefix (default bridge); host, none or container:<name|id> "
                + "pick that network mode", examples = "web")
        String network,
        @Schema(description = "node to run on (default: the ready node with the fewest sandboxes)")
        String node,
        @Schema(description = "default: the first 12 hex of the id")
        @Size(max = 64, message = "invalid hostname \"<value>\": at most 64 characters")
        @Pattern(regexp = "[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?",
                message = "invalid hostname \"<value>\": letters, digits, . and -, starting and ending with a letter or digit")
        String hostname,
        @Schema(examples = "10.130.0.50") String ipv4Address,
        List<@NotBlank(message = "an alias must not be empty") @Size(max = 255, message = "an alias has at most 255 characters")
                String> aliases,
        List<SandboxRequest.@NotNull(message = "a port must be an object with a containerPort") Port> ports,
        @Schema(description = "nameservers of its resolv.conf (docker run --dns)", examples = "192.0.2.53")
        List<@NotBlank(message = "a dns entry must not be empty") String> dns,
        @Schema(description = "search domains (docker run --dns-search)")
        List<@NotBlank(message = "a dns search domain must not be empty") String> dnsSearch,
        @Schema(description = "resolver options (docker run --dns-option)", examples = "ndots:2")
        List<@NotBlank(message = "a dns option must not be empty") String> dnsOptions) {

    SandboxRequest toRequest() {
        return new SandboxRequest(name, network, node, hostname, ipv4Address, aliases, ports, dns, dnsSearch, dnsOptions);
    }
}
