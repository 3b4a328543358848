package dev.junction.broker;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of this build: {@code Implementation-Version} of the jar's manifest (the build writes the pom's
 * version there), else the {@code pom.properties} Maven puts in every jar, else "unknown" (classes run from a build
 * directory, as in tests).
 */
final class Version {
    private static final String POM_PROPERTIES = "/META-INF/maven/dev.junction/junction-broker/pom.properties";

    private Version() {
    }

    static String current() {
        String manifest = Version.class.getPackage().getImplementationVersion();
        if (manifest != null && !manifest.isBlank()) {
            return manifest;
        }
        try (InputStream in = Version.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank()) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through: an unreadable resource is the same as none
        }
        return "unknown";
    }
}
