package io.dentrywatch.k8s;

import java.io.IOException;

/** The Kubernetes API answered with an error: an HTTP status, or an {@code ERROR} event of a watch, with its Status. */
final class ApiException extends IOException {

    /** The watch's resourceVersion is older than the API server keeps: list again. */
    static final int GONE = 410;

    private static final long serialVersionUID = 1L;

    private final int code;
    private final String reason;

    ApiException(int code, String reason, String message) {
        super("HTTP " + code + (reason.isEmpty() ? "" : " " + reason) + (message.isEmpty() ? "" : ": " + message));
        this.code = code;
        this.reason = reason;
    }

    int code() {
        return code;
    }

    String reason() {
        return reason;
    }
}
