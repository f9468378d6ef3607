package io.procsys.fuse;

/** A FUSE session could not be set up; the message is meant for the user. */
public class FuseException extends Exception {
    public FuseException(String message) {
        super(message);
    }
}
