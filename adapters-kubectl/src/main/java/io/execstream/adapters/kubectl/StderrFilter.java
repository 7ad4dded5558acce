package io.execstream.adapters.kubectl;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes kubectl's stderr apart as it is read: the command's own stderr goes through at once;
 * the wrapper's marker lines and kubectl's {@code command terminated with exit code N} line are
 * recognised and stripped; what kubectl writes before the command starts is held back until
 * it is known whether the command started (kubectl's error message when not).
 *
 * <ul>
 *   <li>Before the {@code started} marker everything is kubectl's (or the container runtime's):
 *       it is held, then delivered when the command starts (without kubectl's
 *       {@code Defaulted container} notice) or at the end, where it is also the message of the
 *       failure.</li>
 *   <li>A marker is {@code NUL tag ": " payload LF}, where the tag holds a random nonce: it may
 *       follow a partial line of the command's own output, and only a trailing fragment that
 *       could begin one is held back until the next read.</li>
 *   <li>kubectl prints {@code command terminated with exit code N} after everything else, so a
 *       trailing line that is or could become it is held back until more output shows it was
 *       not the last one, and stripped at the end of the stream.</li>
 * </ul>
 *
 * <p>Thread-safe: the stderr reader feeds it, and the waiter may finish it.
 */
final class StderrFilter {

    /** How much is held back at most: beyond it, held text is delivered as it is. */
    static final int HOLD_LIMIT = 64 * 1024;
    /** How much of kubectl's early output is kept for the failure message. */
    private static final int MESSAGE_LIMIT = 4096;

    private static final byte[] TERMINATED = "command terminated with exit code ".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern TERMINATED_LINE = Pattern.compile("command terminated with exit code (\\d{1,3})\\r?\\n?");
    private static final Pattern EXIT = Pattern.compile("exit (\\d{1,3})");
    private static final Pattern STARTED = Pattern.compile("started(?: (.*))?");
    private static final String DEFAULTED = "Defaulted container ";
    private static final byte[] KUBECTL = Outcome.KUBECTL.getBytes(StandardCharsets.US_ASCII);

    private final byte[] token;
    private byte[] held = new byte[1024];
    private int length;
    /** Whether held[0] begins a line of the output as the client sees it. */
    private boolean lineStart = true;
    private boolean finished;

    private boolean started;
    private final ByteArrayOutputStream early = new ByteArrayOutputStream();
    private final ByteArrayOutputStream message = new ByteArrayOutputStream();
    private String host;
    private boolean notFound;
    private boolean cancelled;
    private Integer exitCode;
    private Integer terminatedCode;

    /** @param tag the wrapper's tag, {@code execstream-<nonce>} */
    StderrFilter(String tag) {
        this.token = ("\0" + tag + ": ").getBytes(StandardCharsets.US_ASCII);
    }

    /** Takes the next bytes read; returns what to deliver now, possibly nothing. */
    synchronized byte[] feed(byte[] data, int offset, int count) {
        if (finished) {
            return new byte[0];
        }
        append(data, offset, count);
        ByteArrayOutputStream out = new ByteArrayOutputStream(count + 64);
        process(out, false);
        return out.toByteArray();
    }

    /** The end of the stream: returns what is left to deliver. Later calls return nothing. */
    synchronized byte[] finish() {
        if (finished) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        process(out, true);
        finished = true;
        if (!started) {
            byte[] text = early.toByteArray();
            int cut = terminatedLineStart(text, 0, text.length, true, true);
            if (cut < text.length) {
                terminatedCode = parseTerminated(text, cut, text.length);
            }
            writeAsKubectls(out, text, 0, cut);
            // The message keeps what kubectl said, without the exit line.
            byte[] said = message.toByteArray();
            int messageCut = terminatedLineStart(said, 0, said.length, true, true);
            message.reset();
            message.write(said, 0, messageCut);
            early.reset();
        }
        return out.toByteArray();
    }

    synchronized boolean started() {
        return started;
    }

