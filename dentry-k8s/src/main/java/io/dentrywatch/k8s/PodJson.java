package io.dentrywatch.k8s;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the Kubernetes API's pod lists and watch events token by token, keeping only what a {@link PodRecord}
 * holds and skipping the rest: a pod's spec, env, volumes and managedFields are never built, so a list costs
 * little more heap than its text. Fields may come in any order, as JSON allows.
 *
 * <p>Stateless; the parser is the caller's.
 */
final class PodJson {

    /** A pod list: its pods (those with a UID) and the {@code resourceVersion} to watch from. */
    record PodList(String resourceVersion, List<PodRecord> pods) {
    }

    /**
     * One watch event.
     *
     * @param type            {@code ADDED}, {@code MODIFIED}, {@code DELETED}, {@code BOOKMARK} or {@code ERROR}
     * @param pod             the pod of an added, modified or deleted event; {@code null} otherwise or without a UID
     * @param resourceVersion the object's {@code resourceVersion}, or {@code ""}
     * @param error           the Status of an {@code ERROR} event; {@code null} otherwise
     */
    record WatchEvent(String type, PodRecord pod, String resourceVersion, ApiException error) {
    }

    private PodJson() {
    }

    /** Reads a whole {@code PodList} from a parser positioned before it. */
    static PodList list(JsonParser p) throws IOException {
        expect(p.nextToken(), JsonToken.START_OBJECT, p);
        String resourceVersion = "";
        List<PodRecord> pods = new ArrayList<>();
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
                resourceVersion = object(p).resourceVersion;
            } else if (field.equals("items") && value == JsonToken.START_ARRAY) {
                for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
                    if (item == JsonToken.START_OBJECT) {
                        PodRecord pod = object(p).pod();
                        if (pod != null) {
                            pods.add(pod);
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return new PodList(resourceVersion, pods);
    }

    /**
     * Reads the next event of a watch stream (objects one after another), or returns {@code null} at the
     * stream's clean end.
     */
    static WatchEvent event(JsonParser p) throws IOException {
        JsonToken start = p.nextToken();
        if (start == null) {
            return null;
        }
        expect(start, JsonToken.START_OBJECT, p);
        String type = "";
        ObjectFields object = new ObjectFields();
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            if (field.equals("type")) {
                type = text(p);
            } else if (field.equals("object") && value == JsonToken.START_OBJECT) {
                object = object(p);
            } else {
                p.skipChildren();
            }
        }
        ApiException error = type.equals("ERROR") ? object.error() : null;
        return new WatchEvent(type, error == null ? object.pod() : null, object.resourceVersion, error);
    }

    /** Reads a Status body (an error response), or {@code null} if it is not one. */
    static ApiException status(JsonParser p, int httpStatus) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        ObjectFields object = object(p);
        return object.kind.equals("Status") ? object.error(httpStatus) : null;
    }

    /** The fields of a pod, a list's metadata or a Status that are read; the rest is skipped. */
    private static final class ObjectFields {
        String kind = "";
        String namespace;
        String name;
        String uid;
        String resourceVersion = "";
        String mirrorOf;
        String nodeName;
        List<Map.Entry<String, String>> runtimeIds = List.of();
        int code;
        String reason = "";
        String message = "";

        PodRecord pod() {
            return uid == null || uid.isEmpty() ? null : PodRecord.of(namespace, name, uid, nodeName, mirrorOf, runtimeIds);
        }

        ApiException error() {
            return error(code);
        }

        ApiException error(int httpStatus) {
            return new ApiException(code > 0 ? code : httpStatus, reason, message);
        }
    }

    /** Reads an object whose start was just read: a pod, a list's or an object's metadata, or a Status. */
    private static ObjectFields object(JsonParser p) throws IOException {
        ObjectFields o = new ObjectFields();
        List<Map.Entry<String, String>> ids = new ArrayList<>(4);
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "kind" -> o.kind = nullToEmpty(text(p));
                case "metadata" -> {
                    if (value == JsonToken.START_OBJECT) {
                        metadata(p, o);
                    } else {
                        p.skipChildren();
                    }
                }
                // a list's metadata is read by the same method: these are its fields
                case "resourceVersion" -> o.resourceVersion = nullToEmpty(text(p));
                case "spec" -> {
                    if (value == JsonToken.START_OBJECT) {
                        o.nodeName = field(p, "nodeName");
                    } else {
                        p.skipChildren();
                    }
                }
                case "status" -> {
                    // a pod's status is an object; a Status's is the string "Failure"
                    if (value == JsonToken.START_OBJECT) {
                        podStatus(p, ids);
                    } else {
                        p.skipChildren();
                    }
                }
                case "code" -> o.code = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : 0;
                case "reason" -> o.reason = nullToEmpty(text(p));
                case "message" -> o.message = nullToEmpty(text(p));
                default -> p.skipChildren();
            }
        }
        o.runtimeIds = ids;
        return o;
    }

    private static void metadata(JsonParser p, ObjectFields o) throws IOException {
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "namespace" -> o.namespace = text(p);
                case "name" -> o.name = text(p);
                case "uid" -> o.uid = text(p);
                case "resourceVersion" -> o.resourceVersion = nullToEmpty(text(p));
                case "annotations" -> {
                    if (value == JsonToken.START_OBJECT) {
                        o.mirrorOf = field(p, PodRecord.MIRROR_ANNOTATION);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    /** In an object whose start was just read: the text of its field {@code wanted}, or {@code null}; the rest is skipped. */
    private static String field(JsonParser p, String wanted) throws IOException {
        String found = null;
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            p.nextToken();
            if (field.equals(wanted)) {
                found = text(p);
            } else {
                p.skipChildren();
            }
        }
        return found;
    }

    private static void podStatus(JsonParser p, List<Map.Entry<String, String>> ids) throws IOException {
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            boolean statuses = field.equals("containerStatuses") || field.equals("initContainerStatuses")
                    || field.equals("ephemeralContainerStatuses");
            if (statuses && value == JsonToken.START_ARRAY) {
                for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
                    if (item == JsonToken.START_OBJECT) {
                        containerStatus(p, ids);
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
    }

    /** A container status's name with its current id and, after a restart, the previous instance's id. */
    private static void containerStatus(JsonParser p, List<Map.Entry<String, String>> ids) throws IOException {
        String name = null;
        String current = null;
        String previous = null;
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> name = text(p);
                case "containerID" -> current = text(p);
                case "lastState" -> {
                    if (value == JsonToken.START_OBJECT) {
                        previous = terminatedContainerId(p);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (name == null) {
            return;
        }
        if (current != null) {
            ids.add(new SimpleImmutableEntry<>(current, name));
        }
        if (previous != null) {
            // the previous instance's cgroup may still be read once after a restart
            ids.add(new SimpleImmutableEntry<>(previous, name));
        }
    }

    /** Inside {@code lastState}: {@code terminated.containerID}, or {@code null}. */
    private static String terminatedContainerId(JsonParser p) throws IOException {
        String id = null;
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            if (field.equals("terminated") && value == JsonToken.START_OBJECT) {
                id = field(p, "containerID");
            } else {
                p.skipChildren();
            }
        }
        return id;
    }

    /** The current scalar as text, {@code null} for JSON null; a structure is skipped and read as {@code null}. */
    private static String text(JsonParser p) throws IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            p.skipChildren();
            return null;
        }
        return p.getText();
    }

    private static void expect(JsonToken actual, JsonToken expected, JsonParser p) throws IOException {
        if (actual != expected) {
            throw new IOException("the Kubernetes API sent " + actual + " where a JSON object was expected, at "
                    + p.currentLocation());
        }
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
