package io.execstream.domain;

/** Which of the command's output streams a piece of output came from. */
public enum OutputType {
    STDOUT, STDERR;

    /** The name used on the wire: {@code stdout} or {@code stderr}. */
    public String wireName() {
        return this == STDOUT ? "stdout" : "stderr";
    }
}
