package dev.junction.broker;

import dev.junction.routing.MemoryAlarm;
import dev.junction.routing.RoutingEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code /health} answers, in the terms a load balancer or an orchestrator's readiness probe acts on: 200 only
 * when the broker serves clients normally; 503 while it is starting (the store is read back and the queues rebuilt
 * before any client is served), while it is stopping, and while a memory or disk alarm blocks publishers, so that new
 * clients go to another node. The body says which: {@code {"status":"ok"|"starting"|"stopping"|"alarm",
 * "alarms":[...]}}. RabbitMQ's own alarm check is {@code /api/health/checks/alarms} (with auth).
 */
final class Health {
    /** The HTTP status and JSON body of one answer. */
    record Answer(int status, String body) {
    }

    private enum State {
        STARTING, READY, STOPPING
    }

    private volatile State state = State.STARTING;
    private volatile RoutingEngine engine;

    /** The broker serves clients from now on; alarms are read from {@code engine}. */
    void ready(RoutingEngine engine) {
        this.engine = engine;
        state = State.READY;
    }

    /** The broker is going down: answer 503 at once, before the listeners close. */
    void stopping() {
        state = State.STOPPING;
    }

    Answer answer() {
        State now = state;
        if (now != State.READY) {
            String status = now == State.STARTING ? "starting" : "stopping";
            return new Answer(503, "{\"status\":\"" + status + "\",\"alarms\":[]}\n");
        }
        List<String> alarms = alarms(engine);
        if (alarms.isEmpty()) {
            return new Answer(200, "{\"status\":\"ok\",\"alarms\":[]}\n");
        }
        return new Answer(503, "{\"status\":\"alarm\",\"alarms\":[\"" + String.join("\",\"", alarms) + "\"]}\n");
    }

    /** The resources in alarm, as RabbitMQ names them. */
    static List<String> alarms(RoutingEngine engine) {
        List<String> out = new ArrayList<>();
        if (engine.memoryAlarm().raised(MemoryAlarm.Resource.MEMORY)) {
            out.add("memory");
        }
        if (engine.diskAlarm().raised()) {
            out.add("disk");
        }
        if (out.isEmpty() && engine.memoryAlarm().raised()) {
            out.add("memory"); // blocked by an operator's override rather than by a measured resource
        }
        return out;
    }
}
