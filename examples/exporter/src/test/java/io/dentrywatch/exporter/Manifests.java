package io.dentrywatch.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A set of Kubernetes objects from one source (the files of {@code deploy/kubernetes}, {@code kubectl
 * kustomize}, {@code helm template}), parsed once; {@link ManifestChecks} checks any of them.
 *
 * @param source    where the objects came from, for assertion messages
 * @param documents one JSON tree per object
 */
record Manifests(String source, List<JsonNode> documents) {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    Manifests {
        documents = List.copyOf(documents);
    }

    /** Every non-empty document of a multi-document YAML stream. */
    static Manifests parse(String source, String yaml) {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNextValue()) {
                JsonNode document = it.nextValue();
                if (document != null && document.isObject() && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(source + " is not YAML", e);
        }
        return new Manifests(source, documents);
    }

    /** The files {@code deploy/kubernetes/kustomization.yaml} lists, read as they are. */
    static Manifests deployKubernetes() throws IOException {
        StringBuilder all = new StringBuilder();
        for (JsonNode resource : YAML.readTree(DeployFiles.kubernetes("kustomization.yaml").toFile()).get("resources")) {
            all.append(Files.readString(DeployFiles.kubernetes(resource.asText()))).append("\n---\n");
        }
        return parse("deploy/kubernetes", all.toString());
    }

    /** The objects of a kind. */
    List<JsonNode> all(String kind) {
        return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    /** The one object of a kind, if there is one; fails if there are several. */
    Optional<JsonNode> find(String kind) {
        List<JsonNode> found = all(kind);
        if (found.size() > 1) {
            throw new AssertionError(source + " has " + found.size() + " objects of kind " + kind);
        }
        return found.stream().findFirst();
    }

    /** The one object of the type's kind, as fabric8's model. */
    <T extends HasMetadata> T one(Class<T> type) {
        return find(type).orElseThrow(() -> new AssertionError(source + " has no " + type.getSimpleName()));
    }

    /** The object of the type's kind, as fabric8's model, if there is one. */
    <T extends HasMetadata> Optional<T> find(Class<T> type) {
        return find(type.getSimpleName()).map(d -> SERIALIZATION.convertValue(d, type));
    }

    DaemonSet daemonSet() {
        return one(DaemonSet.class);
    }

    /** The DaemonSet's exporter container. */
    Container exporter() {
        return daemonSet().getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    /** The value of an environment variable of the exporter container. */
    Optional<String> env(String name) {
        return exporter().getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().map(EnvVar::getValue);
    }
}
