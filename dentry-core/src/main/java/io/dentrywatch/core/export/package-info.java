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
 * <p>The OOM watcher's counts go the same way, through their own pair: an OOM adapter's builder extends
 * {@link io.dentrywatch.core.export.OomAdapterBuilder}, which creates its
 * {@link io.dentrywatch.core.export.OomSeriesBook}; that turns {@link io.dentrywatch.oom.OomWatcher#stats()}
 * into per-container series (resolved at the kill, summed, capped with {@code _other}, kept for a
 * retention after the latest kill) labelled with the node, the {@code oom_*} families of the catalogue.
 *
 * <p>An adapter's builder extends {@link io.dentrywatch.core.export.AdapterBuilder} (the shared options
 * and their defaults), which creates its {@link io.dentrywatch.core.export.ThrottledSampler}; on every
 * scrape the adapter maps the {@link io.dentrywatch.core.export.Reading} it returns to its ecosystem's
 * types, family by family of {@link io.dentrywatch.core.export.MetricFamily} (the names, types, labels
 * and HELP of the metric contract, written once), exporting a family fed by core counters only when
 * the sample measures it.
 */
package io.dentrywatch.core.export;
