package io.execstream.domain;

/** What a running stream takes besides a cancel. */
public enum Interaction {
    /** Nothing: a command whose stdin was closed at start, or a one-prompt agent run. */
    NONE,
    /** Input to its command's stdin ({@code "stdin": true}). */
    STDIN,
    /** Messages, interrupts and a close: a live agent session ({@code "interactive": true}). */
    SESSION
}
