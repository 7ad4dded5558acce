package io.execstream.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries of DESIGN.md, checked on the compiled classes: the domain, the ports,
 * adapter-support and the core use the JDK (and at most the SLF4J API), and each leans only on
 * the layers below it; the core does not use adapter-support.
 */
class DependencyRulesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(location -> !location.contains("/test-classes/"))
            .importPackages("io.execstream.domain", "io.execstream.ports", "io.execstream.adapters.support",
                    "io.execstream.core");

    private static final String[] JDK = {"java..", "javax.crypto..", "javax.annotation.processing.."};

    @Test
    void domainUsesTheJdkOnly() {
        classes().that().resideInAPackage("io.execstream.domain..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(with(JDK, "io.execstream.domain.."))
                .check(CLASSES);
    }

    @Test
    void portsUseTheJdkAndTheDomainOnly() {
        classes().that().resideInAPackage("io.execstream.ports..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage(with(JDK, "io.execstream.domain..", "io.execstream.ports.."))
                .check(CLASSES);
    }

    @Test
    void adapterSupportUsesTheJdkTheDomainAndThePortsOnly() {
        classes().that().resideInAPackage("io.execstream.adapters.support..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage(with(JDK, "io.execstream.domain..", "io.execstream.ports..", "io.execstream.adapters.support.."))
                .check(CLASSES);
    }

    @Test
    void coreUsesTheJdkTheDomainThePortsAndAtMostSlf4j() {
        classes().that().resideInAPackage("io.execstream.core..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage(with(JDK, "io.execstream.domain..", "io.execstream.ports..", "io.execstream.core..", "org.slf4j"))
                .check(CLASSES);
    }

    @Test
    void noLayerReachesForAnAdapterOrTheServer() {
        noClasses().that().resideInAnyPackage("io.execstream.domain..", "io.execstream.ports..", "io.execstream.core..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.execstream.adapters..", "io.execstream.server..", "io.execstream.client..")
                .check(CLASSES);
    }

    private static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
