/**
 * The machinery that the metric adapters (dentry-prometheus, dentry-micrometer) share, so that every
 * front-end counts the same way: it turns a stream of {@link io.dentrywatch.core.DentrySample}s into
 * what an exporter shows, independent of any metrics library.
 *
 * <ul>
 *   <li><b>Scrape-time read throttling</b>: {@link io.dentrywatch.core.export.ThrottledSampler} reads
 *       the sample source at most once per minimum interval, and concurrent scrapes share a read.</li>
 *   <li><b>Per-container series with a cap and {@code _other}</b>: cgroups are summed per
 *       {@link io.dentrywatch.core.export.SeriesLabels}; containers past the cap are summed into
 *       {@link io.dentrywatch.core.export.SeriesLabels#OTHER}, for their whole life.</li>
 *   <li><b>Grace</b>: a container that no sample mentions any more keeps its series for a while, then
 *       goes.</li>
 *   <li><b>Monotonic counting</b>: no exported counter decreases while its series lives, whatever the
 *       cgroups underneath do (removed, re-resolved, or a sampler reopened from zero).</li>
 * </ul>
 *
 * <p>The OOM watcher's counts go the same way, through their own book: {@link io.dentrywatch.core.export.OomSeriesBook}
 * turns {@link io.dentrywatch.oom.OomWatcher#stats()} into per-container series (resolved at the kill, summed,
 * capped with {@code _other}, kept for a retention after the latest kill) labelled with the node, the
 * {@code oom_*} families of the catalogue.
 *
 * <h2>The adapters' interface</h2>
 * An adapter is made by {@link io.dentrywatch.core.export.AdapterBuilder} (dentry families) or
 * {@link io.dentrywatch.core.export.OomAdapterBuilder} (OOM families): the options, their defaults and checks,
 * written once; the adapter gives only how it is made from a {@link io.dentrywatch.core.export.FamilyReader}.
 * On every scrape (or meter read) the adapter calls {@link io.dentrywatch.core.export.FamilyReader#read()} and
 * gets the families to export now, each a {@link io.dentrywatch.core.export.FamilyReading}: its
 * {@link io.dentrywatch.core.export.MetricFamily} (the names, types, labels and HELP of the metric contract,
 * written once) and its points (label values and a value) or its histogram. The families are made once per
 * reading, here, for every adapter: which ones a sample measures (a family fed by core counters is absent,
 * not zero, when the sample does not measure it), in which order, with which values. All an adapter does is
 * map a family's {@link io.dentrywatch.core.export.MetricFamily.Type} to its library's snapshot or meter.
 */
package io.dentrywatch.core.export;
