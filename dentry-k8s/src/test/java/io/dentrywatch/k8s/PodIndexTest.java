package io.dentrywatch.k8s;

import static io.dentrywatch.k8s.TestPods.NODE;
import static io.dentrywatch.k8s.TestPods.OTHER_NODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The index the watch feeds: this node's pods, deleted ones kept for their grace, relists reconciled. */
class PodIndexTest {

    private static final long GRACE = Duration.ofMinutes(5).toNanos();

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final PodIndex index = new PodIndex(NODE, GRACE, clock::get);

    private static PodRecord pod(String uid, String node) {
        return PodRecord.of("shop", "web-" + uid, uid, node, null, List.of(Map.entry("containerd://" + uid + "-c", "web")));
    }

    @Test
    void aRelistMarksPodsItLacksDeletedAndTheyResolveForTheirGrace() {
        PodRecord kept = pod("u-1", NODE);
        PodRecord gone = pod("u-2", NODE);
        index.replaceAll(List.of(kept, gone));

        index.replaceAll(List.of(kept));

        assertSame(kept, index.current("u-1"));
        assertTrue(index.current("u-2").deleted(), "deleted while unwatched: found by the relist");
        assertEquals("web-u-2", index.current("u-2").name());
        clock.addAndGet(GRACE);
        assertNull(index.current("u-2"), "expired at the end of its grace");
        index.upsert(kept);
        assertSame(kept, index.current("u-1"), "the next change dropped the expired pod and kept the live one");
    }

    @Test
    void podsOfOtherNodesAreLeftOutAndAPodThatMovesAwayIsDeleted() {
        index.replaceAll(List.of(pod("u-1", NODE), pod("u-9", OTHER_NODE)));
        assertNull(index.current("u-9"), "a server that ignores the field selector sends other nodes' pods");

        index.upsert(pod("u-1", OTHER_NODE));

        assertTrue(index.current("u-1").deleted());
        index.delete(pod("u-9", OTHER_NODE));
        assertNull(index.current("u-9"));
    }

    @Test
    void aMirrorPodIsFoundByTheStaticPodsUidAndItsDeleteSparesANewerMirror() {
        PodRecord mirror = PodRecord.of("kube-system", "etcd-" + NODE, "m-1", NODE, "static-1", List.of());
        PodRecord newer = PodRecord.of("kube-system", "etcd-" + NODE, "m-2", NODE, "static-1", List.of());
        index.upsert(mirror);
        assertSame(mirror, index.current("static-1"));

        index.upsert(newer);
        index.delete(mirror);

        assertSame(newer, index.current("static-1"), "the static pod's key names the newer mirror pod");
        assertTrue(index.current("m-1").deleted());
        assertFalse(index.current("m-2").deleted());
    }
}
