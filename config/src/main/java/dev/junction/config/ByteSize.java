package dev.junction.config;

import java.util.Locale;

/** Sizes as operators write them: {@code 1000000}, {@code 50MB} (powers of 1000), {@code 2GiB} (powers of 1024). */
final class ByteSize {

    private ByteSize() {
    }

    /** The size in bytes, or -1 when {@code text} is not a size. */
    static long parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        int end = 0;
        while (end < t.length() && Character.isDigit(t.charAt(end))) {
            end++;
        }
        if (end == 0 || end > 18) {
            return -1;
        }
        long n = Long.parseLong(t.substring(0, end));
        long unit = switch (t.substring(end).trim()) {
            case "", "B" -> 1;
            case "K", "KB" -> 1000L;
            case "M", "MB" -> 1000L * 1000;
            case "G", "GB" -> 1000L * 1000 * 1000;
            case "T", "TB" -> 1000L * 1000 * 1000 * 1000;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            case "TIB" -> 1L << 40;
            default -> -1;
        };
        if (unit < 0 || n > Long.MAX_VALUE / unit) {
            return -1;
        }
        return n * unit;
    }
}
