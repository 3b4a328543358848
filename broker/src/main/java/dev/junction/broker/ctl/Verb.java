package dev.junction.broker.ctl;

import java.util.Locale;
import java.util.Optional;

/**
 * The verbs of {@code junction ctl}, named and shaped as rabbitmqctl's, each with its arguments and how many it
 * takes. Options ({@code --vhost} and the rest) are described once in {@link Ctl#usage}.
 */
enum Verb {
    STATUS("", 0, 0, AdminVerbs::status),
    CLUSTER_STATUS("", 0, 0, ClusterVerbs::status),
    ADD_CLUSTER_NODE("ID ADDRESS [QUORUM_ADDRESS]", 2, 3, ClusterVerbs::addNode),
    FORGET_CLUSTER_NODE("ID", 1, 1, ClusterVerbs::forgetNode),
    REBALANCE_QUORUM_LEADERS("", 0, 0, ClusterVerbs::rebalance),
    LIST_QUEUES("[COLUMN ...]", 0, -1, Listing.QUEUES::print),
    LIST_EXCHANGES("[COLUMN ...]", 0, -1, Listing.EXCHANGES::print),
    LIST_BINDINGS("[COLUMN ...]", 0, -1, Listing.BINDINGS::print),
    LIST_CONNECTIONS("[COLUMN ...]", 0, -1, Listing.CONNECTIONS::print),
    LIST_CONSUMERS("[COLUMN ...]", 0, -1, Listing.CONSUMERS::print),
    LIST_USERS("[COLUMN ...]", 0, -1, Listing.USERS::print),
    LIST_VHOSTS("[COLUMN ...]", 0, -1, Listing.VHOSTS::print),
    LIST_PERMISSIONS("[COLUMN ...]", 0, -1, Listing.PERMISSIONS::print),
    LIST_POLICIES("[COLUMN ...]", 0, -1, Listing.POLICIES::print),
    LIST_MQTT_SESSIONS("[COLUMN ...]", 0, -1, Listing.MQTT_SESSIONS::print),
    ADD_USER("USER [PASSWORD]", 1, 2, AccessVerbs::addUser),
    DELETE_USER("USER", 1, 1, AccessVerbs::deleteUser),
    CHANGE_PASSWORD("USER [PASSWORD]", 1, 2, AccessVerbs::changePassword),
    SET_USER_TAGS("USER [TAG ...]", 1, -1, AccessVerbs::setUserTags),
    SET_PERMISSIONS("USER CONFIGURE WRITE READ", 4, 4, AccessVerbs::setPermissions),
    CLEAR_PERMISSIONS("USER", 1, 1, AccessVerbs::clearPermissions),
    SET_POLICY("NAME PATTERN DEFINITION", 3, 3, ObjectVerbs::setPolicy),
    CLEAR_POLICY("NAME", 1, 1, ObjectVerbs::clearPolicy),
    PURGE_QUEUE("QUEUE", 1, 1, ObjectVerbs::purgeQueue),
    DELETE_QUEUE("QUEUE", 1, 1, ObjectVerbs::deleteQueue),
    CLOSE_CONNECTION("NAME [EXPLANATION]", 1, 2, ObjectVerbs::closeConnection),
    EXPORT_DEFINITIONS("[FILE|-]", 0, 1, AdminVerbs::exportDefinitions),
    IMPORT_DEFINITIONS("FILE|-", 1, 1, AdminVerbs::importDefinitions),
    RELOAD("", 0, 0, AdminVerbs::reload);

    /** What a verb does once its arguments are counted. */
    @FunctionalInterface
    interface Action {
        void run(Call call) throws CtlException;
    }

    private final String arguments;
    private final int min;
    private final int max;
    private final Action action;

    /** @param max the most arguments it takes, or -1 for any number */
    Verb(String arguments, int min, int max, Action action) {
        this.arguments = arguments;
        this.min = min;
        this.max = max;
        this.action = action;
    }

    /** The verb as typed: {@code list_queues}. */
    String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    String usage() {
        return arguments.isEmpty() ? word() : word() + " " + arguments;
    }

    static Optional<Verb> of(String word) {
        for (Verb v : values()) {
            if (v.word().equals(word)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** Refuses a wrong number of arguments before anything is sent (or the config file read). */
    void checkArguments(int n) throws CtlException {
        if (n < min || (max >= 0 && n > max)) {
            throw CtlException.usage("usage: junction ctl " + usage());
        }
    }

    void run(Call call) throws CtlException {
        checkArguments(call.args().size());
        action.run(call);
    }
}
