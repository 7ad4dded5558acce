package io.execstream.domain;

/** The UTF-8 size of text, counted without encoding it. */
final class Utf8 {
    private Utf8() {
    }

    static long length(CharSequence s) {
        long bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                // A lone surrogate cannot occur in decoded output; 3 is its worst case anyway.
                bytes += 3;
            }
        }
        return bytes;
    }
}
