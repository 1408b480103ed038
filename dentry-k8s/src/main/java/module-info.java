/**
 * Names cgroups by namespace, pod and container from the Kubernetes API:
 * {@link io.dentrywatch.k8s.KubernetesContainerResolver}. fabric8's jars have no module descriptor; they
 * are required by the automatic module names their file names give.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.dentrywatch.k8s {
    requires transitive io.dentrywatch.core;
    requires transitive kubernetes.client.api;
    requires kubernetes.model.core;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports io.dentrywatch.k8s;
}
