package io.dentrywatch.core;

/**
 * Which cgroup an event is counted under. On cgroup v1 and hybrid hosts the kernel's "current cgroup
 * id" is the v2 cgroup, usually the root, while container runtimes place containers in the v1
 * memory cgroup — which also owns the dentry slab memory. So the default follows the host.
 */
public enum CgroupKey {
    /** {@link #V2} on cgroup v2 hosts, {@link #MEMORY} on hybrid and v1 hosts. */
    AUTO,
    /** The task's cgroup in the unified (v2) hierarchy ({@code bpf_get_current_cgroup_id()}). */
    V2,
    /** The task's memory cgroup ({@code task->cgroups->subsys[memory_cgrp_id]->cgroup}), resolved in the v1 memory hierarchy where there is one. */
    MEMORY
}
