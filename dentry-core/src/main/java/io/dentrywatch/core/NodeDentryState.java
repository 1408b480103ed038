package io.dentrywatch.core;

import java.util.OptionalLong;

/**
 * The node-wide dentry cache, as the kernel reports it in {@code /proc/sys/fs/dentry-state}.
 *
 * @param total    {@code nr_dentry}: dentries allocated (in use plus cached)
 * @param unused   {@code nr_unused}: cached dentries no one holds a reference to (on the LRU)
 * @param negative {@code nr_negative}: negative dentries, empty where the kernel does not report it (before 5.0)
 */
public record NodeDentryState(long total, long unused, OptionalLong negative) {
}
