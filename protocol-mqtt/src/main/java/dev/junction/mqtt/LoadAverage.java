package dev.junction.mqtt;

/**
 * A rate smoothed over a window, for the {@code $SYS/broker/load/...} topics: like the Unix load average, each
 * update moves the average towards the rate seen since the previous update by {@code 1 - e^(-elapsed/window)}, so
 * a burst fades out over about the window. Rates are per minute, as Mosquitto publishes them. Owned by the
 * {@code $SYS} timer thread.
 */
final class LoadAverage {
    private final double windowSeconds;
    private double perMinute;

    LoadAverage(int windowMinutes) {
        this.windowSeconds = windowMinutes * 60.0;
    }

    /** Takes {@code events} counted over {@code elapsedSeconds} (more than 0) and returns the new average. */
    double update(long events, double elapsedSeconds) {
        double rate = events * 60.0 / elapsedSeconds;
        double keep = Math.exp(-elapsedSeconds / windowSeconds);
        perMinute = rate + keep * (perMinute - rate);
        return perMinute;
    }

    double value() {
        return perMinute;
    }
}
