package io.execstream.domain;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** The UTF-8 size of text, counted without encoding it, and whether bytes are valid UTF-8. */
final class Utf8 {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {
    }

    /**
     * Whether {@code bytes} are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
     * nothing past U+10FFFF), which is what the JDK decodes without a replacement. Command output
     * is mostly ASCII, so that is tested eight bytes a step first.
     */
    static boolean isValid(byte[] bytes) {
        return isValid(bytes, 0, bytes.length);
    }

    /** Whether {@code bytes[from, to)} are well-formed UTF-8: see {@link #isValid(byte[])}. */
    static boolean isValid(byte[] bytes, int from, int to) {
        int n = to;
        int i = from;
        while (i < n) {
            if (i + 8 <= n && (((long) LONGS.get(bytes, i)) & HIGH_BITS) == 0) {
                i += 8;
                continue;
            }
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                i++;
                continue;
            }
            int length;
            int min = 0x80;
            int max = 0xBF; // the range of the second byte
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                if (b == 0xE0) {
                    min = 0xA0; // overlong below
                } else if (b == 0xED) {
                    max = 0x9F; // surrogates above
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                if (b == 0xF0) {
                    min = 0x90; // overlong below
                } else if (b == 0xF4) {
                    max = 0x8F; // past U+10FFFF above
                }
            } else {
                return false;
            }
            if (i + length > n) {
                return false;
            }
            int second = bytes[i + 1] & 0xff;
            if (second < min || second > max) {
                return false;
            }
            for (int k = 2; k < length; k++) {
                if ((bytes[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += length;
        }
        return true;
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
