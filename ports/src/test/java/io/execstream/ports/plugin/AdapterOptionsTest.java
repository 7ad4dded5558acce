package io.execstream.ports.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A provider's options: defaults, typed values, and messages that name the setting as the user wrote it. */
class AdapterOptionsTest {
    private static final List<AdapterOption> DECLARED = List.of(
            AdapterOption.of("url", "a URL"),
            AdapterOption.of("lease", "15s", "a duration"),
            AdapterOption.of("buffer", "16MB", "a size"),
            AdapterOption.of("workers", "4", "a number"),
            AdapterOption.of("root", "./workspaces", "a path"),
            AdapterOption.of("models", "a list"));

    private static AdapterOptions given(Map<String, AdapterOptions.Value> values) {
        return AdapterOptions.of("runner 'demo'", "--runner-option ", DECLARED, values);
    }

    @Test
    void defaultsStandWhenNothingIsGiven() {
        AdapterOptions options = given(Map.of());
        assertEquals(Duration.ofSeconds(15), options.duration("lease"));
        assertEquals(16L << 20, options.size("buffer"));
        assertEquals(4, options.integer("workers", 1, 64));
        assertEquals(Path.of("./workspaces"), options.path("root"));
        assertEquals(Optional.empty(), options.optionalString("url"));
        assertEquals(List.of(), options.list("models"));
    }

    @Test
    void givenValuesWinAndAreTyped() {
        AdapterOptions options = AdapterOptions.of(DECLARED, Map.of("lease", "500ms", "models", "a/b, ,c/d", "url", "http://x"));
        assertEquals(Duration.ofMillis(500), options.duration("lease"));
        assertEquals(List.of("a/b", "c/d"), options.list("models"));
        assertEquals("http://x", options.string("url"));
    }

    @Test
    void messagesNameTheSettingAsTheUserWroteIt() {
        AdapterOptions options = given(Map.of(
                "lease", new AdapterOptions.Value("soon", "--node-lease"),
                "workers", new AdapterOptions.Value("many", "--runner-option workers")));
        assertEquals("--node-lease must be a duration such as 500ms, 15s, 5m, 1h or 2d, got 'soon'",
                assertThrows(IllegalArgumentException.class, () -> options.duration("lease")).getMessage());
        assertEquals("--runner-option workers must be a whole number from 1 to 64, got 'many'",
                assertThrows(IllegalArgumentException.class, () -> options.integer("workers", 1, 64)).getMessage());
        assertEquals("--runner-option url must not be empty (runner 'demo' needs it: --runner-option url=VALUE)",
                assertThrows(IllegalArgumentException.class, () -> options.string("url")).getMessage());
    }

    @Test
    void anOptionThatIsNotDeclaredIsRefusedWithTheOnesThatAre() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> given(Map.of("colour", new AdapterOptions.Value("red", "--runner-option colour"))));
        assertEquals("unknown option 'colour' for runner 'demo': its options are url, lease, buffer, workers, root, models",
                e.getMessage());
        assertEquals("unknown option 'x' for runner 'none': it takes no options", assertThrows(IllegalArgumentException.class,
                () -> AdapterOptions.of("runner 'none'", "--runner-option ", List.of(),
                        Map.of("x", new AdapterOptions.Value("1", "--runner-option x")))).getMessage());
        // Reading an option the provider did not declare is the provider's bug, not the user's.
        assertThrows(IllegalStateException.class, () -> given(Map.of()).string("undeclared"));
    }

    @Test
    void optionNamesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> AdapterOption.of("Bad.Name", "help"));
        assertThrows(IllegalArgumentException.class, () -> AdapterOption.of("a=b", "help"));
    }
}
