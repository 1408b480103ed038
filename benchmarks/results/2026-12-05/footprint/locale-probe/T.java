// What CLDR's locale data costs a bare JVM (RESULTS.md, "A 12m heap, less compiled code, no CLDR and no CDS archive").
// javac T.java; java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp . T i|h|hs   (i: an Instant only;
// h: the JDK HTTP server's Date-header formatter too; hs: and slf4j-simple's SimpleDateFormat), with
// -Djava.locale.providers=SPI or not; read VmRSS from /proc/PID/status 2 s after the start.
import java.text.SimpleDateFormat;
import java.time.*;
import java.time.format.DateTimeFormatter;
import java.util.*;
public class T {
    public static void main(String[] a) throws Exception {
        String m = a[0];
        if (m.contains("h")) System.out.println(DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss zzz", Locale.US).withZone(ZoneId.of("GMT")).format(Instant.now()));
        if (m.contains("s")) System.out.println(new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").format(new Date()));
        System.out.println(Instant.now());
        for (int i = 0; i < 3; i++) System.gc();
        Runtime r = Runtime.getRuntime();
        System.out.println("used " + (r.totalMemory() - r.freeMemory()) / 1024 + " KB");
        Thread.sleep(3000);
    }
}
