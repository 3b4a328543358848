package dev.junction.broker.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Status, JSON body (possibly empty) and extra headers of one answer. */
record ApiResponse(int status, byte[] body, Map<String, String> headers) {

    static ApiResponse json(int status, Object value) {
        try {
            return new ApiResponse(status, ManagementApi.JSON.writeValueAsBytes(value), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ApiResponse ok(Object value) {
        return json(200, value);
    }

    /** 201 for a PUT that created the object, 204 for one that found it there already (RabbitMQ's rule). */
    static ApiResponse created(boolean created) {
        return new ApiResponse(created ? 201 : 204, new byte[0], Map.of());
    }

    static ApiResponse noContent() {
        return new ApiResponse(204, new byte[0], Map.of());
    }

    ApiResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiResponse(status, body, h);
    }
}
