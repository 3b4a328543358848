package dev.junction.broker.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Users and permissions, with rabbitmqctl's arguments: {@code add_user}, {@code delete_user},
 * {@code change_password}, {@code set_user_tags}, {@code set_permissions}, {@code clear_permissions}. A password left
 * off the command line is read from the first line of standard input, as rabbitmqctl does, so that it stays out of
 * the shell history.
 */
final class AccessVerbs {
    private AccessVerbs() {
    }

    /** {@code add_user USER [PASSWORD]}: refuses an existing user, as rabbitmqctl does, rather than changing it. */
    static void addUser(Call call) throws CtlException {
        String user = call.arg(0);
        String path = ApiClient.path("users", user);
        if (call.api().exists(path)) {
            throw CtlException.refused("user '" + user + "' already exists (change_password changes its password)");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("password", password(call, 1));
        body.put("tags", "");
        call.api().call("PUT", path, body, "");
        call.out().done("user '" + user + "' added");
    }

    static void deleteUser(Call call) throws CtlException {
        String user = call.arg(0);
        call.api().call("DELETE", ApiClient.path("users", user), null, "user '" + user + "'");
        call.out().done("user '" + user + "' deleted");
    }

    /** {@code change_password USER [PASSWORD]}: keeps the user's tags. */
    static void changePassword(Call call) throws CtlException {
        String user = call.arg(0);
        String path = ApiClient.path("users", user);
        JsonNode existing = call.api().get(path, "user '" + user + "'");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("password", password(call, 1));
        body.put("tags", tags(existing.get("tags")));
        call.api().call("PUT", path, body, "user '" + user + "'");
        call.out().done("password of user '" + user + "' changed");
    }

    /** {@code set_user_tags USER [TAG ...]}: no tags clears them; keeps the password hash. */
    static void setUserTags(Call call) throws CtlException {
        String user = call.arg(0);
        String path = ApiClient.path("users", user);
        JsonNode existing = call.api().get(path, "user '" + user + "'");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("password_hash", existing.path("password_hash").asText(""));
        if (existing.hasNonNull("hashing_algorithm")) {
            body.put("hashing_algorithm", existing.get("hashing_algorithm").asText());
        }
        body.put("tags", String.join(",", call.args().subList(1, call.args().size())));
        call.api().call("PUT", path, body, "user '" + user + "'");
        call.out().done("tags of user '" + user + "' set to [" + String.join(", ",
                call.args().subList(1, call.args().size())) + "]");
    }

    /** {@code set_permissions [--vhost V] USER CONFIGURE WRITE READ}: RabbitMQ's three regular expressions. */
    static void setPermissions(Call call) throws CtlException {
        String vhost = call.options().vhost();
        String user = call.arg(0);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("configure", call.arg(1));
        body.put("write", call.arg(2));
        body.put("read", call.arg(3));
        call.api().call("PUT", ApiClient.path("permissions", vhost, user), body,
                "user '" + user + "' or vhost '" + vhost + "'");
        call.out().done("permissions of user '" + user + "' in vhost '" + vhost + "' set");
    }

    static void clearPermissions(Call call) throws CtlException {
        String vhost = call.options().vhost();
        String user = call.arg(0);
        call.api().call("DELETE", ApiClient.path("permissions", vhost, user), null,
                "permissions of user '" + user + "' in vhost '" + vhost + "'");
        call.out().done("permissions of user '" + user + "' in vhost '" + vhost + "' cleared");
    }

    private static String tags(JsonNode tags) {
        if (tags == null || tags.isNull()) {
            return "";
        }
        if (!tags.isArray()) {
            return tags.asText();
        }
        List<String> names = new ArrayList<>();
        tags.forEach(t -> names.add(t.asText()));
        return String.join(",", names);
    }

    /** The password argument at {@code index}, else the first line of standard input. */
    static String password(Call call, int index) throws CtlException {
        if (call.args().size() > index) {
            return call.arg(index);
        }
        String line = firstLine(call.in());
        if (line == null || line.isEmpty()) {
            throw CtlException.usage(call.verb() + ": no password given (as an argument or on standard input)");
        }
        return line;
    }

    /** The first line of {@code in} without its line break, or null at end of input. */
    static String firstLine(InputStream in) throws CtlException {
        try {
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw CtlException.usage("cannot read standard input: " + e.getMessage());
        }
    }
}
