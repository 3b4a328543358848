/** AMQP 1.0 adapter: proton-j's protocol engine driven on the connection's Netty event loop. */
package dev.junction.amqp10;
