package dev.junction.broker.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * One column of a list: the name rabbitmqctl uses for it and where its value sits in the API's JSON object, a
 * dotted path ({@code queue.name}) or a fixed value (a binding's {@code source_kind} is always "exchange").
 *
 * @param name  the column's name, in the header and in {@code --json} output
 * @param path  the dotted path of the value in each row, or null for {@code fixed}
 * @param fixed the value of every row when {@code path} is null
 */
record Column(String name, String path, String fixed) {
    /** A column whose value is the API field of the same name. */
    static Column of(String name) {
        return new Column(name, name, null);
    }

    static Column at(String name, String path) {
        return new Column(name, path, null);
    }

    static Column constant(String name, String value) {
        return new Column(name, null, value);
    }

    JsonNode valueIn(JsonNode row) {
        if (path == null) {
            return TextNode.valueOf(fixed);
        }
        JsonNode node = row;
        for (String part : path.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node == null ? MissingNode.getInstance() : node;
    }

    /** Whether any row has this column (a fixed one always has). */
    boolean presentIn(JsonNode rows) {
        if (path == null) {
            return true;
        }
        for (JsonNode row : rows) {
            if (!valueIn(row).isMissingNode()) {
                return true;
            }
        }
        return false;
    }
}
