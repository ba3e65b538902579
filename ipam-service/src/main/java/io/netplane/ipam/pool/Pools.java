package io.netplane.ipam.pool;

import io.netplane.ipam.IpamSettings;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** The two pool sets: {@code default} for local (bridge) networks, {@code overlay} for overlay networks. */
@ApplicationScoped
public class Pools {
    public static final String DEFAULT = "default";
    public static final String OVERLAY = "overlay";

    private final PoolSet defaults;
    private final PoolSet overlay;

    public Pools(IpamSettings config) {
        this.defaults = new PoolSet(DEFAULT, specs(config.defaultPools()));
        this.overlay = new PoolSet(OVERLAY, specs(config.overlayPools()));
    }

    private static List<PoolSpec> specs(List<IpamSettings.Pool> pools) {
        return pools.stream().map(p -> PoolSpec.of(p.base(), p.size())).toList();
    }

    public PoolSet defaults() { return defaults; }

    public PoolSet overlay() { return overlay; }

    public PoolSet forDriver(String driver) {
        return "overlay".equals(driver) ? overlay : defaults;
    }

    public List<PoolSet> all() { return List.of(defaults, overlay); }
}
