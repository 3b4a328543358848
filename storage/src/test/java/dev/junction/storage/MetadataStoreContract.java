package dev.junction.storage;

import org.junit.jupiter.api.Test;

import static dev.junction.storage.ContractSupport.await;
import static dev.junction.storage.ContractSupport.bytes;
import static dev.junction.storage.ContractSupport.definition;
import static dev.junction.storage.ContractSupport.describe;
import static dev.junction.storage.ContractSupport.describeRetained;
import static dev.junction.storage.ContractSupport.describeSessions;
import static dev.junction.storage.ContractSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

/** The rules for a store's definitions, retained messages and sessions; part of {@link MessageStoreContract}. */
public interface MetadataStoreContract {

    /** The store under test. */
    MessageStore store();

    /** Closes and reopens a durable store on the same directory (the store is then {@link #store()}). */
    void reopenIfDurable();

    @Test
    default void definitionPutWithSameKeyReplacesInPlace() {
        DefinitionStore definitions = store().definitions();
        await(definitions.put(definition(DefinitionKind.QUEUE, "/", "a", "a1")));
        await(definitions.put(definition(DefinitionKind.QUEUE, "/", "b", "b1")));
        await(definitions.put(definition(DefinitionKind.QUEUE, "/", "c", "c1")));
        await(definitions.put(definition(DefinitionKind.QUEUE, "/", "a", "a2")));

        assertThat(describe(definitions.all())).containsExactly("QUEUE /a=a2", "QUEUE /b=b1", "QUEUE /c=c1");
    }

    @Test
    default void definitionsComeBackOrderedByKind() {
        DefinitionStore definitions = store().definitions();
        await(definitions.put(definition(DefinitionKind.BINDING, "/", "x->q", "b")));
        await(definitions.put(definition(DefinitionKind.QUEUE, "/", "q2", "q")));
        await(definitions.put(definition(DefinitionKind.EXCHANGE, "/", "x", "e")));
        await(definitions.put(definition(DefinitionKind.QUEUE, "/", "q1", "q")));
        await(definitions.put(definition(DefinitionKind.PERMISSION, "/", "guest", "p")));
        await(definitions.put(definition(DefinitionKind.USER, "", "guest", "u")));
        await(definitions.put(definition(DefinitionKind.VHOST, "", "/", "v")));

        assertThat(describe(definitions.all())).containsExactly(
                "VHOST /=v", "USER guest=u", "PERMISSION /guest=p", "EXCHANGE /x=e",
                "QUEUE /q2=q", "QUEUE /q1=q", "BINDING /x->q=b");
    }

    @Test
    default void definitionKeyIsKindVhostAndName() {
        DefinitionStore definitions = store().definitions();
        await(definitions.put(definition(DefinitionKind.QUEUE, "/", "orders", "q")));
        await(definitions.put(definition(DefinitionKind.QUEUE, "other", "orders", "q-other")));
        await(definitions.put(definition(DefinitionKind.EXCHANGE, "/", "orders", "e")));

        await(definitions.delete(DefinitionKind.QUEUE, "/", "orders"));
        await(definitions.delete(DefinitionKind.BINDING, "/", "orders")); // absent: no-op

        assertThat(describe(definitions.all())).containsExactly("EXCHANGE /orders=e", "QUEUE otherorders=q-other");
    }

    @Test
    default void definitionDeletedAndPutAgainGoesToTheEndOfItsKind() {
        DefinitionStore definitions = store().definitions();
        await(definitions.put(definition(DefinitionKind.EXCHANGE, "/", "a", "1")));
        await(definitions.put(definition(DefinitionKind.EXCHANGE, "/", "b", "1")));
        await(definitions.delete(DefinitionKind.EXCHANGE, "/", "a"));
        await(definitions.put(definition(DefinitionKind.EXCHANGE, "/", "a", "2")));

        assertThat(describe(definitions.all())).containsExactly("EXCHANGE /b=1", "EXCHANGE /a=2");
    }

