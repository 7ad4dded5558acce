package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.ProjectId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
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
        assertEquals(bad + " line 2: expected 'KEY' or 'KEY project-a,project-b' (projects separated by commas, no spaces),"
                + " optionally followed by name=NAME and role=viewer|operator|admin, in either order", refusal(bad));
        Path badName = Files.writeString(dir.resolve("bad-name"), "key-1 name=al ice\nkey-2 name=-x\n");
        assertEquals(badName + " line 1: expected 'KEY' or 'KEY project-a,project-b' (projects separated by commas, no spaces),"
                + " optionally followed by name=NAME and role=viewer|operator|admin, in either order", refusal(badName));
        Files.writeString(badName, "key-2 alpha name=-x\n");
        assertEquals(badName + " line 1: '-x' is not a valid key name: use 1 to 64 letters, digits, '.', '_', '@' or '-',"
                + " starting with a letter or digit", refusal(badName));
    }

    @Test
    void aKeyIsNamedByItsLineOrByTheStartOfItsDigest() throws Exception {
        Path file = Files.writeString(dir.resolve("named"), "# old lines still read\n"
                + "k-old\nk-scoped alpha,beta\nk-named name=ops.team@example\nk-both alpha name=alice  # a comment\n");
        ApiKeys keys = ApiKeys.load(file);
        assertEquals("key-" + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest("k-old".getBytes(StandardCharsets.UTF_8)), 0, 4),
                keys.check("k-old").orElseThrow().name());
        assertEquals(ApiKeys.defaultName("k-scoped"), keys.check("k-scoped").orElseThrow().name());
        assertFalse(keys.check("k-scoped").orElseThrow().allProjects());
        assertEquals("ops.team@example", keys.check("k-named").orElseThrow().name());
        assertTrue(keys.check("k-named").orElseThrow().allProjects());
        ApiKeys.Grant both = keys.check("k-both").orElseThrow();
        assertEquals("alice", both.name());
        assertTrue(both.allows(ProjectId.of("alpha")));
        assertFalse(both.allows(ProjectId.of("beta")));
        assertEquals(ApiKeys.defaultName("solo"), ApiKeys.single("solo").check("solo").orElseThrow().name());
    }

    @Test
    void aLineMayGiveARoleBesideItsNameInEitherOrder() throws IOException {
        Path file = Files.writeString(dir.resolve("roles"), "k-old\nk-viewer alpha role=viewer name=watcher\n"
                + "k-operator name=ops role=operator\nk-admin role=admin\n");
        ApiKeys keys = ApiKeys.load(file);
        assertEquals(ApiKeys.Role.ADMIN, keys.check("k-old").orElseThrow().role());
        ApiKeys.Grant viewer = keys.check("k-viewer").orElseThrow();
        assertEquals(ApiKeys.Role.VIEWER, viewer.role());
        assertEquals("watcher", viewer.name());
        assertTrue(viewer.allows(ProjectId.of("alpha")));
        assertEquals(ApiKeys.Role.OPERATOR, keys.check("k-operator").orElseThrow().role());
        assertEquals("ops", keys.check("k-operator").orElseThrow().name());
        assertEquals(ApiKeys.Role.ADMIN, keys.check("k-admin").orElseThrow().role());
        assertEquals(ApiKeys.Role.ADMIN, ApiKeys.single("solo").check("solo").orElseThrow().role());
        assertTrue(ApiKeys.Role.OPERATOR.includes(ApiKeys.Role.VIEWER));
        assertFalse(ApiKeys.Role.OPERATOR.includes(ApiKeys.Role.ADMIN));

        Path bad = Files.writeString(dir.resolve("bad-role"), "k-1 role=owner\n");
        assertEquals(bad + " line 1: 'owner' is not a role: use role=viewer, role=operator or role=admin", refusal(bad));
        Files.writeString(bad, "k-1 role=viewer alpha\n");
        assertTrue(refusal(bad).startsWith(bad + " line 1: expected 'KEY'"));
        Files.writeString(bad, "k-1 role=viewer role=admin\n");
        assertTrue(refusal(bad).startsWith(bad + " line 1: expected 'KEY'"));
    }
}
