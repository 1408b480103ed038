package io.dentrywatch.micrometer;

import java.util.Map;
import java.util.TreeMap;

/** Reads back a Prometheus text exposition. */
final class Scrapes {

    /** Every sample line: {@code name{labels}} to value. */
    static Map<String, Double> series(String exposition) {
        Map<String, Double> series = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return series;
    }

    private Scrapes() {
    }
}