    @Test
    default void retainedIndexListsTopicsAndSizesAndGetReadsOneMessageBack() {
        RetainedStore retained = store().retained();
        await(retained.put(new RetainedMessage("/", "a/b", bytes("one"))));
        await(retained.put(new RetainedMessage("/", "a/b", bytes("three"))));
        await(retained.put(new RetainedMessage("other", "a/b", bytes("x"))));
        await(retained.put(new RetainedMessage("/", "gone", bytes("y"))));
        await(retained.delete("/", "gone"));
        reopenIfDurable();
        retained = store().retained();

        assertThat(retained.index()).containsExactlyInAnyOrder(new RetainedStore.Entry("/", "a/b", 5),
                new RetainedStore.Entry("other", "a/b", 1));
        assertThat(retained.get("/", "a/b").map(m -> text(m.data()))).contains("three");
        assertThat(retained.get("other", "a/b").map(m -> m.vhost() + " " + m.topic())).contains("other a/b");
        assertThat(retained.get("/", "gone")).isEmpty();
        assertThat(retained.get("/", "never")).isEmpty();
        // A copy each time: changing what get returned changes nothing stored.
        retained.get("/", "a/b").orElseThrow().data()[0] = 'X';
        assertThat(text(retained.get("/", "a/b").orElseThrow().data())).isEqualTo("three");
    }

    @Test
    default void retainedPutReplacesAndDeleteClears() {
        RetainedStore retained = store().retained();
        await(retained.put(new RetainedMessage("/", "a/b", bytes("1"))));
        await(retained.put(new RetainedMessage("other", "a/b", bytes("x"))));
        await(retained.put(new RetainedMessage("/", "a/b", bytes("2"))));
        await(retained.put(new RetainedMessage("/", "c", bytes("3"))));
        assertThat(describeRetained(retained.all())).containsExactlyInAnyOrder("/ a/b=2", "other a/b=x", "/ c=3");

        await(retained.delete("/", "a/b"));
        await(retained.delete("/", "never-retained"));
        assertThat(describeRetained(retained.all())).containsExactlyInAnyOrder("other a/b=x", "/ c=3");
    }

    @Test
    default void sessionsArePerVhostAndClientId() {
        SessionStore sessions = store().sessions();
        await(sessions.put(new SessionStore.Session("/", "client-1", bytes("s1"))));
        await(sessions.put(new SessionStore.Session("other", "client-1", bytes("o1"))));
        await(sessions.put(new SessionStore.Session("/", "client-2", bytes("s2"))));
        await(sessions.put(new SessionStore.Session("/", "client-1", bytes("s1b"))));

        assertThat(sessions.get("/", "client-1").map(s -> text(s.data()))).contains("s1b");
        assertThat(sessions.get("other", "client-1").map(s -> text(s.data()))).contains("o1");
        assertThat(sessions.get("other", "client-2")).isEmpty();
        assertThat(describeSessions(sessions.all()))
                .containsExactlyInAnyOrder("/ client-1=s1b", "other client-1=o1", "/ client-2=s2");

        await(sessions.delete("/", "client-1"));
        await(sessions.delete("/", "never-connected"));
        assertThat(sessions.get("/", "client-1")).isEmpty();
        assertThat(sessions.get("other", "client-1")).isPresent();
        assertThat(describeSessions(sessions.all())).containsExactlyInAnyOrder("other client-1=o1", "/ client-2=s2");
    }

    @Test
    default void definitionRetainedAndSessionBytesAreCopiedBothWays() {
        byte[] definitionData = bytes("def");
        byte[] retainedData = bytes("ret");
        byte[] sessionData = bytes("ses");
        await(store().definitions().put(new Definition(DefinitionKind.QUEUE, "/", "q", definitionData)));
        await(store().retained().put(new RetainedMessage("/", "t", retainedData)));
        await(store().sessions().put(new SessionStore.Session("/", "c", sessionData)));
        definitionData[0] = 'X';
        retainedData[0] = 'X';
        sessionData[0] = 'X';

        store().definitions().all().get(0).data()[1] = 'Y';
        store().retained().all().get(0).data()[1] = 'Y';
        store().sessions().all().get(0).data()[1] = 'Y';
        store().sessions().get("/", "c").orElseThrow().data()[2] = 'Y';

        assertThat(text(store().definitions().all().get(0).data())).isEqualTo("def");
        assertThat(text(store().retained().all().get(0).data())).isEqualTo("ret");
        assertThat(text(store().sessions().get("/", "c").orElseThrow().data())).isEqualTo("ses");
    }

}
