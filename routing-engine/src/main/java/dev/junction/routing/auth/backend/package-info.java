/**
 * Pluggable authentication: the {@code auth.backends} chain ({@link dev.junction.routing.auth.backend.AuthChain})
 * and its backends (the configured users, an HTTP service with RabbitMQ's contract, JWT access tokens), shared by
 * both protocol adapters.
 */
package dev.junction.routing.auth.backend;
