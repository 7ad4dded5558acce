package io.execstream.architecture;

import static io.execstream.architecture.LayoutRules.adaptersUseNoOtherAdapter;
import static io.execstream.architecture.LayoutRules.onlyUses;
import static io.execstream.architecture.LayoutRules.usesNone;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * The rules can fail: each kind, made for the fixture's package root, is broken by a fixture class
 * of this module's tests, and must say so. A rule that passed on anything would guard nothing.
 */
class LayoutRulesFailTest {
    private static final String FIXTURE = "io.execstream.architecture.fixture";
    private static final JavaClasses CLASSES = new ClassFileImporter().importPackages(FIXTURE);

    @Test
    void aDomainClassThatUsesALibraryBreaksItsRule() {
        AssertionError broken = assertThrows(AssertionError.class,
                () -> onlyUses(FIXTURE + ".domain..", "the fixture's domain is JDK only").check(CLASSES));
        assertTrue(broken.getMessage().contains("LeakyValue"), broken.getMessage());
    }

    @Test
    void anAdapterThatUsesAnotherBreaksItsRule() {
        AssertionError broken = assertThrows(AssertionError.class,
                () -> adaptersUseNoOtherAdapter(FIXTURE + ".adapters", "one", "two").forEach(rule -> rule.check(CLASSES)));
        assertTrue(broken.getMessage().contains("ReachingAdapter"), broken.getMessage());
    }

    @Test
    void aForbiddenPackageBreaksItsRule() {
        assertThrows(AssertionError.class, () -> usesNone(FIXTURE + ".adapters.one..", "one names not two",
                FIXTURE + ".adapters.two..").check(CLASSES));
    }
}
