/**
 * {@code GET /metrics}: the server's meters in one Micrometer registry, rendered in the
 * Prometheus text format ({@link io.execstream.server.metrics.ServerMetrics}). It counts what the
 * core publishes through a wrapping publisher, so the core stays free of any metrics library.
 */
package io.execstream.server.metrics;
