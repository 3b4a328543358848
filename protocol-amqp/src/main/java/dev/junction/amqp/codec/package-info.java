/**
 * The AMQP 0-9-1 wire codec: frame decoding ({@link dev.junction.amqp.codec.AmqpFrameDecoder}), frame encoding
 * ({@link dev.junction.amqp.codec.AmqpEncoder}), the declarative method table
 * ({@link dev.junction.amqp.codec.MethodType}) and field tables as RabbitMQ reads and writes them.
 *
 * <p>Nothing here knows about connections or channels; protocol errors surface as
 * {@link dev.junction.amqp.codec.AmqpException} carrying the reply code to send.
 */
package dev.junction.amqp.codec;
