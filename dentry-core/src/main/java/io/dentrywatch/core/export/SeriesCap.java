package io.dentrywatch.core.export;

/**
 * The series cap both books keep (dentry containers and OOM containers): at most {@code maxOwnSeries}
 * containers have their own series; a container seen for the first time past that is summed into
 * {@link SeriesLabels#OTHER} for its whole life, and {@code _other} is shown from its first member on.
 * A slot freed by an expired series goes to the next container seen for the first time, never to a member
 * of {@code _other} (moving one would make a series fall or count twice). Not thread-safe: its book's owner
 * serialises calls.
 */
final class SeriesCap {

    private final int maxOwnSeries;
    private int ownSeries;
    private boolean otherShown;

    SeriesCap(int maxOwnSeries) {
        this.maxOwnSeries = checked(maxOwnSeries);
    }

    /**
     * Checks a cap as both adapters' builders take it, when it is set.
     *
     * @return {@code maxContainerSeries}
     * @throws IllegalArgumentException if it is negative
     */
    static int checked(int maxContainerSeries) {
        if (maxContainerSeries < 0) {
            throw new IllegalArgumentException("maxContainerSeries must not be negative: " + maxContainerSeries);
        }
        return maxContainerSeries;
    }

    /**
     * Places a container seen for the first time.
     *
     * @return whether it gets its own series; if not, it is a member of {@code _other} from now on (as is a
     *         container literally named {@code _other}, which could not be told apart from the bucket)
     */
    boolean admit(SeriesLabels labels) {
        boolean own = ownSeries < maxOwnSeries && !labels.equals(SeriesLabels.OTHER);
        if (own) {
            ownSeries++;
        } else {
            otherShown = true;
        }
        return own;
    }

    /** Frees the slot of a container with its own series that expired. */
    void release() {
        ownSeries--;
    }

    /** Containers (live or within grace) with their own series. */
    int ownSeries() {
        return ownSeries;
    }

    /** Whether {@code _other} has ever had a member, and so is exported. */
    boolean otherShown() {
        return otherShown;
    }
}
