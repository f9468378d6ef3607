package io.procsys.fs.combine;

/** A host's part cannot be used: the aggregator drops it and reports the message. */
final class MalformedPartException extends RuntimeException {
    MalformedPartException(String message) {
        super(message, null, false, false); // expected on bad input: no stack trace needed
    }
}
