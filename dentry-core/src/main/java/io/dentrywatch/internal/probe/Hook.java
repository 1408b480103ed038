package io.dentrywatch.internal.probe;

import io.dentrywatch.core.DentryCounter;

import java.util.List;
import java.util.Set;

/**
 * A program of {@code dentry.bpf.o}, its kind, and the kernel functions or tracepoints it can attach
 * to: the first that exists wins.
 *
 * @param feeds the counters it feeds, unavailable when it is not attached
 */
public record Hook(HookKind kind, String program, List<String> targets, Set<DentryCounter> feeds) {

    public Hook {
        targets = List.copyOf(targets);
        feeds = Set.copyOf(feeds);
    }

    Hook(HookKind kind, String program, String target, DentryCounter... feeds) {
        this(kind, program, List.of(target), Set.of(feeds));
    }

    Hook(HookKind kind, String program, List<String> targets, DentryCounter... feeds) {
        this(kind, program, targets, Set.of(feeds));
    }

    /** The allocation hook, the one a mode cannot do without. */
    boolean essential() {
        return feeds.contains(DentryCounter.ALLOC);
    }
}
