package org.hsclass;

import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.util.function.Consumer;

/**
 * One native object (model, session, trainer, evaluation) and how to free
 * it: explicitly by close(), or by the Cleaner when its owner becomes
 * unreachable without being closed (a safety net, not the normal path).
 * The cleaning action holds the pointer and the free function only, never
 * the owner, or the owner would stay reachable forever.
 */
final class NativeResource {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Pointer pointer;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    NativeResource(Object owner, Pointer pointer, Consumer<Pointer> free) {
        this.pointer = pointer;
        this.cleanable = CLEANER.register(owner, () -> free.accept(pointer));
    }

    /** The pointer; StateError naming what once closed. */
    Pointer get(String what) {
        if (closed) {
            throw HsclassException.closed(what);
        }
        return pointer;
    }

    boolean isClosed() {
        return closed;
    }

    /** Frees the native object once; later calls do nothing. */
    void close() {
        closed = true;
        cleanable.clean();
    }
}