    /** The pod's host name as the wrapper saw it; null if unknown. */
    synchronized String host() {
        return host;
    }

    synchronized boolean notFound() {
        return notFound;
    }

    /** Whether the wrapper stopped the command for a {@code .cancel} file a stop left (one that came before the pid file). */
    synchronized boolean cancelled() {
        return cancelled;
    }

    /** The command's exit status as the wrapper reported it; null if it did not. */
    synchronized Integer exitCode() {
        return exitCode;
    }

    /** N of kubectl's {@code command terminated with exit code N} line; null if none was seen. */
    synchronized Integer terminatedCode() {
        return terminatedCode;
    }

    /** What kubectl wrote before the command started (at most a few KiB), without its exit line. */
    synchronized String earlyText() {
        return message.toString(StandardCharsets.UTF_8);
    }

    private void process(ByteArrayOutputStream out, boolean eof) {
        while (length > 0) {
            int at = indexOf(held, length, token);
            if (at >= 0) {
                int payload = at + token.length;
                int end = indexOf(held, payload, length, (byte) '\n');
                if (end < 0) {
                    if (eof) {
                        // A marker cut off by the end of the stream: the wrapper's, not the command's.
                        text(out, 0, at, true, true);
                        length = 0;
                        return;
                    }
                    if (length - at > 1024) {
                        // Too long for a marker: text after all.
                        int consumed = text(out, 0, at + 1, true, false);
                        drop(consumed);
                        continue;
                    }
                    drop(text(out, 0, at, true, false));
                    return;
                }
                text(out, 0, at, true, false);
                marker(out, new String(held, payload, end - payload, StandardCharsets.UTF_8));
                drop(end + 1);
                lineStart = true;
                continue;
            }
            int keep = eof ? 0 : partialToken();
            int consumed = text(out, 0, length - keep, keep > 0, eof);
            if (consumed < length - keep && length > HOLD_LIMIT) {
                // A held line that long cannot be kubectl's exit line.
                consumed += text(out, consumed, length - keep, true, false);
            }
            drop(consumed);
            return;
        }
    }

    /**
     * Hands over held[from, to): to {@code early} before the start, else to {@code out}, holding
     * back a trailing line that may be kubectl's exit line unless more output follows it.
     *
     * @return how many bytes were taken (from {@code from})
     */
    private int text(ByteArrayOutputStream out, int from, int to, boolean followed, boolean eof) {
        if (to <= from) {
            return 0;
        }
        if (!started) {
            early.write(held, from, to - from);
            if (message.size() < MESSAGE_LIMIT) {
                message.write(held, from, Math.min(to - from, MESSAGE_LIMIT - message.size()));
            }
            if (early.size() > HOLD_LIMIT) {
                out.writeBytes(early.toByteArray());
                early.reset();
            }
            return to - from;
        }
        int take = to;
        if (eof) {
            int cut = terminatedLineStart(held, from, to, lineStart, true);
            if (cut < to) {
                terminatedCode = parseTerminated(held, cut, to);
                out.write(held, from, cut - from);
                lineStart = true;
                return to - from;
            }
        } else if (!followed) {
            take = terminatedLineStart(held, from, to, lineStart, false);
        }
        out.write(held, from, take - from);
        if (take > from) {
            lineStart = held[take - 1] == '\n';
        }
        return take - from;
    }

    private void marker(ByteArrayOutputStream out, String payload) {
        Matcher exit = EXIT.matcher(payload);
        if (payload.equals("not-found")) {
            notFound = true;
        } else if (payload.equals("cancelled")) {
            cancelled = true;
        } else if (exit.matches()) {
            exitCode = Integer.parseInt(exit.group(1));
        } else {
            Matcher start = STARTED.matcher(payload);
            if (start.matches() && !started) {
                started = true;
                host = start.group(1) == null || start.group(1).isBlank() ? null : start.group(1).trim();
                writeWithoutNotices(out, early.toByteArray());
                early.reset();
                message.reset();
            }
        }
    }

