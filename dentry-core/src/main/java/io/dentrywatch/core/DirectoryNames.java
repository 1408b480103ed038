package io.dentrywatch.core;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a directory is named in {@link DirectorySource#directory()}: {@code fstype:} then its last path
 * components, {@code /} first when they reach the file system's root, {@code ...} first when they do not.
 *
 * <p>Folding (on by default) turns names made up by programs into one pattern, so that a thousand temporary
 * directories count as one source instead of pushing the real sources out of the top list. In each path
 * component, every run of letters and digits that is all digits or holds at least two digits becomes {@code *}
 * ({@code #sql-1a2b_3} → {@code #sql-*_*}, {@code pod-7f9c2} → {@code pod-*}, {@code 12345} → {@code *}, but
 * {@code python3.11} → {@code python3.*} and {@code ext4}, {@code v2} stay), and a whole component of
 * mktemp's default form {@code tmp.} plus six or more letters and digits becomes {@code tmp.*} (mktemp names
 * without a digit too).
 */
public final class DirectoryNames {

    private static final Pattern RUN = Pattern.compile("[A-Za-z0-9]+");
    private static final Pattern MKTEMP = Pattern.compile("tmp\\.[A-Za-z0-9]{6,}");

    private DirectoryNames() {
    }

    /**
     * The directory's label.
     *
     * @param fsType     the file system type
     * @param components the directory's name first, then its parent's...
     * @param complete   whether the last component is the file system's root ({@code /})
     * @param fold       whether to fold names with numbers
     */
    public static String label(String fsType, List<String> components, boolean complete, boolean fold) {
        StringBuilder path = new StringBuilder();
        int last = components.size() - 1;
        if (complete && last >= 0 && components.get(last).equals("/")) {
            last--; // the root's name
        }
        for (int i = last; i >= 0; i--) {
            path.append('/').append(fold ? fold(components.get(i)) : components.get(i));
        }
        String prefix = complete ? "" : "...";
        return fsType + ":" + prefix + (path.isEmpty() ? "/" : path);
    }

    /** One path component folded: {@code tmp.*} for mktemp's names, {@code *} for every letter-digit run made up by a program. */
    public static String fold(String component) {
        if (MKTEMP.matcher(component).matches()) {
            return "tmp.*";
        }
        Matcher m = RUN.matcher(component);
        return m.replaceAll(r -> madeUp(r.group()) ? "*" : Matcher.quoteReplacement(r.group()));
    }

    /** All digits, or at least two of them: a counter, a hash, a random suffix. */
    private static boolean madeUp(String run) {
        int digits = 0;
        for (int i = 0; i < run.length(); i++) {
            if (Character.isDigit(run.charAt(i))) {
                digits++;
            }
        }
        return digits == run.length() || digits >= 2;
    }
}
