package dev.junction.routing.topic;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A tiny seeded driver for property tests, on plain JUnit Jupiter: {@link #check} runs a property on
 * {@link #CASES} cases, each with its own {@link Gen} seeded from a fixed base seed, the property's name
 * and the case number, so every run draws the same inputs. When a case fails, the {@link AssertionError}
 * names the property, the case, its seed and every input the case {@linkplain Gen#log logged}.
 *
 * <p>Replay one case with {@code -Drandomcases.seed=<seed from the message>} (runs only that seed); try
 * other inputs with {@code -Drandomcases.baseSeed=<any long>}. There is no shrinking: keep the generated
 * inputs small.
 */
final class RandomCases {

    /** Cases per property. */
    static final int CASES = 1000;

    /** The base seed every run starts from unless {@code -Drandomcases.baseSeed} says otherwise. */
    static final long BASE_SEED = 0x7019_C0DE_5EEDL;

    private RandomCases() {
    }

    /** One case of a property, on the inputs it draws from {@code gen}. */
    @FunctionalInterface
    interface Property {
        void check(Gen gen) throws Exception;
    }

    /**
     * Runs {@code property} on {@link #CASES} seeded cases, or only on the seed given to replay.
     *
     * @return the number of cases run: {@link #CASES}, or 1 when replaying
     */
    static int check(String name, Property property) {
        String replay = System.getProperty("randomcases.seed");
        if (replay != null && !replay.isBlank()) {
            runCase(name, -1, Long.decode(replay.strip()), property);
            return 1;
        }
        long base = Long.decode(System.getProperty("randomcases.baseSeed", Long.toString(BASE_SEED)).strip());
        for (int i = 0; i < CASES; i++) {
            runCase(name, i, caseSeed(base ^ name.hashCode(), i), property);
        }
        return CASES;
    }

    /**
     * The seed of case {@code i}: the base seed (xor the property's name hash, so properties draw
     * unrelated cases) and the case number, mixed with SplitMix64's finalizer.
     */
    static long caseSeed(long base, int i) {
        long z = base + (i + 1) * 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    private static void runCase(String name, int index, long seed, Property property) {
        Gen gen = new Gen(seed);
        try {
            property.check(gen);
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError vme) {
                throw vme;
            }
            String hex = "0x" + Long.toHexString(seed);
            StringBuilder msg = new StringBuilder()
                    .append("property '").append(name).append("' failed ")
                    .append(index < 0 ? "on the replayed case" : "on case " + index + " of " + CASES)
                    .append(", seed ").append(hex)
                    .append(" (replay: -Drandomcases.seed=").append(hex).append(")\n");
            if (gen.logged.isEmpty()) {
                msg.append("no input logged\n");
            }
            gen.logged.forEach((k, v) -> msg.append("  ").append(k).append(" = ").append(v).append('\n'));
            msg.append("failure: ").append(t);
            throw new AssertionError(msg.toString(), t);
        }
    }

    /** Shows a value for a failure message: strings quoted (so empty words show), lists bracketed. */
    static String show(Object value) {
        if (value instanceof String s) {
            return '"' + s + '"';
        }
        if (value instanceof Collection<?> c) {
            StringBuilder sb = new StringBuilder("[");
            for (Object o : c) {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(show(o));
            }
            return sb.append(']').toString();
        }
        return String.valueOf(value);
    }

    /** The random source of one case: a {@link Random} with the case's seed, and the inputs drawn so far. */
    static final class Gen {
        private final Random random;
        private final Map<String, String> logged = new LinkedHashMap<>();

        Gen(long seed) {
            this.random = new Random(seed);
        }

        /** Records {@code value} under {@code name} for the failure message, and returns it. */
        <T> T log(String name, T value) {
            logged.put(name, show(value));
            return value;
        }

        /** A uniform int in {@code [min, max]}. */
        int between(int min, int max) {
            return min + random.nextInt(max - min + 1);
        }

        boolean bool() {
            return random.nextBoolean();
        }

        /** One of {@code choices}, uniformly. */
        @SafeVarargs
        final <T> T oneOf(T... choices) {
            return choices[random.nextInt(choices.length)];
        }

        /** One of {@code choices}, {@code choices[i]} with weight {@code weights[i]}. */
        <T> T weighted(int[] weights, List<T> choices) {
            int total = 0;
            for (int w : weights) {
                total += w;
            }
            int r = random.nextInt(total);
            for (int i = 0; ; i++) {
                r -= weights[i];
                if (r < 0) {
                    return choices.get(i);
                }
            }
        }

        /** A list of {@code minSize..maxSize} (uniform) elements, each drawn from {@code element}. */
        <T> List<T> list(int minSize, int maxSize, Supplier<T> element) {
            int n = between(minSize, maxSize);
            List<T> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(element.get());
            }
            return list;
        }

        /** Shuffles {@code list} in place with this case's randomness. */
        void shuffle(List<?> list) {
            Collections.shuffle(list, random);
        }
    }
}
