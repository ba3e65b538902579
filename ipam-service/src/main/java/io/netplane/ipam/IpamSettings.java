package io.netplane.ipam.pool;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

import java.util.List;

/** {@code netplane.ipam.*-pools}: Docker's {@code default-address-pools} shape, a list of base + size. */
@ConfigMapping(prefix = "netplane.ipam")
public interface PoolConfig {

    @WithName("default-pools")
    List<Pool> defaultPools();

    @WithName("overlay-pools")
    List<Pool> overlayPools();

    interface Pool {
        String base();

        int size();
    }
}
