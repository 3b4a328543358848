package dev.junction.broker.management;

/**
 * A refusal with the status code and the {@code {"error": ..., "reason": ...}} body RabbitMQ's management API
 * answers with, so tools that read {@code reason} (rabbitmqadmin prints it on a 400) show the same text.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String error;

    ApiError(int status, String error, String reason) {
        super(reason, null, false, false);
        this.status = status;
        this.error = error;
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }

    String reason() {
        return getMessage();
    }

    /** RabbitMQ answers every unknown object or path with this exact body. */
    static ApiError notFound() {
        return new ApiError(404, "Object Not Found", "Not Found");
    }

    static ApiError badRequest(String reason) {
        return new ApiError(400, "bad_request", reason);
    }

    /** Bad credentials and missing rights are both 401 in RabbitMQ's API, with a reason saying which. */
    static ApiError notAuthorised(String reason) {
        return new ApiError(401, "not_authorised", reason);
    }

    static ApiError methodNotAllowed() {
        return new ApiError(405, "Method Not Allowed", "Method Not Allowed");
    }
}
