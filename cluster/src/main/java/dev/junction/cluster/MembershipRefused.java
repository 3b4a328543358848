package dev.junction.cluster;

/**
 * A membership change the cluster did not make, or made only in part, with what kind of refusal it is (the
 * management API answers 404, 409, 503 or 500 for them) and a reason an operator can act on.
 */
public final class MembershipRefused extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a change was not made. */
    public enum Kind {
        /** The node to remove is not a member. */
        NOT_FOUND,
        /** The change is unsafe or contradicts the current membership (already a member, the last member). */
        CONFLICT,
        /** This node knows no leader of the metadata group: no change can commit now. */
        UNAVAILABLE,
        /** Raft did not commit it (the new node did not catch up in time, a change already in progress). */
        FAILED
    }

    private final Kind kind;

    MembershipRefused(Kind kind, String reason) {
        super(reason, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
