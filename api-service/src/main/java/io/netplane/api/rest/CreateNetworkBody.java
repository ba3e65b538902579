package io.netplane.api.rest;

import io.netplane.api.operations.NetworkCommands;
import io.netplane.api.operations.NetworkRequest;
import io.netplane.events.data.IpamConfig;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The native create body: {@code {"name", "driver", "ipam": {"config": [{"subnet", "ipRange", "gateway"}]},
 * "internal", "attachable", "enableIpv6", "mtu", "bridgeName", "options", "labels"}}; all but name optional.
 * {@code mtu} and {@code bridgeName} are short for Docker's options {@code com.docker.network.driver.mtu}
 * and {@code com.docker.network.bridge.name}.
 */
@Schema(name = "NetworkCreate")
public record CreateNetworkBody(
        @Schema(required = true, examples = "web")
        @NotNull(message = "network name is required")
        @Size(max = 255, message = "invalid network name: at most 255 characters")
        @Pattern(regexp = NAME, message = "invalid network name \"<value>\": a name must match " + NAME)
        String name,
        @Schema(description = "bridge (default) or overlay", examples = "bridge")
        String driver,
        @Valid Ipam ipam,
        @Schema(description = "no route to the outside: no masquerade, no default route")
        Boolean internal,
        Boolean attachable,
        @Schema(description = "refused for now: IPv6 is not supported yet")
        Boolean enableIpv6,
        @Schema(description = "MTU of the network's interfaces (option com.docker.network.driver.mtu)", examples = "1450")
        @Min(value = 68, message = "invalid mtu <value>: from 68 to 65535")
        @Max(value = 65535, message = "invalid mtu <value>: from 68 to 65535")
        Integer mtu,
        @Schema(description = "Linux name of the bridge (option com.docker.network.bridge.name); default np-<12 hex of the id>",
                examples = "br-web")
        @Pattern(regexp = "[a-zA-Z0-9_.-]{1,15}",
                message = "invalid bridgeName \"<value>\": a Linux interface name of 1 to 15 letters, digits, _ . or -")
        String bridgeName,
        @Schema(description = "driver options, Docker's keys (com.docker.network.driver.mtu, com.docker.network.bridge.name, …)")
        Map<@NotBlank(message = "an option name must not be empty") String, String> options,
        Map<@NotBlank(message = "a label name must not be empty") String, String> labels) {

    static final String NAME = "[a-zA-Z0-9][a-zA-Z0-9_.-]*";

    public record Ipam(List<@Valid @NotNull(message = "an ipam config must be an object") Config> config) {
    }

    public record Config(
            @Schema(examples = "10.130.0.0/16") String subnet,
            @Schema(examples = "10.130.5.0/24") String ipRange,
            @Schema(examples = "10.130.0.1") String gateway,
            Map<String, String> auxAddresses) {
    }

    NetworkRequest toRequest() {
        List<IpamConfig> configs = ipam == null || ipam.config() == null ? List.of()
                : ipam.config().stream()
                        .map(c -> new IpamConfig(c.subnet(), c.ipRange(), c.gateway(),
                                c.auxAddresses() == null ? Map.of() : c.auxAddresses()))
                        .toList();
        Map<String, String> allOptions = new LinkedHashMap<>(options == null ? Map.of() : options);
        if (mtu != null) {
            allOptions.put(NetworkCommands.MTU_OPTION, String.valueOf(mtu));
        }
        if (bridgeName != null) {
            allOptions.put(NetworkCommands.BRIDGE_NAME_OPTION, bridgeName);
        }
        return new NetworkRequest(name, driver, configs, Boolean.TRUE.equals(internal),
                Boolean.TRUE.equals(attachable), Boolean.TRUE.equals(enableIpv6), allOptions, labels);
    }
}
