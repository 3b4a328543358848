package dev.junction.storage.log;

import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.RetainedMessage;
import dev.junction.storage.RetainedStore;
import dev.junction.storage.SessionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static dev.junction.storage.ContractSupport.describe;
import static dev.junction.storage.ContractSupport.describeRetained;
import static dev.junction.storage.ContractSupport.describeSessions;
import static dev.junction.storage.log.LogFiles.bytes;
import static dev.junction.storage.log.LogFiles.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metadata log's records keep the format docs/storage.md gives (types 16 to 21), byte for byte: a metadata
 * log encoded here by hand, as an existing data directory holds it, is recovered, and what the store writes is
 * the same bytes. Independent of the classes that encode and decode the records.
 */
class MetaLogFormatTest {

    private static final byte DEFINITION_PUT = 16;
    private static final byte DEFINITION_DELETE = 17;
    private static final byte RETAINED_PUT = 18;
    private static final byte RETAINED_DELETE = 19;
    private static final byte SESSION_PUT = 20;
    private static final byte SESSION_DELETE = 21;

    @TempDir
    Path dir;

    /** One record as written: its type and payload. */
    private record Rec(byte type, byte[] payload) {
    }

    @Test
    void aMetadataLogWrittenInTheDocumentedFormatIsRecovered() throws Exception {
        List<Rec> log = List.of(
                definitionPut(DefinitionKind.QUEUE, "/", "b", "b1"),
                definitionPut(DefinitionKind.VHOST, "", "/", "v"),
                definitionPut(DefinitionKind.QUEUE, "/", "a", "a1"),
                definitionPut(DefinitionKind.QUEUE, "/", "b", "b2"), // replaces in place
                definitionPut(DefinitionKind.EXCHANGE, "/", "x", "e"),
                definitionDelete(DefinitionKind.EXCHANGE, "/", "x"),
                pair(RETAINED_PUT, "/", "t/1", "r1"),
                pair(RETAINED_PUT, "/", "t/2", "r2"),
                pair(RETAINED_DELETE, "/", "t/2", null),
                pair(SESSION_PUT, "/", "c1", "s1"),
                pair(SESSION_PUT, "other", "c2", "s2"),
                pair(SESSION_DELETE, "/", "c1", null));
        writeMetaLog(log);

        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group())) {
            assertThat(describe(store.definitions().all()))
                    .containsExactly("VHOST /=v", "QUEUE /b=b2", "QUEUE /a=a1");
            assertThat(describeRetained(store.retained().all())).containsExactly("/ t/1=r1");
            assertThat(store.retained().index()).containsExactly(new RetainedStore.Entry("/", "t/1", 2));
            assertThat(text(store.retained().get("/", "t/1").orElseThrow().data())).isEqualTo("r1");
            assertThat(store.retained().get("/", "t/2")).isEmpty();
            assertThat(describeSessions(store.sessions().all())).containsExactly("other c2=s2");
            assertThat(store.sessions().get("/", "c1")).isEmpty();
        }
    }

    @Test
    void theStoreWritesTheDocumentedRecords() throws Exception {
        List<Rec> expected = List.of(
                definitionPut(DefinitionKind.BINDING, "/", "x->q", "b"),
                definitionDelete(DefinitionKind.BINDING, "/", "x->q"),
                pair(RETAINED_PUT, "/", "a/b", "r"),
                pair(RETAINED_DELETE, "/", "a/b", null),
                pair(SESSION_PUT, "/", "client", "s"),
                pair(SESSION_DELETE, "/", "client", null));
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group())) {
            await(store.definitions().put(new Definition(DefinitionKind.BINDING, "/", "x->q", bytes("b"))));
            await(store.definitions().delete(DefinitionKind.BINDING, "/", "x->q"));
            await(store.retained().put(new RetainedMessage("/", "a/b", bytes("r"))));
            await(store.retained().delete("/", "a/b"));
            await(store.sessions().put(new SessionStore.Session("/", "client", bytes("s"))));
            await(store.sessions().delete("/", "client"));
        }
        List<Rec> written = new ArrayList<>();
        LogScanner.scan(dir.resolve(Recovery.metaFileName(1)), (type, payload, offset) -> {
            byte[] p = new byte[payload.remaining()];
            payload.get(p);
            written.add(new Rec(type, p));
        });
        assertThat(written).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(written.get(i).type()).as("type of record %d", i).isEqualTo(expected.get(i).type());
            assertThat(written.get(i).payload()).as("payload of record %d", i).isEqualTo(expected.get(i).payload());
        }
    }

    @Test
    void definitionOrderSurvivesMetadataCompactionAndReopen() throws Exception {
        LogStoreSettings smallMeta = LogStoreSettings.defaults().withMetaCompactBytes(4096);
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), smallMeta)) {
            for (int round = 0; round < 40; round++) { // overwrites make the log mostly dead: it is compacted
                await(store.definitions().put(definition(DefinitionKind.QUEUE, "q2", "q2-" + round)));
                await(store.definitions().put(definition(DefinitionKind.EXCHANGE, "x", "x-" + round)));
                await(store.definitions().put(definition(DefinitionKind.QUEUE, "q1", "q1-" + round)));
                await(store.sessions().put(new SessionStore.Session("/", "c", new byte[200])));
            }
        }
        assertThat(metaLogs()).as("the metadata log was compacted").doesNotContain(Recovery.metaFileName(1));
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), smallMeta)) {
            assertThat(describe(store.definitions().all()))
                    .containsExactly("EXCHANGE /x=x-39", "QUEUE /q2=q2-39", "QUEUE /q1=q1-39");
            assertThat(store.sessions().get("/", "c").orElseThrow().data()).hasSize(200);
        }
    }

    private static Definition definition(DefinitionKind kind, String name, String data) {
        return new Definition(kind, "/", name, bytes(data));
    }

    // ---- the documented encoding -----------------------------------------------------------------------------

    private static Rec definitionPut(DefinitionKind kind, String vhost, String name, String data)
            throws IOException {
        return new Rec(DEFINITION_PUT, encode(kind.ordinal(), vhost, name, data));
    }

    private static Rec definitionDelete(DefinitionKind kind, String vhost, String name) throws IOException {
        return new Rec(DEFINITION_DELETE, encode(kind.ordinal(), vhost, name, null));
    }

    private static Rec pair(byte type, String vhost, String name, String data) throws IOException {
        return new Rec(type, encode(-1, vhost, name, data));
    }

    /** [kind byte], vhost, name[, data]: strings and data are an int byte count and the bytes. */
    private static byte[] encode(int kind, String vhost, String name, String data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        if (kind >= 0) {
            out.writeByte(kind);
        }
        for (String s : data == null ? new String[] {vhost, name} : new String[] {vhost, name, data}) {
            byte[] b = bytes(s);
            out.writeInt(b.length);
            out.write(b);
        }
        return bytes.toByteArray();
    }

    /** Header (magic "JNCT", version 1), then per record: length, CRC32C of type and payload, type, payload. */
    private void writeMetaLog(List<Rec> records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x4A4E4354);
        out.writeInt(1);
        for (Rec r : records) {
            CRC32C crc = new CRC32C();
            crc.update(r.type());
            crc.update(r.payload());
            out.writeInt(r.payload().length);
            out.writeInt((int) crc.getValue());
            out.writeByte(r.type());
            out.write(r.payload());
        }
        Files.write(dir.resolve(Recovery.metaFileName(1)), bytes.toByteArray());
    }

    private static void await(CompletableFuture<Void> f) throws Exception {
        f.get(10, TimeUnit.SECONDS);
    }

    /** The names of the metadata logs in the store's directory. */
    private List<String> metaLogs() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("meta-")).toList();
        }
    }
}
