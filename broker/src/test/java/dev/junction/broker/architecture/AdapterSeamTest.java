package dev.junction.broker.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seam between the protocol adapters and the engine (docs/architecture.md, "The seam"): an adapter may use
 * the engine API ({@code routing.api}), the shared access rules ({@code routing.auth}) and guards
 * ({@code routing.guard}), the configuration and libraries, and nothing else of Junction: not the engine's
 * internals, not the store, not another adapter. A third protocol and the management API stand on the same
 * seam, so a shortcut taken by one adapter would be copied by the next.
 *
 * <p>The broker module runs this test because it is the one that sees both adapters on its class path.
 */
class AdapterSeamTest {
    private static final String[] ADAPTERS = {"dev.junction.amqp..", "dev.junction.amqp10..", "dev.junction.mqtt.."};

    private static JavaClasses adapters;

    @BeforeAll
    static void importAdapters() {
        adapters = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.junction.amqp", "dev.junction.amqp10", "dev.junction.mqtt", "dev.junction.protocol");
    }

    /** What an adapter in {@code own} may depend on: the API packages, its own package, and non-Junction code. */
    private static DescribedPredicate<JavaClass> allowedFor(String own) {
        return JavaClass.Predicates.resideInAnyPackage(own, "dev.junction.routing.api..",
                        "dev.junction.routing.auth..", "dev.junction.routing.guard..", "dev.junction.config..",
                        "dev.junction.protocol..")
                .or(JavaClass.Predicates.resideOutsideOfPackage("dev.junction.."))
                .as("reside in the engine API, routing.auth, routing.guard, config, the protocol module SPI, their own"
                        + " package or a library");
    }

    static ArchRule seamRule(String adapterPackage) {
        return classes().that().resideInAPackage(adapterPackage)
                .should().onlyDependOnClassesThat(allowedFor(adapterPackage))
                .because("an adapter stands on the engine API only (docs/architecture.md, \"The seam\")");
    }

    static ArchRule storageRule() {
        return noClasses().that().resideInAnyPackage(ADAPTERS)
                .should().dependOnClassesThat().resideInAPackage("dev.junction.storage..")
                .because("what a protocol keeps (sessions, retained messages) goes through Engine, which owns the store");
    }

    @Test
    void amqpUsesOnlyTheEngineApi() {
        seamRule("dev.junction.amqp..").check(adapters);
    }

    @Test
    void amqp10UsesOnlyTheEngineApi() {
        seamRule("dev.junction.amqp10..").check(adapters);
    }

    @Test
    void mqttUsesOnlyTheEngineApi() {
        seamRule("dev.junction.mqtt..").check(adapters);
    }

    /** The protocol module SPI stands on the same seam as the adapters built on it. */
    @Test
    void protocolModuleSpiUsesOnlyTheEngineApi() {
        seamRule("dev.junction.protocol..").check(adapters);
    }

    @Test
    void noAdapterUsesTheStore() {
        storageRule().check(adapters);
    }

    /** The rules are not vacuous: a class in an adapter's package that breaks each of them is reported. */
    @Test
    void theRulesCatchAViolation() throws ClassNotFoundException {
        JavaClasses probe = new ClassFileImporter().importClasses(Class.forName("dev.junction.amqp.SeamProbe"));
        EvaluationResult seam = seamRule("dev.junction.amqp..").evaluate(probe);
        assertThat(seam.getFailureReport().getDetails())
                .anyMatch(line -> line.contains("dev.junction.routing.VirtualHost"))
                .anyMatch(line -> line.contains("dev.junction.storage.MessageStore"))
                .anyMatch(line -> line.contains("dev.junction.mqtt.MqttSettings"));
        assertThat(storageRule().evaluate(probe).getFailureReport().getDetails())
                .singleElement().asString().contains("dev.junction.storage.MessageStore");
    }
}
