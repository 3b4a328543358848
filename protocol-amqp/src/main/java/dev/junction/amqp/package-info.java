/** The AMQP protocol adapter: translates wire frames into routing-engine calls and deliveries back into frames. */
package dev.junction.amqp;
