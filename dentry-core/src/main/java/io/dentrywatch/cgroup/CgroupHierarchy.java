package io.dentrywatch.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cgroup ids to paths in one mounted hierarchy. A cgroup's id is its directory's inode number, so
 * the map is built by walking the hierarchy; it is walked again only when an unknown id shows up.
 * Paths of cgroups that were removed stay known. Not thread-safe.
 */
public final class CgroupHierarchy {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupHierarchy.class);

    private final Path root;
    private final Map<Long, String> paths = new HashMap<>();

    /** A hierarchy mounted at {@code root}; nothing is read until {@link #rescan()} or {@link #path}. */
    public CgroupHierarchy(Path root) {
        this.root = root;
    }

    /** Where the hierarchy is mounted. */
    public Path root() {
        return root;
    }

    /**
     * The path of cgroup {@code id} relative to the hierarchy root ({@code /} for the root itself), or
     * {@code null} if no directory of the hierarchy has that inode, even after a fresh walk when
     * {@code mayRescan} is set.
     */
    public String path(long id, boolean mayRescan) {
        String known = paths.get(id);
        if (known == null && mayRescan) {
            rescan();
            known = paths.get(id);
        }
        return known;
    }

    /** Walks the hierarchy and records every cgroup directory's inode. */
    public void rescan() {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    long inode = ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
                    String relative = root.relativize(dir).toString();
                    paths.put(inode, "/" + relative);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // a cgroup removed while we walk
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot walk the cgroup hierarchy at " + root, e);
        }
        LOG.debug("cgroup hierarchy {}: {} cgroups known", root, paths.size());
    }
}
