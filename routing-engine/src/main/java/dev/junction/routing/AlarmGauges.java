package dev.junction.routing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The two alarm gauges an operator alerts on: 1 while publishers are blocked for memory or for disk. */
final class AlarmGauges {
    private AlarmGauges() {
    }

    static void register(MeterRegistry registry, MemoryAlarm memoryAlarm, DiskAlarm diskAlarm) {
        Gauge.builder("junction.memory.alarm", memoryAlarm, a -> a.raised(MemoryAlarm.Resource.MEMORY) ? 1 : 0)
                .description("1 while publishers are blocked because heap in use after collection is past the "
                        + "high watermark")
                .register(registry);
        Gauge.builder("junction.disk.alarm", diskAlarm, a -> a.raised() ? 1 : 0)
                .description("1 while publishers are blocked because free disk space is below disk_free_limit "
                        + "or the store cannot write")
                .register(registry);
    }
}
