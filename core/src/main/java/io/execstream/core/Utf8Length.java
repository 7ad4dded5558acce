package io.execstream.core;

/** UTF-8 sizes of text, counted without encoding it. */
final class Utf8Length {
    private Utf8Length() {
    }

    /**
     * A prefix of some text that fits a byte limit ({@code chars} long, {@code bytes} of UTF-8),
     * and the part of it up to its last line end ({@code lineChars} long, 0 when there is none,
     * {@code lineBytes} of UTF-8).
     */
    record Fit(int chars, int bytes, int lineChars, int lineBytes) {
    }

    /**
     * The longest prefix of {@code text} whose UTF-8 form fits in {@code maxBytes}, never ending
     * between the two halves of a surrogate pair, with its sizes; null when the whole text fits
     * for sure (at 3 bytes a char at most), which is then not counted.
     */
    static Fit prefixWithin(CharSequence text, int maxBytes) {
        int length = text.length();
        if ((long) length * 3 <= maxBytes) {
            return null;
        }
        int bytes = 0;
        int i = 0;
        int lineChars = 0;
        int lineBytes = 0;
        while (i < length) {
            char c = text.charAt(i);
            int charBytes;
            int chars = 1;
            if (c < 0x80) {
                charBytes = 1;
            } else if (c < 0x800) {
                charBytes = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                charBytes = 4;
                chars = 2;
            } else {
                charBytes = 3;
            }
            if (bytes + charBytes > maxBytes) {
                break;
            }
            bytes += charBytes;
            i += chars;
            if (c == '\n') {
                lineChars = i;
                lineBytes = bytes;
            }
        }
        return new Fit(i, bytes, lineChars, lineBytes);
    }
}
