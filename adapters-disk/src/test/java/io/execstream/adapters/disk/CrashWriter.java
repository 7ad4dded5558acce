package io.execstream.adapters.disk;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The process {@link DiskCrashTest} kills: appends to one stream without end, printing each
 * event's id once {@code append} has returned it, the point a client could have received it.
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    /** Arguments: the directory, the stream id. */
    public static void main(String[] args) {
        DiskStreamPublisher p = DiskStreamPublisher.builder().directory(Path.of(args[0])).build();
        StreamId s = StreamId.of(args[1]);
        p.open(StreamInfo.started(s, ProjectId.of("alpha"), Instant.now()));
        for (int i = 0; ; i++) {
            String id = p.append(s, StreamEvent.Output.stdout(DiskCrashTest.line(i)));
            System.out.println(id);
            System.out.flush();
        }
    }
}
