package io.execstream.http.webhook;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Exact hosts, and {@code *.domain} for the hosts under a domain, in any case. */
class HostAllowListTest {

    @Test
    void matchesExactHostsAndSubdomainsOfAWildcard() {
        HostAllowList allow = HostAllowList.of(List.of("hooks.example.com", " *.corp.example ", "10.0.0.7"));
        assertTrue(allow.allows("hooks.example.com"));
        assertTrue(allow.allows("HOOKS.Example.com"));
        assertTrue(allow.allows("a.corp.example"));
        assertTrue(allow.allows("a.b.corp.example"));
        assertTrue(allow.allows("10.0.0.7"));
        assertFalse(allow.allows("corp.example"), "not the domain itself");
        assertFalse(allow.allows("evilcorp.example"));
        assertFalse(allow.allows("hooks.example.com.evil.org"));
        assertFalse(allow.allows("example.com"));
        assertFalse(allow.allows("10.0.0.70"));
        assertTrue(HostAllowList.of(List.of()).isEmpty());
    }

    @Test
    void refusesWhatIsNotAHost() {
        for (String bad : List.of("*", "*.", "http://x.com", "x.com/path", "a*.b.com", "user@x.com")) {
            assertThrows(IllegalArgumentException.class, () -> HostAllowList.of(List.of(bad)), bad);
        }
    }
}
