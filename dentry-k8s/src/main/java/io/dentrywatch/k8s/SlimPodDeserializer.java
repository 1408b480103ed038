package io.dentrywatch.k8s;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code Pod} from JSON keeping only what {@link SlimPodStore#slim(Pod)} keeps, and skipping the rest
 * token by token: the result equals {@code SlimPodStore.slim(}<i>the whole pod</i>{@code )}.
 *
 * <p>Jackson's own bean deserializer for {@code Pod} builds every part of a pod (spec, env, volumes,
 * managedFields) before the store can cut it down, and first loads and introspects the whole model of a
 * pod (each class with its builder and fluent classes: 448 fabric8 model classes in the exporter). With 110
 * pods on the node the heap grew to its cap during the first list, and class metadata was 20 MiB above the
 * exporter without Kubernetes resolution (benchmarks/RESULTS.md, "Exporter footprint", 2026-12-04). This
 * deserializer builds seven model classes (57 are loaded in all), and a list of pods costs little more
 * heap than its JSON text.
 *
 * <p>Used only by the client the resolver builds for itself ({@link #serialization()}); a client given to
 * the builder keeps its own mapper, and {@link SlimPodStore} still cuts its pods down.
 */
final class SlimPodDeserializer extends StdDeserializer<Pod> {

    SlimPodDeserializer() {
        super(Pod.class);
    }

    /** fabric8's serialization with this deserializer for {@code Pod}, for the resolver's own client. */
    static KubernetesSerialization serialization() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.registerModule(new SimpleModule("dentrywatch-slim-pods").addDeserializer(Pod.class, new SlimPodDeserializer()));
        return new KubernetesSerialization(mapper, true);
    }

    @Override
    public Pod deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        String field = firstField(p, ctxt);
        Pod pod = new Pod();
        for (; field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "apiVersion" -> pod.setApiVersion(text(p));
                case "kind" -> pod.setKind(text(p));
                case "metadata" -> {
                    if (value == JsonToken.START_OBJECT) {
                        pod.setMetadata(metadata(p));
                    } else {
                        skip(p);
                    }
                }
                case "spec" -> {
                    if (value == JsonToken.START_OBJECT) {
                        pod.setSpec(spec(p));
                    } else {
                        skip(p);
                    }
                }
                case "status" -> {
                    if (value == JsonToken.START_OBJECT) {
                        pod.setStatus(status(p));
                    } else {
                        skip(p);
                    }
                }
                default -> p.skipChildren();
            }
        }
        return pod;
    }

    private static ObjectMeta metadata(JsonParser p) throws IOException {
        ObjectMeta meta = new ObjectMeta();
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "namespace" -> meta.setNamespace(text(p));
                case "name" -> meta.setName(text(p));
                case "uid" -> meta.setUid(text(p));
                case "resourceVersion" -> meta.setResourceVersion(text(p));
                case "annotations" -> {
                    String mirror = value == JsonToken.START_OBJECT ? mirrorAnnotation(p) : skip(p);
                    if (mirror != null) {
                        meta.setAnnotations(Map.of(PodRecord.MIRROR_ANNOTATION, mirror));
                    }
                }
                default -> p.skipChildren();
            }
        }
        return meta;
    }

    private static String mirrorAnnotation(JsonParser p) throws IOException {
        String mirror = null;
        for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
            p.nextToken();
            if (key.equals(PodRecord.MIRROR_ANNOTATION)) {
                mirror = text(p);
            } else {
                p.skipChildren();
            }
        }
        return mirror;
    }

    private static PodSpec spec(JsonParser p) throws IOException {
        PodSpec spec = new PodSpec();
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            p.nextToken();
            if (field.equals("nodeName")) {
                spec.setNodeName(text(p));
            } else {
                p.skipChildren();
            }
        }
        return spec;
    }

    private static PodStatus status(JsonParser p) throws IOException {
        PodStatus status = new PodStatus();
        List<ContainerStatus> containers = List.of();
        List<ContainerStatus> init = List.of();
        List<ContainerStatus> ephemeral = List.of();
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            p.nextToken();
            switch (field) {
                case "containerStatuses" -> containers = containerStatuses(p);
                case "initContainerStatuses" -> init = containerStatuses(p);
                case "ephemeralContainerStatuses" -> ephemeral = containerStatuses(p);
                default -> p.skipChildren();
            }
        }
        // as SlimPodStore.slim: absent and empty lists are both empty
        status.setContainerStatuses(containers);
        status.setInitContainerStatuses(init);
        status.setEphemeralContainerStatuses(ephemeral);
        return status;
    }

    private static List<ContainerStatus> containerStatuses(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            skip(p);
            return List.of();
        }
        List<ContainerStatus> statuses = new ArrayList<>(2);
        for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
            if (item == JsonToken.START_OBJECT) {
                statuses.add(containerStatus(p));
            } else {
                p.skipChildren();
            }
        }
        return statuses.isEmpty() ? List.of() : statuses;
    }

    private static ContainerStatus containerStatus(JsonParser p) throws IOException {
        ContainerStatus container = new ContainerStatus();
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> container.setName(text(p));
                case "containerID" -> container.setContainerID(text(p));
                case "lastState" -> {
                    String previous = value == JsonToken.START_OBJECT ? terminatedContainerId(p) : null;
                    if (value != JsonToken.START_OBJECT) {
                        p.skipChildren();
                    }
                    if (previous != null) {
                        // the previous instance's id: its cgroup may still be read once after a restart
                        ContainerStateTerminated terminated = new ContainerStateTerminated();
                        terminated.setContainerID(previous);
                        ContainerState lastState = new ContainerState();
                        lastState.setTerminated(terminated);
                        container.setLastState(lastState);
                    }
                }
                default -> p.skipChildren();
            }
        }
        return container;
    }

    /** Inside {@code lastState}: {@code terminated.containerID}, or {@code null}. */
    private static String terminatedContainerId(JsonParser p) throws IOException {
        String id = null;
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            if (field.equals("terminated") && value == JsonToken.START_OBJECT) {
                for (String inner = p.nextFieldName(); inner != null; inner = p.nextFieldName()) {
                    p.nextToken();
                    if (inner.equals("containerID")) {
                        id = text(p);
                    } else {
                        p.skipChildren();
                    }
                }
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

    /** Skips the current value (a scalar or a whole structure); returns {@code null} for use in expressions. */
    private static String skip(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }

    /** The pod's first field name; Jackson may hand over the object with its start already read. */
    private static String firstField(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.START_OBJECT) {
            return p.nextFieldName();
        }
        if (token == JsonToken.FIELD_NAME) {
            return p.currentName();
        }
        if (token == JsonToken.END_OBJECT) {
            return null;
        }
        ctxt.handleUnexpectedToken(Pod.class, p);
        return null;
    }
}
