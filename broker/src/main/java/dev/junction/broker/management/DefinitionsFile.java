package dev.junction.broker.management;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.junction.config.ConfigException;
import dev.junction.config.UserConfig;
import dev.junction.routing.RoutingEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config file's {@code definitions_file}, RabbitMQ's {@code load_definitions}: a {@code definitions.json}
 * imported at every start, after the store is read back and before any listener accepts a client, by the same
 * {@link Definitions#importAll} as {@code POST /api/definitions}. Sections and policy keys Junction does not know
 * are logged and skipped; a file that is not JSON, or an object the import refuses, stops the start with one line
 * naming the file. How it combines with the YAML users and with what the API made: docs/management.md.
 */
public final class DefinitionsFile {
    private static final Logger LOG = LoggerFactory.getLogger(DefinitionsFile.class);
    /** The import runs as the broker itself: every object of the file is applied, as for an administrator. */
    static final Caller BOOT = new Caller(new UserConfig("definitions_file", Optional.empty(),
            Optional.empty(), List.of("administrator"), false, Map.of(), List.of()));

    private DefinitionsFile() {
    }

    /**
     * Imports {@code file} into {@code engine}, whose user directory must already be loaded; the caller lays the
     * config file's users over the result again afterwards, so that the YAML wins for the users it declares.
     */
    public static void load(RoutingEngine engine, Path file) throws ConfigException {
        apply(engine, file, read(file));
    }

    /** Reads and parses {@code file}, changing nothing: a reload checks the file before it applies anything. */
    public static Map<String, Object> read(Path file) throws ConfigException {
        String source = file.toAbsolutePath().toString();
        Map<String, Object> document;
        try {
            Object v = ManagementApi.JSON.readValue(Files.readAllBytes(file), Object.class);
            if (!(v instanceof Map<?, ?>)) {
                throw new ConfigException(source, 0, "", "a definitions file must be a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) v;
            document = map;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String column = at == null || at.getColumnNr() < 0 ? "" : " (column " + at.getColumnNr() + ")";
            throw new ConfigException(source, at == null ? 0 : at.getLineNr(), "",
                    "malformed JSON" + column + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(source, 0, "", "cannot read the definitions file: " + e);
        }
        return document;
    }

    /**
     * Imports a {@code document} read from {@code file} (by {@link #read}); what was applied before an object the
     * import refuses stays, as with {@code POST /api/definitions}.
     */
    public static void apply(RoutingEngine engine, Path file, Map<String, Object> document) throws ConfigException {
        String source = file.toAbsolutePath().toString();
        UserDirectory users = new UserDirectory(engine);
        EntityResource entities = new EntityResource(engine);
        Definitions definitions = new Definitions(engine, users, entities,
                new AccessResource(engine, users, BrokerControl.NONE), new PolicyResource(engine, entities));
        try {
            definitions.importAll(document, null, BOOT);
        } catch (ApiError e) {
            throw new ConfigException(source, 0, "", "definitions not imported: " + e.getMessage());
        } catch (dev.junction.routing.api.BrokerException e) {
            throw new ConfigException(source, 0, "", "definitions not imported: " + e.getMessage());
        }
        LOG.info("definitions imported from {}", source);
    }
}
