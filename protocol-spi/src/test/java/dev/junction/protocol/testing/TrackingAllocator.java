package dev.junction.protocol.testing;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * A heap-only allocator that remembers every buffer it hands out, so a fuzz test can require, input by input,
 * that the pipeline released everything it allocated. This is what Netty's PARANOID leak detector checks, but
 * deterministically: the leak detector only reports a leak after the garbage collector has run, long after the
 * input that caused it. Heap buffers also make every byte a handler allocates visible to {@link HeapMeter}.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        allocated.add(buf);
        return buf;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** A buffer holding {@code bytes}, tracked like every other. */
    public ByteBuf copyOf(byte[] bytes, int from, int to) {
        ByteBuf buf = heapBuffer(to - from);
        buf.writeBytes(bytes, from, to - from);
        return buf;
    }

    /** Buffers still referenced; each one is a leak once the channel is finished. */
    public List<ByteBuf> unreleased() {
        List<ByteBuf> live = new ArrayList<>();
        for (ByteBuf b : allocated) {
            if (b.refCnt() != 0) {
                live.add(b);
            }
        }
        return live;
    }

    public int count() {
        return allocated.size();
    }
}
