package io.execstream.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * The rules of the layout, each made for a package root so that the same rule checks the real
 * modules and, in {@link LayoutRulesFailTest}, a fixture that breaks it.
 */
final class LayoutRules {
    /** What every module may use of the JDK. */
    static final String[] JDK = {"java..", "javax.crypto..", "javax.tools..", "javax.annotation.processing.."};

    private LayoutRules() {
    }

    /** Classes under {@code root} use the JDK and the given packages only. */
    static ArchRule onlyUses(String root, String because, String... allowed) {
        return classes().that().resideInAPackage(root)
                .should().onlyDependOnClassesThat().resideInAnyPackage(with(JDK, with(new String[] {root}, allowed)))
                .because(because);
    }

    /** Classes under {@code root} use none of the given packages. */
    static ArchRule usesNone(String root, String because, String... forbidden) {
        return noClasses().that().resideInAPackage(root)
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .because(because);
    }

    /**
     * No adapter under {@code adaptersRoot} (a package each, e.g. {@code ...adapters.local})
     * uses another, except the shared {@code support} package.
     */
    static Stream<ArchRule> adaptersUseNoOtherAdapter(String adaptersRoot, String... adapters) {
        return Arrays.stream(adapters).map(adapter -> noClasses()
                .that().resideInAPackage(adaptersRoot + "." + adapter + "..")
                .should().dependOnClassesThat(com.tngtech.archunit.core.domain.JavaClass.Predicates
                        .resideInAPackage(adaptersRoot + "..")
                        .and(com.tngtech.archunit.base.DescribedPredicate.not(com.tngtech.archunit.core.domain.JavaClass.Predicates
                                .resideInAnyPackage(adaptersRoot + "." + adapter + "..", adaptersRoot + ".support.."))))
                .because("an adapter is one module of its own: it may reuse adapter-support, never another adapter"));
    }

    static String[] with(String[] base, String... more) {
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
