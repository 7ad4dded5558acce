package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A keys file the server cannot use: the one line it stops with says which file, and why. */
class ApiKeysTest {
    @TempDir
    Path dir;

    private static String refusal(Path file) {
        return assertThrows(IllegalArgumentException.class, () -> ApiKeys.load(file)).getMessage();
    }

    @Test
    void aFileThatCannotBeReadSaysWhy() throws IOException {
        Path missing = dir.resolve("api-keys.txt");
        assertEquals("cannot read --api-keys-file " + missing + ": no such file", refusal(missing));
        assertEquals("cannot read --api-keys-file " + dir + ": is a directory", refusal(dir));
        Path binary = Files.write(dir.resolve("binary"), new byte[] {(byte) 0xff, (byte) 0xfe, '\n'});
        assertEquals("cannot read --api-keys-file " + binary + ": it is not UTF-8 text", refusal(binary));
    }

    @Test
    void anUnreadableFileIsPermissionDenied() throws IOException {
        Path locked = Files.writeString(dir.resolve("locked"), "key\n");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        if (Files.isReadable(locked)) {
            return; // root reads it anyway: nothing to see here
        }
        assertEquals("cannot read --api-keys-file " + locked + ": permission denied", refusal(locked));
    }

    @Test
    void aFileWithoutKeysOrWithABadLineSaysWhere() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty"), "# nothing yet\n\n");
        assertEquals(empty + " holds no key", refusal(empty));
        Path bad = Files.writeString(dir.resolve("bad"), "key-1\nkey-2 project-a, project-b\n");
        assertEquals(bad + " line 2: expected 'KEY' or 'KEY project-a,project-b' (projects separated by commas, no spaces)",
                refusal(bad));
    }
}
