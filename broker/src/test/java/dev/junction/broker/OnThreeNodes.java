package dev.junction.broker;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Tests that start {@link ThreeNodes} in their own temporary directory; the nodes stop after each test. */
abstract class OnThreeNodes {

    @TempDir
    Path dir;
    ThreeNodes nodes;

    @AfterEach
    void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }
}
