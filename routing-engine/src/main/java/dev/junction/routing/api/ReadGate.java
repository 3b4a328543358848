package dev.junction.routing.api;

import java.util.function.Consumer;

/**
 * Whether a publishing connection's socket is read, for the adapter that owns it: reading stops while the memory
 * alarm is raised or while any publish is waiting for a congested queue to catch up, and resumes when neither
 * holds. Confined to the connection's event loop.
 */
public final class ReadGate {
    private final Consumer<Boolean> reading;
    private boolean memory;
    private int congestion;
    private boolean closedSinceAsked;

    /** @param reading turns reading of the socket on (true) or off (false) */
    public ReadGate(Consumer<Boolean> reading) {
        this.reading = reading;
    }

    public void memoryAlarm(boolean raised) {
        boolean before = open();
        memory = raised;
        changed(before);
    }

    /** A publish hit a congested queue: reading stops until the matching {@link #relieved()}. */
    public void congested() {
        boolean before = open();
        congestion++;
        changed(before);
    }

    public void relieved() {
        boolean before = open();
        congestion = Math.max(0, congestion - 1);
        changed(before);
    }

    public boolean open() {
        return !memory && congestion == 0;
    }

    /** Something was read: a stop before this no longer excuses a later silence. */
    public void read() {
        if (open()) {
            closedSinceAsked = false;
        }
    }

    /**
     * Whether reading is stopped now or was at any time since the last call or the last read. A read-idle timeout that fired
     * after such a period measured our silence, not the peer's, and should be ignored once.
     */
    public boolean stoppedSinceAsked() {
        boolean was = closedSinceAsked || !open();
        closedSinceAsked = false;
        return was;
    }

    private void changed(boolean before) {
        if (before != open()) {
            if (!open()) {
                closedSinceAsked = true;
            }
            reading.accept(open());
        }
    }
}
