package dev.junction.broker.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Queues, connections and policies: {@code purge_queue}, {@code delete_queue}, {@code close_connection},
 * {@code set_policy}, {@code clear_policy}, over RabbitMQ's URL shapes.
 */
final class ObjectVerbs {
    private static final List<String> APPLY_TO = List.of("queues", "classic_queues", "exchanges", "all");

    private ObjectVerbs() {
    }

    static void purgeQueue(Call call) throws CtlException {
        String vhost = call.options().vhost();
        String queue = call.arg(0);
        call.api().call("DELETE", ApiClient.path("queues", vhost, queue, "contents"), null, queueName(queue, vhost));
        call.out().done("queue '" + queue + "' in vhost '" + vhost + "' purged");
    }

    /** {@code delete_queue [--vhost V] [--if-empty] [--if-unused] QUEUE}: the API answers 400 when a guard holds. */
    static void deleteQueue(Call call) throws CtlException {
        String vhost = call.options().vhost();
        String queue = call.arg(0);
        List<String> guards = new ArrayList<>();
        if (call.options().flag("if-empty")) {
            guards.add("if-empty=true");
        }
        if (call.options().flag("if-unused")) {
            guards.add("if-unused=true");
        }
        String query = guards.isEmpty() ? "" : "?" + String.join("&", guards);
        call.api().call("DELETE", ApiClient.path("queues", vhost, queue) + query, null, queueName(queue, vhost));
        call.out().done("queue '" + queue + "' in vhost '" + vhost + "' deleted");
    }

    /**
     * {@code close_connection NAME [EXPLANATION]}: the name is the one {@code list_connections} prints; the
     * explanation goes in RabbitMQ's {@code X-Reason} header and reaches the client in its close.
     */
    static void closeConnection(Call call) throws CtlException {
        String name = call.arg(0);
        String reason = call.argOr(1, "closed by an administrator");
        call.api().call("DELETE", ApiClient.path("connections", name), null, Map.of("X-Reason", reason),
                "connection '" + name + "' (see list_connections)");
        call.out().done("connection '" + name + "' closed");
    }

    /**
     * {@code set_policy [--vhost V] [--priority N] [--apply-to queues|exchanges|all] NAME PATTERN DEFINITION}:
     * the definition is a JSON object, as with rabbitmqctl.
     */
    static void setPolicy(Call call) throws CtlException {
        String vhost = call.options().vhost();
        String name = call.arg(0);
        JsonNode definition;
        try {
            definition = ApiClient.JSON.readTree(call.arg(2));
        } catch (JsonProcessingException e) {
            throw CtlException.usage("set_policy: the definition must be a JSON object such as"
                    + " '{\"max-length\":1000}': " + e.getOriginalMessage());
        }
        if (definition == null || !definition.isObject()) {
            throw CtlException.usage("set_policy: the definition must be a JSON object such as"
                    + " '{\"max-length\":1000}'");
        }
        String applyTo = call.options().value("apply-to").orElse("all");
        if (!APPLY_TO.contains(applyTo)) {
            throw CtlException.usage("--apply-to must be one of " + String.join(", ", APPLY_TO) + ", got '"
                    + applyTo + "'");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pattern", call.arg(1));
        body.put("definition", definition);
        body.put("priority", call.options().number("priority", Integer.MIN_VALUE, Integer.MAX_VALUE).orElse(0));
        body.put("apply-to", applyTo);
        call.api().call("PUT", ApiClient.path("policies", vhost, name), body,
                "vhost '" + vhost + "', or this broker has no policies endpoint");
        call.out().done("policy '" + name + "' in vhost '" + vhost + "' set");
    }

    static void clearPolicy(Call call) throws CtlException {
        String vhost = call.options().vhost();
        String name = call.arg(0);
        call.api().call("DELETE", ApiClient.path("policies", vhost, name), null,
                "policy '" + name + "' in vhost '" + vhost + "'");
        call.out().done("policy '" + name + "' in vhost '" + vhost + "' cleared");
    }

    private static String queueName(String queue, String vhost) {
        return "queue '" + queue + "' in vhost '" + vhost + "'";
    }
}
