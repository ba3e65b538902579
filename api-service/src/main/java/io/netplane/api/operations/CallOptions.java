package io.netplane.api.operations;

import java.time.Duration;

/** How the caller wants to wait: not at all (async) or up to {@code timeout}. */
public record CallOptions(boolean async, Duration timeout) {
}
