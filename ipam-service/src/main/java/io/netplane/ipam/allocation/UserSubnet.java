package io.netplane.ipam.allocation;

import io.netplane.events.data.IpamConfig;
import io.netplane.ipam.pool.Ipv4Address;
import io.netplane.ipam.pool.Ipv4Subnet;

import java.util.List;
import java.util.Optional;

/**
 * A subnet the user gave in the IPAM configuration, validated. Docker answers these errors with status 500;
 * netplane's native API answers 400 with Docker's text (docker-facts "Where netplane deliberately differs").
 */
public record UserSubnet(Ipv4Subnet subnet, Integer gateway, Ipv4Subnet ipRange) {

    /** Empty when the user gave no subnet: the network gets one from the pools. */
    public static Optional<UserSubnet> from(List<IpamConfig> ipam) {
        if (ipam == null || ipam.isEmpty()) {
            return Optional.empty();
        }
        List<UserSubnet> subnets = ipam.stream().map(UserSubnet::validate).toList();
        if (subnets.size() > 1) {
            throw new RejectedIntent(400, "more than one IPv4 subnet per network is not supported yet: "
                    + String.join(", ", subnets.stream().map(s -> s.subnet().toString()).toList()));
        }
        return Optional.of(subnets.get(0));
    }

    static UserSubnet validate(IpamConfig config) {
        String text = config.subnet() == null ? "" : config.subnet().trim();
        if (text.contains(":")) {
            throw new RejectedIntent(400, "IPv6 subnets are not supported yet: " + text);
        }
        Ipv4Subnet subnet;
        try {
            subnet = Ipv4Subnet.parse(text);
        } catch (IllegalArgumentException e) {
            throw new RejectedIntent(400, "Invalid subnet " + text + " : invalid CIDR address: " + text);
        }
        if (subnet.hasHostBits()) {
            throw new RejectedIntent(400, "invalid subnet " + subnet.asWritten() + ": host bits are set (did you mean "
                    + subnet + "?)");
        }
        if (subnet.prefix() > 30) {
            throw new RejectedIntent(400, "invalid subnet " + subnet + ": too small for a gateway and an address");
        }
        Ipv4Subnet ipRange = null;
        if (config.ipRange() != null && !config.ipRange().isBlank()) {
            String rangeText = config.ipRange().trim();
            try {
                ipRange = Ipv4Subnet.parse(rangeText);
            } catch (IllegalArgumentException e) {
                throw new RejectedIntent(400, "Invalid ip-range " + rangeText + " : invalid CIDR address: " + rangeText);
            }
            if (ipRange.hasHostBits()) {
                throw new RejectedIntent(400, "invalid ip-range " + ipRange.asWritten()
                        + ": host bits are set (did you mean " + ipRange + "?)");
            }
            if (!subnet.contains(ipRange)) {
                throw new RejectedIntent(400, "ip-range " + ipRange + " is not inside subnet " + subnet);
            }
        }
        Integer gateway = null;
        if (config.gateway() != null && !config.gateway().isBlank()) {
            String gatewayText = config.gateway().trim();
            try {
                gateway = Ipv4Address.parse(gatewayText);
            } catch (IllegalArgumentException e) {
                throw new RejectedIntent(400, "invalid gateway address " + gatewayText + " in Ipam configuration");
            }
            if (!subnet.contains(gateway) || gateway == subnet.network() || gateway == subnet.broadcast()) {
                throw new RejectedIntent(400, "failed to allocate gateway (" + gatewayText
                        + "): Requested address is out of range");
            }
        }
        return new UserSubnet(subnet, gateway, ipRange);
    }

    /**
     * The gateway: as given; else, with an ip-range, the range's first address (Docker's quirk, docker-facts
     * 9.2: {@code --subnet 10.78.0.0/16 --ip-range 10.78.5.0/24} → gateway 10.78.5.0); else the first host.
     */
    public int effectiveGateway() {
        if (gateway != null) {
            return gateway;
        }
        return ipRange != null ? ipRange.network() : subnet.firstHost();
    }
}
