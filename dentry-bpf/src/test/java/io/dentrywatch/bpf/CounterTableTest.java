package io.dentrywatch.bpf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class CounterTableTest {

    @Test
    void perCpuValuesAreSummedPerFieldWithTheirStride() {
        int cpus = 3;
        int fields = 2;
        long stride = 16;
        try (Arena arena = Arena.ofConfined()) {
            // two entries, laid out as the kernel returns per-CPU values: entry-major, CPU-minor
            MemorySegment values = arena.allocate(2 * cpus * stride, 8);
            long[][] perCpu = {{1, 10}, {2, 20}, {3, 30}, {100, 1000}, {200, 2000}, {300, 3000}};
            for (int slot = 0; slot < perCpu.length; slot++) {
                values.set(JAVA_LONG, slot * stride, perCpu[slot][0]);
                values.set(JAVA_LONG, slot * stride + 8, perCpu[slot][1]);
            }
            CounterTable table = new CounterTable(fields, 1);
            PerCpuMapReader.sumRow(table, 42, values, 0, cpus, stride, fields);
            PerCpuMapReader.sumRow(table, 43, values, cpus * stride, cpus, stride, fields);

            assertEquals(2, table.size());
            assertEquals(42, table.key(0));
            assertEquals(6, table.value(0, 0));
            assertEquals(60, table.value(0, 1));
            assertEquals(43, table.key(1));
            assertEquals(600, table.value(1, 0));
            assertEquals(6000, table.value(1, 1));
        }
    }

    @Test
    void aReusedTableStartsEachRowAtZero() {
        CounterTable table = new CounterTable(1, 4);
        int row = table.addRow(7);
        table.add(row, 0, 99);
        table.clear();
        row = table.addRow(8);
        table.add(row, 0, 1);
        assertEquals(1, table.size());
        assertEquals(1, table.value(0, 0));
    }

    @Test
    void growsPastItsInitialCapacity() {
        CounterTable table = new CounterTable(2, 1);
        for (int i = 0; i < 10; i++) {
            table.add(table.addRow(i), 1, i);
        }
        assertEquals(10, table.size());
        assertEquals(9, table.value(9, 1));
        assertEquals(9, table.key(9));
    }

    @Test
    void rejectsEmptyShapes() {
        assertThrows(IllegalArgumentException.class, () -> new CounterTable(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new CounterTable(1, 0));
    }
}
