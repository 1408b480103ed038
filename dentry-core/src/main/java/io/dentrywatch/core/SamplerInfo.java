package io.dentrywatch.core;

import java.util.List;

/**
 * What a sampler is running on and how: the facts behind {@code dentry_monitor_info}.
 *
 * @param mode       the live attach mode ({@link AttachMode#NONE} in node-only mode)
 * @param kernel     the kernel release ({@code uname -r})
 * @param cgroupMode {@code v2}, {@code hybrid} or {@code v1}
 * @param cgroupKey  which cgroup events are counted under ({@link CgroupKey#V2} or {@link CgroupKey#MEMORY})
 * @param version    the dentrywatch version
 * @param degraded   one line per thing that is not measured and why (missing privileges, a hook
 *                   that failed to attach); empty when everything the mode offers is live
 */
public record SamplerInfo(
        AttachMode mode, String kernel, String cgroupMode, CgroupKey cgroupKey, String version, List<String> degraded) {

    public SamplerInfo {
        degraded = List.copyOf(degraded);
    }
}
