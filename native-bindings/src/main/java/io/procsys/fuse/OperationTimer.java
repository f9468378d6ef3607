package io.procsys.fuse;

/**
 * Told of every request when it is answered: its kind, the time from its upcall to its reply
 * (which may be sent later, from another thread), and whether the reply was an error. Called on
 * the replying thread, once per request (forget included: its "reply" is the return of the
 * upcall): it must be quick and must not allocate. A session without a timer calls nothing, not
 * even the clock.
 */
@FunctionalInterface
public interface OperationTimer {
    void replied(Operation operation, long nanos, boolean failed);
}
