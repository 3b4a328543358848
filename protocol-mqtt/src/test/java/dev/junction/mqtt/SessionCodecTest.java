package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stored session record keeps its owner (format 2) and still reads records written before (format 1). */
class SessionCodecTest {
    private static SessionCodec.State state(String user) {
        return new SessionCodec.State(3600, 42, List.of(1, 2), List.of(7),
                List.of(new SessionCodec.SharedSub("$share/g/a/#", 1, true, 5)), null, 0, user);
    }

    @Test
    void theOwnerIsStoredAndReadBack() {
        SessionCodec.State back = SessionCodec.decode(SessionCodec.encode(state("mq")));
        assertThat(back).isEqualTo(state("mq"));
        assertThat(back.user()).isEqualTo("mq");
    }

    @Test
    void aFormatOneRecordIsReadAsASessionWithoutOwner() {
        // Format 1 is format 2 without the trailing owner field.
        byte[] v2 = SessionCodec.encode(state(null));
        byte[] v1 = Arrays.copyOf(v2, v2.length - 1);
        v1[0] = 1;
        SessionCodec.State back = SessionCodec.decode(v1);
        assertThat(back.user()).isNull();
        assertThat(back.expiryInterval()).isEqualTo(3600);
        assertThat(back.shared()).hasSize(1);
    }

    @Test
    void aNewerFormatIsRefused() {
        byte[] b = SessionCodec.encode(state("mq"));
        b[0] = 3;
        assertThatThrownBy(() -> SessionCodec.decode(b)).isInstanceOf(IllegalArgumentException.class);
    }
}
