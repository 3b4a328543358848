package dev.junction.routing.api;

/** A refusal by the engine, with a reply text written for the person reading the client's log. */
public class BrokerException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorKind kind;

    public BrokerException(ErrorKind kind, String text) {
        super(text, null, false, false);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }

    public static BrokerException notFound(String text) {
        return new BrokerException(ErrorKind.NOT_FOUND, text);
    }

    public static BrokerException accessRefused(String text) {
        return new BrokerException(ErrorKind.ACCESS_REFUSED, text);
    }

    public static BrokerException preconditionFailed(String text) {
        return new BrokerException(ErrorKind.PRECONDITION_FAILED, text);
    }

    public static BrokerException resourceLocked(String text) {
        return new BrokerException(ErrorKind.RESOURCE_LOCKED, text);
    }

    public static BrokerException notAllowed(String text) {
        return new BrokerException(ErrorKind.NOT_ALLOWED, text);
    }
}
