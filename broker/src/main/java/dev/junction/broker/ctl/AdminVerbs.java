package dev.junction.broker.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The broker as a whole: {@code status}, {@code export_definitions}, {@code import_definitions}, {@code reload}. */
final class AdminVerbs {
    private static final String ALARMS = "/api/health/checks/alarms";

    private AdminVerbs() {
    }

    /**
     * {@code status}: product and version, node, object and message totals from {@code /api/overview}, and the
     * alarms in effect from RabbitMQ's alarm health check (503 when there are any).
     */
    static void status(Call call) throws CtlException {
        JsonNode overview = call.api().get("/api/overview", "the overview (/api/overview)");
        List<String> alarms = alarms(call.api());
        if (call.out().json()) {
            ObjectNode doc = overview.deepCopy();
            doc.set("alarms", ApiClient.JSON.valueToTree(alarms));
            call.out().document(doc);
            return;
        }
        Output out = call.out();
        out.line("Status of node " + overview.path("node").asText("?") + " at " + call.api().endpoint().base());
        out.line("product\t" + overview.path("product_name").asText("Junction") + " "
                + overview.path("product_version").asText(""));
        JsonNode objects = overview.path("object_totals");
        for (String key : List.of("connections", "channels", "queues", "exchanges", "consumers")) {
            if (objects.has(key)) {
                out.line(key + "\t" + objects.get(key).asText());
            }
        }
        JsonNode totals = overview.path("queue_totals");
        for (String key : List.of("messages", "messages_ready", "messages_unacknowledged")) {
            if (totals.has(key)) {
                out.line(key + "\t" + totals.get(key).asText());
            }
        }
        out.line("alarms\t" + (alarms.isEmpty() ? "none" : String.join(", ", alarms)));
    }

    /** The resources in alarm ("memory", "disk"); RabbitMQ's check answers 503 with the list when there are any. */
    private static List<String> alarms(ApiClient api) throws CtlException {
        JsonNode body = api.get(ALARMS, 503, "the alarm check (" + ALARMS + ")");
        List<String> out = new ArrayList<>();
        body.path("alarms").forEach(a -> out.add(a.path("resource").asText()));
        return out;
    }

    /** {@code export_definitions [FILE|-]}: RabbitMQ's definitions.json; standard output without a file. */
    static void exportDefinitions(Call call) throws CtlException {
        String document = call.api().getText("/api/definitions", "the definitions (/api/definitions)");
        String target = call.argOr(0, "-");
        if (target.equals("-")) {
            call.out().line(pretty(document));
            return;
        }
        try {
            Files.writeString(Path.of(target), pretty(document) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CtlException.usage("cannot write " + target + ": " + e.getMessage());
        }
        call.out().done("definitions exported to " + target);
    }

    /** {@code import_definitions FILE|-}: posts the file as it is; the broker reports what it does not know. */
    static void importDefinitions(Call call) throws CtlException {
        String source = call.arg(0);
        String document;
        try {
            document = source.equals("-") ? new String(call.in().readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(source), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CtlException.usage("cannot read " + source + ": " + e.getMessage());
        }
        try {
            if (!ApiClient.JSON.readTree(document).isObject()) {
                throw CtlException.usage(source + " is not a definitions file (a JSON object)");
            }
        } catch (JsonProcessingException e) {
            throw CtlException.usage(source + " is not valid JSON: " + e.getOriginalMessage());
        }
        call.api().call("POST", "/api/definitions", document, "the definitions endpoint (/api/definitions)");
        call.out().done("definitions imported from " + source);
    }

    /** {@code reload}: the broker re-reads its config file, as on SIGHUP. */
    static void reload(Call call) throws CtlException {
        call.api().call("POST", "/api/reload", null,
                "the reload endpoint; this broker does not support reload over the API");
        call.out().done("configuration reloaded");
    }

    private static String pretty(String json) throws CtlException {
        try {
            return ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(ApiClient.JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw CtlException.refused("GET /api/definitions did not answer JSON: " + e.getOriginalMessage());
        }
    }
}
