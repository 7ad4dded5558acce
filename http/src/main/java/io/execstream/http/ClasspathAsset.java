package io.execstream.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** A file the server serves as it is, read once from the server's own jar. */
public record ClasspathAsset(byte[] bytes, String contentType) {

    /**
     * Reads {@code name}, relative to this package.
     *
     * @throws IllegalStateException when the jar lacks it, which is a build error
     */
    static ClasspathAsset load(String name, String contentType) {
        try (InputStream in = ClasspathAsset.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the server's jar lacks " + name);
            }
            return new ClasspathAsset(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " from the server's jar", e);
        }
    }
}
