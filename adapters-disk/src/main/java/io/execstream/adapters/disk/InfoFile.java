package io.execstream.adapters.disk;

import io.execstream.domain.Interaction;
import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Properties;

/**
 * A stream's metadata in the file {@code info} of its directory, as Java properties: what
 * {@link io.execstream.ports.StreamPublisher#find} shows, and when the stream finished. Rewritten
 * whole on open, on a change of session state and on completion: written to {@code info.tmp}, made
 * durable if the fsync policy asks for it, then renamed over {@code info}, so that a crash leaves
 * either the old file or the new one. A pending permission request is not kept: a session found
 * awaiting one at start-up is shown idle.
 */
final class InfoFile {
    static final String NAME = "info";

    /** What the file holds. */
    record Content(StreamInfo info, Instant completedAt) {
    }

    private InfoFile() {
    }

    static void write(Path streamDir, StreamInfo info, Instant completedAt, boolean durable) throws IOException {
        Properties p = new Properties();
        p.setProperty("id", info.id().value());
        p.setProperty("project", info.project().value());
        p.setProperty("status", info.status().name());
        p.setProperty("startedAt", info.startedAt().toString());
        p.setProperty("interaction", info.interaction().name());
        putIfPresent(p, "exitCode", info.exitCode());
        putIfPresent(p, "durationMs", info.durationMs());
        putIfPresent(p, "doneEventId", info.doneEventId());
        putIfPresent(p, "completedAt", completedAt);
        SessionState session = info.session();
        if (session != null) {
            p.setProperty("session.activity", session.activity().name());
            p.setProperty("session.turns", Integer.toString(session.turns()));
            putIfPresent(p, "session.costUsd", session.costUsd());
        }
        Path tmp = streamDir.resolve(NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = Channels.newOutputStream(channel)) {
            p.store(out, null);
            if (durable) {
                channel.force(true);
            }
        }
        Files.move(tmp, streamDir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** @throws IOException if the file is missing or does not hold a stream */
    static Content read(Path streamDir) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(streamDir.resolve(NAME))) {
            p.load(in);
        }
        try {
            Interaction interaction = Interaction.valueOf(p.getProperty("interaction", "NONE"));
            SessionState session = null;
            if (p.getProperty("session.activity") != null) {
                SessionState.Activity activity = SessionState.Activity.valueOf(p.getProperty("session.activity"));
                session = new SessionState(activity == SessionState.Activity.AWAITING_PERMISSION
                        ? SessionState.Activity.IDLE : activity,
                        Integer.parseInt(p.getProperty("session.turns")),
                        p.getProperty("session.costUsd") == null ? null : Double.valueOf(p.getProperty("session.costUsd")));
            }
            StreamInfo info = new StreamInfo(StreamId.of(p.getProperty("id")), ProjectId.of(p.getProperty("project")),
                    StreamStatus.valueOf(p.getProperty("status")),
                    p.getProperty("exitCode") == null ? null : Integer.valueOf(p.getProperty("exitCode")),
                    Instant.parse(p.getProperty("startedAt")),
                    p.getProperty("durationMs") == null ? null : Long.valueOf(p.getProperty("durationMs")),
                    p.getProperty("doneEventId"), interaction, session);
            Instant completedAt = p.getProperty("completedAt") == null ? null : Instant.parse(p.getProperty("completedAt"));
            return new Content(info, completedAt);
        } catch (RuntimeException e) {
            throw new IOException("unreadable stream metadata in " + streamDir.resolve(NAME) + ": " + e.getMessage(), e);
        }
    }

    private static void putIfPresent(Properties p, String key, Object value) {
        if (value != null) {
            p.setProperty(key, value.toString());
        }
    }
}
