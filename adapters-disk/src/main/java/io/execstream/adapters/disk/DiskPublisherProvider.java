package io.execstream.adapters.disk;

import io.execstream.adapters.support.DeliverySettings;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.plugin.AdapterContext;
import io.execstream.ports.plugin.AdapterOption;
import io.execstream.ports.plugin.StreamPublisherProvider;
import java.util.List;
import java.util.Locale;

/**
 * {@code --publisher disk}: a {@link DiskStreamPublisher}, found by the server through its service
 * file. Its history limits are the server's ({@code --max-history}, {@code --history-budget},
 * {@code --retention}), counted in bytes on disk.
 */
public final class DiskPublisherProvider implements StreamPublisherProvider {

    @Override
    public String name() {
        return "disk";
    }

    @Override
    public String description() {
        return "streams kept in files on this node's disk, across restarts; one node";
    }

    @Override
    public List<AdapterOption> options() {
        return List.of(
                AdapterOption.of("dir", "execstream-data", "the directory the history is kept in"),
                AdapterOption.of("fsync", "interval", "when writes are forced to disk: always, interval or never"),
                AdapterOption.of("sync-interval", "5ms", "the group commit interval of --fsync interval"));
    }

    @Override
    public StreamPublisher create(AdapterContext context) {
        String fsync = context.options().string("fsync");
        FsyncPolicy policy;
        try {
            policy = FsyncPolicy.valueOf(fsync.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fsync must be always, interval or never, not \"" + fsync + "\"");
        }
        DiskStreamPublisher.Builder disk = DiskStreamPublisher.builder()
                .directory(context.options().path("dir"))
                .fsync(policy)
                .syncInterval(context.options().duration("sync-interval"))
                .limits(context.limits());
        if (context.deliveryThreads() > 0) {
            disk.delivery(DeliverySettings.batchedForNonBlockingSubscribers(context.deliveryThreads()));
        }
        return disk.build();
    }
}
