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
import java.util.Set;
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
    private static final String[] ADAPTERS = {"dev.junction.amqp..", "dev.junction.mqtt.."};

    /**
     * Adapter classes that still reach past the API: they are moved onto it in the second step of the seam work,
     * which empties this list. A class is named here with its top-level name (its nested classes go with it);
     * adding a name is not a way to make a new dependency pass.
     */
    static final Set<String> NOT_YET_MIGRATED = Set.of(
            "dev.junction.mqtt.Access",
            "dev.junction.mqtt.ClientLanes",
            "dev.junction.mqtt.ConnectFlow",
            "dev.junction.mqtt.InboundPublish",
            "dev.junction.mqtt.Login",
            "dev.junction.mqtt.MqttConnection",
            "dev.junction.mqtt.MqttServer",
            "dev.junction.mqtt.MqttSession",
            "dev.junction.mqtt.MqttWebSocketInitializer",
            "dev.junction.mqtt.Outbound",
            "dev.junction.mqtt.Output",
            "dev.junction.mqtt.ReadControl",
            "dev.junction.mqtt.RetainedMessages",
            "dev.junction.mqtt.SessionCodec",
            "dev.junction.mqtt.SessionRegistry",
            "dev.junction.mqtt.SessionRestore",
            "dev.junction.mqtt.ShareGroups",
            "dev.junction.mqtt.StoreGate",
            "dev.junction.mqtt.StoredSessions",
            "dev.junction.mqtt.SubscribeFlow",
            "dev.junction.mqtt.SubscribeRules",
            "dev.junction.mqtt.Subscriptions",
            "dev.junction.mqtt.TopicRights",
            "dev.junction.mqtt.Violations");

    /** Adapter classes that still use the store directly; a subset of {@link #NOT_YET_MIGRATED}. */
    static final Set<String> STILL_USING_STORAGE = Set.of(
            "dev.junction.mqtt.Login",
            "dev.junction.mqtt.MqttConnection",
            "dev.junction.mqtt.MqttServer",
            "dev.junction.mqtt.RetainedMessages",
            "dev.junction.mqtt.SessionRestore",
            "dev.junction.mqtt.StoreGate",
            "dev.junction.mqtt.StoredSessions");

    private static JavaClasses adapters;

    @BeforeAll
    static void importAdapters() {
        adapters = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.junction.amqp", "dev.junction.mqtt");
    }

    /** What an adapter in {@code own} may depend on: the API packages, its own package, and non-Junction code. */
    private static DescribedPredicate<JavaClass> allowedFor(String own) {
        return JavaClass.Predicates.resideInAnyPackage(own, "dev.junction.routing.api..",
                        "dev.junction.routing.auth..", "dev.junction.routing.guard..", "dev.junction.config..")
                .or(JavaClass.Predicates.resideOutsideOfPackage("dev.junction.."))
                .as("reside in the engine API, routing.auth, routing.guard, config, their own package or a library");
    }

    private static DescribedPredicate<JavaClass> migratedIn(Set<String> notYet) {
        return DescribedPredicate.describe("migrated onto the engine API",
                c -> !notYet.contains(topLevelName(c)));
    }

    private static String topLevelName(JavaClass c) {
        String name = c.getName();
        int nested = name.indexOf('$');
        return nested < 0 ? name : name.substring(0, nested);
    }

    static ArchRule seamRule(String adapterPackage, Set<String> notYetMigrated) {
        return classes().that().resideInAPackage(adapterPackage).and(migratedIn(notYetMigrated))
                .should().onlyDependOnClassesThat(allowedFor(adapterPackage))
                .because("an adapter stands on the engine API only (docs/architecture.md, \"The seam\")");
    }

    static ArchRule storageRule(Set<String> stillUsingStorage) {
        return noClasses().that().resideInAnyPackage(ADAPTERS).and(migratedIn(stillUsingStorage))
                .should().dependOnClassesThat().resideInAPackage("dev.junction.storage..")
                .because("what a protocol keeps (sessions, retained messages) goes through Engine, which owns the store");
    }

    @Test
    void amqpUsesOnlyTheEngineApi() {
        seamRule("dev.junction.amqp..", NOT_YET_MIGRATED).check(adapters);
    }

    @Test
    void mqttUsesOnlyTheEngineApi() {
        seamRule("dev.junction.mqtt..", NOT_YET_MIGRATED).check(adapters);
    }

    @Test
    void noAdapterUsesTheStore() {
        storageRule(STILL_USING_STORAGE).check(adapters);
    }

    /** The rules are not vacuous: a class in an adapter's package that breaks each of them is reported. */
    @Test
    void theRulesCatchAViolation() throws ClassNotFoundException {
        JavaClasses probe = new ClassFileImporter().importClasses(Class.forName("dev.junction.amqp.SeamProbe"));
        EvaluationResult seam = seamRule("dev.junction.amqp..", NOT_YET_MIGRATED).evaluate(probe);
        assertThat(seam.getFailureReport().getDetails())
                .anyMatch(line -> line.contains("dev.junction.routing.VirtualHost"))
                .anyMatch(line -> line.contains("dev.junction.storage.MessageStore"))
                .anyMatch(line -> line.contains("dev.junction.mqtt.MqttSettings"));
        assertThat(storageRule(STILL_USING_STORAGE).evaluate(probe).getFailureReport().getDetails())
                .singleElement().asString().contains("dev.junction.storage.MessageStore");
    }
}
