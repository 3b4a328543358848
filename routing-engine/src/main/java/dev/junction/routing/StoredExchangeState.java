package dev.junction.routing;

import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.exchange.ExchangeState;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.DefinitionStore;

/**
 * A durable exchange's {@link ExchangeState} in the store: one {@link DefinitionKind#EXCHANGE_STATE} definition per
 * entry, named by the exchange and the entry's key (the exchange name's length first, so no separator can be
 * confused with a name). The definitions table keeps first-put order, so entries come back at start in the order
 * they were made, after the exchanges they belong to.
 */
final class StoredExchangeState implements ExchangeState {
    private final DefinitionStore definitions;
    private final String vhost;
    private final String exchange;

    StoredExchangeState(DefinitionStore definitions, String vhost, String exchange) {
        this.definitions = definitions;
        this.vhost = vhost;
        this.exchange = exchange;
    }

    @Override
    public void put(String key, byte[] data) {
        definitions.put(new Definition(DefinitionKind.EXCHANGE_STATE, vhost, name(exchange, key), data));
    }

    @Override
    public void delete(String key) {
        definitions.delete(DefinitionKind.EXCHANGE_STATE, vhost, name(exchange, key));
    }

    /** Deletes every entry of {@code exchange} (it was deleted); costs a pass over the stored definitions. */
    static void deleteAll(DefinitionStore definitions, String vhost, String exchange) {
        String prefix = name(exchange, "");
        for (Definition d : definitions.all()) {
            if (d.kind() == DefinitionKind.EXCHANGE_STATE && d.vhost().equals(vhost) && d.name().startsWith(prefix)) {
                definitions.delete(DefinitionKind.EXCHANGE_STATE, vhost, d.name());
            }
        }
    }

    /** An entry at start-up, handed to its exchange; one whose exchange is gone is deleted. */
    static void recover(VirtualHost vhost, Definition d, DefinitionStore definitions) {
        String name = d.name();
        int colon = name.indexOf(':');
        int length = Integer.parseInt(name.substring(0, colon));
        String exchange = name.substring(colon + 1, colon + 1 + length);
        Exchange x = vhost.exchangeOrNull(exchange);
        if (x == null) {
            definitions.delete(DefinitionKind.EXCHANGE_STATE, d.vhost(), name);
            return;
        }
        x.recoverState(name.substring(colon + 1 + length), d.data());
    }

    private static String name(String exchange, String key) {
        return exchange.length() + ":" + exchange + key;
    }
}
