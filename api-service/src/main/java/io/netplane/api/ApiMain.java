package io.netplane.api;

import io.netplane.api.replay.ReadModelReplay;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * The service, or with {@code netplane.replay=verify|restore} a command that replays the log and exits (no
 * consumer, no producer: MessagingLifecycle checks the same property).
 */
@QuarkusMain
public class ApiMain implements QuarkusApplication {
    @Inject
    ReadModelReplay replay;
    @ConfigProperty(name = "netplane.replay")
    Optional<String> mode;

    @Override
    public int run(String... args) {
        if (mode.isEmpty() || mode.get().isBlank()) {
            Quarkus.waitForExit();
            return 0;
        }
        return replay.run(mode.get().trim(), System.out);
    }
}
