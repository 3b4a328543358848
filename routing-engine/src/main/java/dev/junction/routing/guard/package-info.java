/**
 * Defences against hostile clients that every protocol adapter shares: login throttling and rate-limited
 * warnings. Protocol-neutral; adapters call them from their event loops and they never block.
 */
package dev.junction.routing.guard;
