package dev.junction.broker.management;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Policies;
import dev.junction.routing.api.Policy;
import dev.junction.routing.api.PolicyTarget;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * RabbitMQ's policies: {@code /api/policies[/{vhost}[/{name}]]}. As in RabbitMQ, reading and changing them needs the
 * {@code policymaker} tag (administrators have it implicitly) and, for a policymaker, permissions in the vhost. A
 * change answers once every queue it concerns has applied it (each in its own mailbox), or after 30 s at most; on a
 * cluster node, only after the metadata log has committed it (docs/cluster.md).
 */
final class PolicyResource {
    private static final long APPLY_WAIT_SECONDS = 30;

    private final RoutingEngine engine;
    private final EntityResource entities;

    PolicyResource(RoutingEngine engine, EntityResource entities) {
        this.engine = engine;
        this.entities = entities;
    }

    ApiResponse route(ApiRequest r, Caller caller, Router router) {
        requirePolicymaker(caller);
        int n = r.size();
        if (n <= 2) {
            if (!r.is("GET") && !r.is("HEAD")) {
                throw ApiError.methodNotAllowed();
            }
            if (n == 2) {
                entities.vhost(r.segment(1));
                caller.requireVisible(r.segment(1));
            }
            List<Map<String, Object>> items = new ArrayList<>();
            engine.vhosts().stream().sorted(Comparator.comparing(VirtualHost::name))
                    .filter(v -> n == 1 ? caller.canSee(v.name()) : v.name().equals(r.segment(1)))
                    .forEach(v -> v.policies().list().forEach(p -> items.add(view(v.name(), p))));
            return router.list(r, items);
        }
        if (n != 3) {
            throw ApiError.notFound();
        }
        VirtualHost v = entities.vhost(r.segment(1));
        caller.requireVisible(v.name());
        Policies policies = v.policies();
        String name = r.segment(2);
        return switch (r.method()) {
            case "GET", "HEAD" -> ApiResponse.ok(view(v.name(), policies.get(name).orElseThrow(ApiError::notFound)));
            case "PUT" -> ApiResponse.created(put(v, name, ManagementApi.parseObject(r.body())));
            case "DELETE" -> {
                if (policies.get(name).isEmpty()) {
                    throw ApiError.notFound();
                }
                awaitApplied(policies.delete(name));
                yield ApiResponse.noContent();
            }
            default -> throw ApiError.methodNotAllowed();
        };
    }

    /** RabbitMQ's {@code is_authorized_policies}: the policymaker tag; administrators are policymakers too. */
    private static void requirePolicymaker(Caller caller) {
        if (!caller.isAdministrator() && !caller.user().hasTag("policymaker")) {
            throw ApiError.notAuthorised("Not policymaker user");
        }
    }

    /** Creates or replaces a policy from RabbitMQ's body; true when it was created. */
    boolean put(VirtualHost v, String name, Map<String, Object> body) {
        Policy policy = policy(name, body);
        boolean existed = v.policies().get(name).isPresent();
        awaitApplied(v.policies().put(policy));
        return !existed;
    }

    /** A policy from RabbitMQ's JSON ({@code pattern}, {@code definition}, {@code priority}, {@code apply-to}). */
    static Policy policy(String name, Map<String, Object> body) {
        String pattern = Values.required(body, "pattern");
        if (!(body.get("definition") instanceof Map<?, ?>)) {
            throw ApiError.badRequest(body.containsKey("definition") ? "'definition' must be a JSON object"
                    : "[{key_missing,definition}]");
        }
        String applyTo = Values.string(body, "apply-to", PolicyTarget.ALL.wireName());
        PolicyTarget target = PolicyTarget.fromWireName(applyTo).orElseThrow(() -> ApiError.badRequest(
                "Validation failed\n\n'" + applyTo + "' is not a valid apply-to value (one of queues, exchanges, all,"
                        + " classic_queues, quorum_queues, streams)\n"));
        return new Policy(name, pattern, target, Values.integer(body, "priority", 0),
                Values.fromJson(body.get("definition"), "definition"));
    }

    /** The JSON RabbitMQ lists a policy as (also its entry in definitions, without the vhost there per vhost). */
    static Map<String, Object> view(String vhost, Policy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vhost", vhost);
        m.put("name", p.name());
        m.put("pattern", p.pattern());
        m.put("apply-to", p.applyTo().wireName());
        m.put("definition", Values.toJson(p.definition()));
        m.put("priority", p.priority());
        return m;
    }

    /**
     * Waits for the queues to apply a change. A queue slow to get to it (a long mailbox) does not make the request
     * fail, it only answers before that queue has caught up. A change a cluster's metadata log did not commit fails
     * with the engine's error, and nothing changed.
     */
    static <T> void awaitApplied(CompletableFuture<T> applied) {
        try {
            applied.get(APPLY_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ApiError(500, "internal_error", String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            // Applied later: the policy stands.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
