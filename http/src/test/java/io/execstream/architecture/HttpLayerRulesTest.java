package io.execstream.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * The HTTP layer is the API without a container: it may use the layers below it and Jackson for
 * bodies, and nothing of a container (no Grizzly, Jetty, servlet or JAX-RS), so that any
 * transport can serve it.
 */
class HttpLayerRulesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(location -> !location.contains("/test-classes/"))
            .importPackages("io.execstream.http");

    @Test
    void theHttpLayerImportsNoContainer() {
        classes().that().resideInAPackage("io.execstream.http..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.crypto..",
                        "io.execstream.domain..", "io.execstream.ports..", "io.execstream.core..", "io.execstream.http..",
                        "com.fasterxml.jackson..")
                .because("a transport implements SseOutput; the HTTP layer knows no container")
                .check(CLASSES);
    }
}
