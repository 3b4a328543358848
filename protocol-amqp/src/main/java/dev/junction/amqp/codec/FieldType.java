package dev.junction.amqp.codec;

/**
 * The AMQP 0-9-1 argument types a method field can have. Java values a {@link Method} holds for each:
 * <ul>
 *   <li>{@code OCTET}, {@code SHORT}: {@link Integer} (unsigned 8 / 16 bits)</li>
 *   <li>{@code LONG}: {@link Long} (unsigned 32 bits)</li>
 *   <li>{@code LONGLONG}: {@link Long} (64 bits as sent)</li>
 *   <li>{@code SHORTSTR}: {@link String}; {@code LONGSTR}: {@code byte[]}</li>
 *   <li>{@code BIT}: {@link Boolean}; {@code TABLE}: {@code Map<String, Object>}; {@code TIMESTAMP}:
 *   {@link java.time.Instant} (whole seconds)</li>
 * </ul>
 */
public enum FieldType {
    OCTET, SHORT, LONG, LONGLONG, SHORTSTR, LONGSTR, BIT, TABLE, TIMESTAMP
}