    /** kubectl's {@code Defaulted container "a" out of: a, b} tells how it chose, not what the command said. */
    private static void writeWithoutNotices(ByteArrayOutputStream out, byte[] text) {
        int start = 0;
        while (start < text.length) {
            int end = indexOf(text, start, text.length, (byte) '\n');
            end = end < 0 ? text.length : end + 1;
            String line = new String(text, start, Math.min(end - start, DEFAULTED.length()), StandardCharsets.US_ASCII);
            if (!line.equals(DEFAULTED)) {
                writeAsKubectls(out, text, start, end);
            }
            start = end;
        }
    }

    /** Lines kubectl wrote (not the command): each starts with {@code kubectl: } in the stream. */
    private static void writeAsKubectls(ByteArrayOutputStream out, byte[] text, int from, int to) {
        int start = from;
        while (start < to) {
            int end = indexOf(text, start, to, (byte) '\n');
            end = end < 0 ? to : end + 1;
            out.writeBytes(KUBECTL);
            out.write(text, start, end - start);
            start = end;
        }
    }

    /**
     * Where the trailing line of text[from, to) begins if it is (at the end: exactly; before:
     * possibly, once more bytes come) kubectl's exit line; {@code to} if it is not.
     */
    private static int terminatedLineStart(byte[] text, int from, int to, boolean startsLine, boolean complete) {
        if (to <= from) {
            return to;
        }
        int searchEnd = text[to - 1] == '\n' ? to - 1 : to;
        int lastBreak = lastIndexOf(text, from, searchEnd, (byte) '\n');
        int lineBegin;
        if (lastBreak >= 0) {
            lineBegin = lastBreak + 1;
        } else if (startsLine) {
            lineBegin = from;
        } else {
            return to;
        }
        String line = new String(text, lineBegin, to - lineBegin, StandardCharsets.ISO_8859_1);
        if (TERMINATED_LINE.matcher(line).matches()) {
            return lineBegin;
        }
        if (!complete && searchEnd == to && couldBecomeTerminated(line)) {
            return lineBegin;
        }
        return to;
    }

    private static boolean couldBecomeTerminated(String fragment) {
        String phrase = new String(TERMINATED, StandardCharsets.US_ASCII);
        if (fragment.length() <= phrase.length()) {
            return phrase.startsWith(fragment);
        }
        return fragment.startsWith(phrase) && fragment.length() <= phrase.length() + 4
                && fragment.substring(phrase.length()).chars().allMatch(ch -> ch >= '0' && ch <= '9' || ch == '\r');
    }

    private static Integer parseTerminated(byte[] text, int from, int to) {
        Matcher matcher = TERMINATED_LINE.matcher(new String(text, from, to - from, StandardCharsets.ISO_8859_1));
        return matcher.matches() ? Integer.valueOf(matcher.group(1)) : null;
    }

    /** The length of the longest suffix of the held bytes that is a proper prefix of the token. */
    private int partialToken() {
        for (int k = Math.min(length, token.length - 1); k > 0; k--) {
            if (Arrays.equals(held, length - k, length, token, 0, k)) {
                return k;
            }
        }
        return 0;
    }

    private void append(byte[] data, int offset, int count) {
        if (length + count > held.length) {
            held = Arrays.copyOf(held, Math.max(held.length * 2, length + count));
        }
        System.arraycopy(data, offset, held, length, count);
        length += count;
    }

    private void drop(int count) {
        System.arraycopy(held, count, held, 0, length - count);
        length -= count;
        if (held.length > 256 * 1024 && length < held.length / 4) {
            held = Arrays.copyOf(held, Math.max(1024, length));
        }
    }

    private static int indexOf(byte[] text, int length, byte[] pattern) {
        byte first = pattern[0];
        for (int i = 0; i + pattern.length <= length; i++) {
            if (text[i] == first && Arrays.equals(text, i, i + pattern.length, pattern, 0, pattern.length)) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] text, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (text[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] text, int from, int to, byte b) {
        for (int i = to - 1; i >= from; i--) {
            if (text[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
