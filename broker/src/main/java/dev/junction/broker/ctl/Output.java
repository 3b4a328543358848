package dev.junction.broker.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ctl} prints on standard output: tables as rabbitmqctl prints them (a header line, then one
 * tab-separated line per row), or with {@code --json} one JSON document for scripts; and a one-line confirmation of
 * a change unless {@code --quiet} or {@code --json} asked for silence.
 */
final class Output {
    private final PrintStream out;
    private final boolean json;
    private final boolean quiet;
    private final boolean headers;

    Output(PrintStream out, boolean json, boolean quiet, boolean headers) {
        this.out = out;
        this.json = json;
        this.quiet = quiet;
        this.headers = headers;
    }

    boolean json() {
        return json;
    }

    /**
     * Prints {@code rows} (a JSON array of objects) with the given columns. With {@code --json} the result is an
     * array of objects holding only those columns, their values as the API gave them.
     */
    void table(List<Column> columns, JsonNode rows) {
        List<JsonNode> list = new ArrayList<>();
        rows.forEach(list::add);
        if (json) {
            ArrayNode array = ApiClient.JSON.createArrayNode();
            for (JsonNode row : list) {
                ObjectNode picked = array.addObject();
                for (Column c : columns) {
                    JsonNode value = c.valueIn(row);
                    picked.set(c.name(), value.isMissingNode() ? NullNode.getInstance() : value);
                }
            }
            document(array);
            return;
        }
        if (headers) {
            out.println(String.join("\t", columns.stream().map(Column::name).toList()));
        }
        for (JsonNode row : list) {
            out.println(String.join("\t", columns.stream().map(c -> cell(c.valueIn(row))).toList()));
        }
    }

    /** Prints one JSON document, pretty, for {@code --json}. */
    void document(JsonNode node) {
        try {
            out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print JSON", e);
        }
    }

    /** A line of text (status lines, an exported document). */
    void line(String text) {
        out.println(text);
    }

    /** The confirmation of a change, such as {@code user 'bob' added}; silent with --quiet or --json. */
    void done(String message) {
        if (!quiet && !json) {
            out.println(message);
        }
    }

    /**
     * One table cell: text as it is, numbers and booleans as written, a list of scalars as {@code [a, b]} (as
     * rabbitmqctl prints tags), anything else as compact JSON. A tab or line break inside a value is written as
     * {@code \t}, {@code \n} or {@code \r}, so that a row stays one line with a fixed number of fields.
     */
    static String cell(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "";
        }
        String text;
        if (value.isValueNode()) {
            text = value.asText();
        } else if (value.isArray() && allScalars(value)) {
            List<String> items = new ArrayList<>();
            value.forEach(v -> items.add(v.asText()));
            text = "[" + String.join(", ", items) + "]";
        } else {
            text = value.toString();
        }
        return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static boolean allScalars(JsonNode array) {
        for (JsonNode v : array) {
            if (!v.isValueNode()) {
                return false;
            }
        }
        return true;
    }
}
