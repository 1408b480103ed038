package io.dentrywatch.exporter;

import io.dentrywatch.cgroup.ContainerResolver;

import java.util.Optional;

/** Opens an {@link ExporterExtension} at startup, or declines when the settings leave it off. */
@FunctionalInterface
public interface ExtensionFactory {

    /**
     * Opens the extension. A failure here is logged and the exporter runs without it, as a hook that
     * fails to attach degrades only what it feeds.
     *
     * @param config   the exporter's settings (node name, proc root, grace period)
     * @param resolver the container resolver the dentry families use, to label the same cgroups the same way
     * @return the open extension, or empty if it is turned off
     */
    Optional<ExporterExtension> open(ExporterConfig config, ContainerResolver resolver);
}
