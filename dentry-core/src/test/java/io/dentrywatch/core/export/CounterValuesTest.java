package io.dentrywatch.core.export;

import io.dentrywatch.core.DentryCounter;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A series' counts: the map the book hands out without copying, equal to the map it stands for. */
class CounterValuesTest {

    private static long[] totals() {
        long[] totals = new long[DentryCounter.values().length];
        for (DentryCounter counter : DentryCounter.values()) {
            totals[counter.ordinal()] = 100L + counter.ordinal();
        }
        return totals;
    }

    @Test
    void holdsTheBooksCountersAndIsEqualToAnOrdinaryMapOfThem() {
        Map<DentryCounter, Long> expected = new HashMap<>();
        for (DentryCounter counter : ContainerSeriesBook.COUNTERS) {
            expected.put(counter, 100L + counter.ordinal());
        }
        CounterValues values = new CounterValues(totals());

        assertEquals(expected, values);
        assertEquals(values, expected);
        assertEquals(expected.hashCode(), values.hashCode());
        assertEquals(Map.copyOf(expected), values);
        for (DentryCounter counter : DentryCounter.values()) {
            boolean kept = ContainerSeriesBook.COUNTERS.contains(counter);
            assertEquals(kept, values.containsKey(counter), counter.name());
            assertEquals(kept ? 100L + counter.ordinal() : 0, values.count(counter), counter.name());
            if (!kept) {
                assertNull(values.get(counter), counter.name());
            }
        }
    }

    @Test
    void cannotBeChanged() {
        CounterValues values = new CounterValues(totals());
        DentryCounter first = ContainerSeriesBook.COUNTERS.getFirst();
        assertThrows(UnsupportedOperationException.class, () -> values.put(first, 1L));
        assertThrows(UnsupportedOperationException.class, () -> values.remove(first));
        assertThrows(UnsupportedOperationException.class, values::clear);
        Iterator<Map.Entry<DentryCounter, Long>> it = values.entrySet().iterator();
        Map.Entry<DentryCounter, Long> entry = it.next();
        assertThrows(UnsupportedOperationException.class, () -> entry.setValue(2L));
        assertThrows(UnsupportedOperationException.class, it::remove);
        assertEquals(100L + first.ordinal(), values.get(first));
    }

    @Test
    void aSeriesKeepsTheBooksCountsAndCopiesAnyOtherMap() {
        CounterValues values = new CounterValues(totals());
        ContainerSeries series = new ContainerSeries(SeriesLabels.OTHER, values, 0, 0);
        assertSame(values, series.counts());

        Map<DentryCounter, Long> mutable = new HashMap<>(Map.of(DentryCounter.ALLOC, 5L));
        ContainerSeries copied = new ContainerSeries(SeriesLabels.OTHER, mutable, 0, 0);
        mutable.put(DentryCounter.ALLOC, 6L);
        assertEquals(5, copied.count(DentryCounter.ALLOC));
        assertEquals(0, copied.count(DentryCounter.POSITIVE));
        assertFalse(copied.counts() instanceof CounterValues);
    }
}
