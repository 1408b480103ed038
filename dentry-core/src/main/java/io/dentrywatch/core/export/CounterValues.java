package io.dentrywatch.core.export;

import io.dentrywatch.core.DentryCounter;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A container series' counts ({@link ContainerSeries#counts()}): an immutable map from each of
 * {@link ContainerSeriesBook#COUNTERS} to its value, held as one {@code long[]}. Every series of every reading has
 * one, so it is made without the enum map, entries and boxed values that {@code Map.copyOf} would allocate.
 */
final class CounterValues extends AbstractMap<DentryCounter, Long> {

    private static final List<DentryCounter> KEYS = ContainerSeriesBook.COUNTERS;

    private final long[] values;

    /** The values of {@link ContainerSeriesBook#COUNTERS} in {@code totals}, which is indexed by ordinal. */
    CounterValues(long[] totals) {
        values = new long[KEYS.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = totals[KEYS.get(i).ordinal()];
        }
    }

    /** The value of {@code counter}, 0 for a counter not here; without boxing. */
    long count(DentryCounter counter) {
        int i = KEYS.indexOf(counter);
        return i < 0 ? 0 : values[i];
    }

    @Override
    public Long get(Object key) {
        int i = KEYS.indexOf(key);
        return i < 0 ? null : values[i];
    }

    @Override
    public boolean containsKey(Object key) {
        return KEYS.contains(key);
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public Set<Entry<DentryCounter, Long>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<DentryCounter, Long>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < values.length;
                    }

                    @Override
                    public Entry<DentryCounter, Long> next() {
                        if (next >= values.length) {
                            throw new NoSuchElementException();
                        }
                        Entry<DentryCounter, Long> e = Map.entry(KEYS.get(next), values[next]);
                        next++;
                        return e;
                    }
                };
            }

            @Override
            public int size() {
                return values.length;
            }
        };
    }
}
