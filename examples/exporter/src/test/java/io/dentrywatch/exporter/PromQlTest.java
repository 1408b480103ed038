package io.dentrywatch.exporter;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PromQlTest {

    @Test
    void findsTheMetricNamesOnly() {
        assertEquals(Set.of("dentry_alloc_total", "node_dentry_freed_total"), PromQl.metricNames(
                "sum by (node, pod) (rate(dentry_alloc_total{node=~\"a|b\", pod!=\"x y\"}[5m] offset 1d)) > 1e3"
                        + " and on (node) group_left (pod) rate(node_dentry_freed_total[1m]) > bool 50e6"));
        assertEquals(Set.of(), PromQl.metricNames("vector(50000000)"));
        assertEquals(Set.of("oom_kills_total"), PromQl.metricNames("oom_kills_total > 0 unless oom_kills_total offset 10m"));
    }
}
