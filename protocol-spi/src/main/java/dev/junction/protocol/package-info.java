/**
 * The protocol module SPI: what a protocol (AMQP 0-9-1, MQTT, next AMQP 1.0) gives the broker so that the broker
 * can wire every protocol the same way. A module names the listeners it serves, is started with a
 * {@link dev.junction.protocol.ProtocolContext} only when one of them is enabled, builds the pipeline of each
 * accepted connection, and may declare the {@link dev.junction.protocol.ProtocolHeader} its clients open with, so
 * that two protocols can share one port.
 */
package dev.junction.protocol;
