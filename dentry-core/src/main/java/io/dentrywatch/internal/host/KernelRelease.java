package io.dentrywatch.internal.host;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A kernel release string such as {@code 6.1.0-28-amd64}, with its major and minor version. */
public record KernelRelease(String release, int major, int minor) {

    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

    public static KernelRelease parse(String release) {
        String r = release.strip();
        Matcher m = VERSION.matcher(r);
        if (!m.find()) {
            throw new IllegalArgumentException("not a kernel release: \"" + r + "\"");
        }
        return new KernelRelease(r, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    public boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }

    @Override
    public String toString() {
        return release;
    }
}
