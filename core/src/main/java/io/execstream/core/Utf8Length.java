package io.execstream.core;

/** UTF-8 sizes of text, counted without encoding it. */
final class Utf8Length {
    private Utf8Length() {
    }

    /**
     * The longest prefix of {@code text}, in chars, whose UTF-8 form fits in {@code maxBytes},
     * never ending between the two halves of a surrogate pair.
     */
    static int prefixWithin(CharSequence text, int maxBytes) {
        int length = text.length();
        if ((long) length * 3 <= maxBytes) {
            return length;
        }
        int bytes = 0;
        int i = 0;
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
        }
        return i;
    }
}
