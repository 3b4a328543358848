package dev.junction.amqp.codec;

import java.nio.charset.StandardCharsets;

/**
 * A protocol error carrying the reply to send: a hard error closes the connection (connection.close), a soft
 * error closes the channel (channel.close). {@code classId}/{@code methodId} name the method that caused it,
 * or are 0 when no method is to blame (e.g. a framing error).
 */
public final class AmqpException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_SHORTSTR = 255;

    private final boolean hardError;
    private final int replyCode;
    private final int classId;
    private final int methodId;

    private AmqpException(boolean hardError, int replyCode, String text, int classId, int methodId) {
        super(text);
        this.hardError = hardError;
        this.replyCode = replyCode;
        this.classId = classId;
        this.methodId = methodId;
    }

    /** A hard error: the connection must be closed with connection.close. */
    public static AmqpException connection(int replyCode, String text, int classId, int methodId) {
        return new AmqpException(true, replyCode, text, classId, methodId);
    }

    /** A hard error caused by a method of type {@code cause}. */
    public static AmqpException connection(int replyCode, String text, MethodType cause) {
        return new AmqpException(true, replyCode, text, cause.classId(), cause.methodId());
    }

    /** A hard error not caused by a particular method. */
    public static AmqpException connection(int replyCode, String text) {
        return new AmqpException(true, replyCode, text, 0, 0);
    }

    /** A soft error: the channel must be closed with channel.close. */
    public static AmqpException channel(int replyCode, String text, int classId, int methodId) {
        return new AmqpException(false, replyCode, text, classId, methodId);
    }

    /** A soft error caused by a method of type {@code cause}. */
    public static AmqpException channel(int replyCode, String text, MethodType cause) {
        return new AmqpException(false, replyCode, text, cause.classId(), cause.methodId());
    }

    public boolean hardError() {
        return hardError;
    }

    public int replyCode() {
        return replyCode;
    }

    public int classId() {
        return classId;
    }

    public int methodId() {
        return methodId;
    }

    /**
     * The reply-text to put in connection.close / channel.close, formatted as RabbitMQ does
     * ({@code "NOT_FOUND - no queue 'q'"}) and cut to fit a shortstr (255 UTF-8 bytes).
     */
    public String replyText() {
        String text = ReplyCode.name(replyCode) + " - " + getMessage();
        if (text.length() * 3 <= MAX_SHORTSTR || text.getBytes(StandardCharsets.UTF_8).length <= MAX_SHORTSTR) {
            return text;
        }
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > MAX_SHORTSTR) {
                break;
            }
            bytes += len;
            end += Character.charCount(cp);
        }
        return text.substring(0, end);
    }

    @Override
    public String toString() {
        return "AmqpException[" + (hardError ? "connection " : "channel ") + replyCode + " "
                + ReplyCode.name(replyCode) + ", class " + classId + ", method " + methodId + "]: " + getMessage();
    }
}
