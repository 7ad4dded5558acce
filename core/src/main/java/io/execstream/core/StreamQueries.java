package io.execstream.core;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import java.util.List;

/** Reads what is known of streams. */
public interface StreamQueries {

    /** @throws io.execstream.domain.StreamNotFoundException if {@code project} has no such stream */
    StreamInfo status(ProjectId project, StreamId stream);

    /** Up to {@code limit} streams of {@code project}, newest first. */
    List<StreamInfo> list(ProjectId project, int limit);
}
