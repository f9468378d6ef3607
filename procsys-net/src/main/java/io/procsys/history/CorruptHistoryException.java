package io.procsys.history;

/** Recorded bytes that do not decode: a torn or damaged block, or bytes from a peer that lie. Never anything else. */
public final class CorruptHistoryException extends RuntimeException {
    public CorruptHistoryException(String message) {
        super(message);
    }
}
