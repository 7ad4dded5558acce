package io.execstream.adapters.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StderrFilterTest {

    private static final String TAG = "execstream-0123456789abcdef01234567";

    private static String marker(String payload) {
        return "\0" + TAG + ": " + payload + "\n";
    }

    /** Feeds {@code input} in pieces of {@code size} bytes; returns everything delivered. */
    private static String filter(StderrFilter filter, String input, int size) {
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < bytes.length; at += size) {
            out.writeBytes(filter.feed(bytes, at, Math.min(size, bytes.length - at)));
        }
        out.writeBytes(filter.finish());
        return out.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 1000})
    void markersAndKubectlsExitLineAreStripped(int size) {
        StderrFilter filter = new StderrFilter(TAG);
        String input = "Defaulted container \"app\" out of: app, sidecar\n" + marker("started pod-1")
                + "err 1\npartial" + marker("exit 3") + "command terminated with exit code 3\n";
        assertEquals("err 1\npartial", filter(filter, input, size));
        assertTrue(filter.started());
        assertEquals("pod-1", filter.host());
        assertEquals(3, filter.exitCode());
        assertEquals(3, filter.terminatedCode());
        assertFalse(filter.notFound());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 1000})
    void kubectlsOwnLinesBeforeTheStartAreMarkedAsKubectls(int size) {
        StderrFilter filter = new StderrFilter(TAG);
        String input = "W1123 23:59:33.732299   13061 warnings.go:70] deprecated\n" + marker("started pod-1")
                + "the command's own\n" + marker("exit 0");
        assertEquals("kubectl: W1123 23:59:33.732299   13061 warnings.go:70] deprecated\nthe command's own\n",
                filter(filter, input, size));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 1000})
    void kubectlsMessageBeforeTheStartIsDeliveredAtTheEnd(int size) {
        StderrFilter filter = new StderrFilter(TAG);
        String input = "OCI runtime exec failed: exec: \"sh\": executable file not found in $PATH: unknown\n"
                + "command terminated with exit code 126\n";
        assertEquals("kubectl: OCI runtime exec failed: exec: \"sh\": executable file not found in $PATH: unknown\n",
                filter(filter, input, size), "marked as kubectl's, not the command's");
        assertFalse(filter.started());
        assertEquals(126, filter.terminatedCode());
        assertEquals("OCI runtime exec failed: exec: \"sh\": executable file not found in $PATH: unknown\n",
                filter.earlyText());
    }

    @Test
    void aLineLikeKubectlsIsHeldOnlyUntilMoreComes() {
        StderrFilter filter = new StderrFilter(TAG);
        filter.feed(bytes(marker("started")), 0, bytes(marker("started")).length);
        assertEquals("", feed(filter, "command terminated with exit code 5\n"), "could be kubectl's last line");
        assertEquals("command terminated with exit code 5\nnext\n", feed(filter, "next\n"));
        assertEquals("", feed(filter, "comm"), "could become kubectl's line");
        assertEquals("command!\n", feed(filter, "and!\n"));
    }

    @Test
    void ordinaryOutputIsNotHeld() {
        StderrFilter filter = new StderrFilter(TAG);
        feed(filter, marker("started"));
        assertEquals("warning: x\n", feed(filter, "warning: x\n"));
        assertEquals("progress 10%", feed(filter, "progress 10%"));
        assertEquals("\0binary", feed(filter, "\0binary"));
    }

    @Test
    void notFoundMarkerIsRecognised() {
        StderrFilter filter = new StderrFilter(TAG);
        assertEquals("", filter(filter, marker("started") + marker("not-found") + marker("exit 127")
                + "command terminated with exit code 127\n", 5));
        assertTrue(filter.notFound());
        assertEquals(127, filter.exitCode());
    }

    @Test
    void withoutStartNothingIsKnown() {
        StderrFilter filter = new StderrFilter(TAG);
        assertEquals("kubectl: Error from server (NotFound): pods \"x\" not found\n",
                filter(filter, "Error from server (NotFound): pods \"x\" not found\n", 4));
        assertFalse(filter.started());
        assertNull(filter.exitCode());
        assertNull(filter.terminatedCode());
    }

    @Test
    void aMarkerCutOffByTheEndIsDropped() {
        StderrFilter filter = new StderrFilter(TAG);
        assertEquals("out", filter(filter, marker("started") + "out\0" + TAG + ": exi", 3));
        assertNull(filter.exitCode());
    }

    private static String feed(StderrFilter filter, String text) {
        byte[] bytes = bytes(text);
        return new String(filter.feed(bytes, 0, bytes.length), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
