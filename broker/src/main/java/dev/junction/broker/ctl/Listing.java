package dev.junction.broker.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code list_*} verb: the API list it reads, the columns rabbitmqctl knows for it (with their place in the
 * API's objects) and the ones printed when none are asked for. {@code --vhost} keeps the rows of one vhost; without
 * it every vhost the user may see is listed (rabbitmqctl shows "/" only: here a vhost column says which is which).
 *
 * @param path     the API list, such as {@code /api/queues}
 * @param what     what the rows are, for a 404 ("the queue list")
 * @param known    the columns with a name of their own or a nested place; any other API field may be asked for too
 * @param defaults the columns printed when none are asked for
 */
record Listing(String path, String what, List<Column> known, List<String> defaults) {

    static final Listing QUEUES = new Listing("/api/queues", "the queue list",
            List.of(Column.of("name"), Column.of("vhost")),
            List.of("name", "messages"));
    static final Listing EXCHANGES = new Listing("/api/exchanges", "the exchange list",
            List.of(Column.of("name"), Column.of("vhost")),
            List.of("name", "type"));
    static final Listing BINDINGS = new Listing("/api/bindings", "the binding list",
            List.of(Column.at("source_name", "source"), Column.constant("source_kind", "exchange"),
                    Column.at("destination_name", "destination"), Column.at("destination_kind", "destination_type"),
                    Column.of("vhost")),
            List.of("source_name", "source_kind", "destination_name", "destination_kind", "routing_key",
                    "arguments"));
    static final Listing CONNECTIONS = new Listing("/api/connections", "the connection list",
            List.of(Column.of("name"), Column.of("vhost")),
            List.of("name", "user", "vhost", "protocol", "peer_host", "peer_port", "state"));
    static final Listing CONSUMERS = new Listing("/api/consumers", "the consumer list",
            List.of(Column.at("queue_name", "queue.name"), Column.at("vhost", "queue.vhost"),
                    Column.at("channel_pid", "channel_details.name"),
                    Column.at("connection_name", "channel_details.connection_name")),
            List.of("queue_name", "channel_pid", "consumer_tag", "ack_required", "prefetch_count", "active",
                    "arguments"));
    static final Listing USERS = new Listing("/api/users", "the user list",
            List.of(Column.of("name")), List.of("name", "tags"));
    static final Listing VHOSTS = new Listing("/api/vhosts", "the vhost list",
            List.of(Column.of("name")), List.of("name"));
    static final Listing PERMISSIONS = new Listing("/api/permissions", "the permission list",
            List.of(Column.of("vhost")), List.of("vhost", "user", "configure", "write", "read"));
    static final Listing POLICIES = new Listing("/api/policies", "the policy list",
            List.of(Column.of("vhost")), List.of("vhost", "name", "pattern", "apply-to", "definition", "priority"));
    static final Listing MQTT_SESSIONS = new Listing("/api/mqtt/sessions", "the MQTT session list",
            List.of(Column.of("vhost")),
            List.of("vhost", "client_id", "user", "connected", "persistent", "messages_queued",
                    "messages_in_flight"));

    /** Reads the list and prints the asked-for columns ({@code call.args()}), or the defaults. */
    void print(Call call) throws CtlException {
        JsonNode rows = call.api().get(path, what + " (" + path + ")");
        if (!rows.isArray()) {
            throw CtlException.refused("GET " + path + " did not answer a list");
        }
        Optional<String> vhost = call.options().value("vhost");
        if (vhost.isPresent()) {
            Column vhostColumn = column("vhost");
            ArrayNode kept = ApiClient.JSON.createArrayNode();
            rows.forEach(row -> {
                if (vhost.get().equals(vhostColumn.valueIn(row).asText())) {
                    kept.add(row);
                }
            });
            rows = kept;
        }
        List<Column> columns = new ArrayList<>();
        for (String name : call.args().isEmpty() ? defaults : call.args()) {
            for (String each : name.split(",")) {
                if (each.isBlank()) {
                    continue;
                }
                Column c = column(each.strip());
                // An unknown name is caught when there are rows to look in; on an empty list it cannot be told.
                if (rows.size() > 0 && !c.presentIn(rows) && !defaults.contains(c.name())) {
                    throw CtlException.usage("unknown column '" + c.name() + "' for " + call.verb()
                            + " (the API's objects have: " + fieldsOf(rows.get(0)) + ")");
                }
                columns.add(c);
            }
        }
        call.out().table(columns, rows);
    }

    private Column column(String name) {
        return known.stream().filter(c -> c.name().equals(name)).findFirst().orElse(Column.of(name));
    }

    private static String fieldsOf(JsonNode row) {
        List<String> names = new ArrayList<>();
        row.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }
}
