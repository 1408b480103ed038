package io.dentrywatch.core;

import java.util.Objects;

/**
 * One directory where a cgroup's tasks made negative dentries, counted since it got its place among the
 * cgroup's top directories ({@link CgroupNegativeSources}).
 *
 * @param directory the directory as exported: file system type, then its last path components, for example
 *                  {@code ext4:.../lib/mysql/data} or {@code ext4:/tmp} (a whole path, from the file system's
 *                  root, not the mount point); names with numbers folded ({@code tmp.*}, {@code #sql-*_*}) when
 *                  the sampler folds them
 * @param fsType    the file system type ({@code sb->s_type->name}: ext4, xfs, overlay, nfs...)
 * @param device    the superblock's id ({@code sb->s_id}: vda1, overlay, a server:path)
 * @param lookups   lookup misses cached as negative dentries in the directory
 * @param unlinks   files unlinked there whose dentries turned negative
 */
public record DirectorySource(String directory, String fsType, String device, long lookups, long unlinks) {

    public DirectorySource {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(fsType, "fsType");
        Objects.requireNonNull(device, "device");
    }

    /** Negative dentries made in the directory: {@link #lookups()} plus {@link #unlinks()}. */
    public long total() {
        return lookups + unlinks;
    }
}
