/**
 * Names cgroups by namespace, pod and container from the Kubernetes API:
 * {@link io.dentrywatch.k8s.KubernetesContainerResolver}. Its list-and-watch client is the JDK's
 * {@code HttpURLConnection} and jackson-core's streaming parser.
 */
module io.dentrywatch.k8s {
    requires transitive io.dentrywatch.core;
    requires com.fasterxml.jackson.core;
    requires org.slf4j;

    exports io.dentrywatch.k8s;
}
